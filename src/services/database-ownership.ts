import type { Catalog, DatabaseRecord } from '../catalog/catalog.ts';
import { fail } from '../domain/errors.ts';

/** How long a refusal waits for the catalog to say where the owner is before naming it without an address. */
const OWNER_LOOKUP_TIMEOUT_MS = 1_000;

/**
 * Embedded storage on a shared catalog: a database's files live on the node that created it, and
 * every other node refuses the database's data plane rather than keep a diverging copy. With no
 * local node id (a one-node SQLite catalog) every database is served here.
 */
export class DatabaseOwnership {
  constructor(
    /** This node's stable id on a shared catalog; null on a one-node catalog. */
    readonly localNode: string | null,
    private readonly catalog?: Pick<Catalog, 'listNodes'>,
  ) {}

  /** The owner a database created here gets. */
  get ownerForNew(): string | null {
    return this.localNode;
  }

  /** Whether this node holds the database's files (a database with no owner is held wherever it is used). */
  isHere(record: DatabaseRecord): boolean {
    return this.localNode === null || record.ownerNode === null || record.ownerNode === this.localNode;
  }

  /** Refuses, naming the owner's id and address, a database whose files live on another node. */
  async requireHere(record: DatabaseRecord): Promise<void> {
    if (this.isHere(record)) return;
    const owner = record.ownerNode as string;
    const address = await this.addressOf(owner);
    const where = address === undefined ? 'whose address is unknown (not running?)' : `at ${address}`;
    fail(
      'DATABASE_OWNED_ELSEWHERE',
      `database '${record.name}' is held by node ${owner} ${where}; send its writes and queries there (this node does not forward them)`,
      { field: 'db', ownerNode: owner, ownerAddress: address ?? null },
    );
  }

  private async addressOf(node: string): Promise<string | undefined> {
    if (this.catalog === undefined) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), OWNER_LOOKUP_TIMEOUT_MS);
    });
    try {
      const lookup = this.catalog.listNodes(0).then((nodes) => nodes.find((n) => n.id === node)?.address);
      return await Promise.race([lookup.catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Every database served everywhere: one node, or tests that do not concern ownership. */
export const SINGLE_NODE = new DatabaseOwnership(null);
