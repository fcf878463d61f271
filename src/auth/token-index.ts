import { hash } from 'node:crypto';
import type { TokenRecord, TokenSecret } from '../catalog/catalog.ts';
import type { Authority } from '../domain/permissions.ts';
import type { Role } from '../domain/principal.ts';
import type { TokenKind } from '../domain/token-format.ts';
import { AuthorityInterner } from './authority-interner.ts';
import { DIGEST_BYTES, DigestTable } from './digest-table.ts';

/** What the hot path needs of a token: no strings to parse, grants already compiled. */
export interface IndexedToken {
  readonly id: number;
  readonly kind: TokenKind;
  readonly name: string;
  /** A management token's role; null for every other kind. */
  readonly role: Role | null;
  /** Epoch ms; Infinity when the token never expires. */
  readonly expiresAt: number;
  readonly authority: Authority;
}

export type Lookup =
  | { readonly status: 'found'; readonly token: IndexedToken; readonly retiresAt: number }
  | { status: 'revoked' }
  | { status: 'unknown' }
  /** The index holds only part of the catalog and has not seen this hash: ask the catalog. */
  | { status: 'miss' };

/** Stored as the lookup answer itself, so a hit allocates nothing. */
type SecretEntry = Extract<Lookup, { status: 'found' }>;

export interface TokenIndexOptions {
  /** Most secrets held; past it the index becomes a cache and misses go to the catalog. */
  maxEntries: number;
  /** Most remembered hashes of revoked or unknown tokens. */
  maxRemembered: number;
}

const FOUND_UNKNOWN: Lookup = { status: 'unknown' };
const FOUND_REVOKED: Lookup = { status: 'revoked' };
const MISS: Lookup = { status: 'miss' };

/**
 * The in-memory map from secret hash to token. Fed by the services (a change is visible to the very
 * next request on this node) and by the catalog change feed (other nodes). While it holds every
 * unrevoked token it is complete, and a miss is an unknown token without any catalog lookup.
 */
export class TokenIndex {
  /** Keyed by the raw SHA-512 bytes as a one-byte ('binary') string (see keyOf). */
  private readonly bySecret = new DigestTable<SecretEntry>();
  private readonly authorities = new AuthorityInterner();
  private readonly secretsOf = new Map<number, string[]>();
  /** Hashes of revoked tokens (to say "revoked", not "unknown") and, when incomplete, of unknown ones. */
  private readonly revoked = new Map<string, true>();
  private readonly unknown = new Map<string, true>();
  private completeness = true;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TokenIndexOptions) {}

  /**
   * Runs `work` alone among other `exclusive` calls. The change feed reads the catalog and applies
   * what it read inside one call, and the services apply their own commits inside another, so a
   * feed read taken just before a revoke can never be applied after it (resurrecting the token).
   */
  exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  get complete(): boolean {
    return this.completeness;
  }

  get size(): number {
    return this.bySecret.size;
  }

  /** Looks a presented token string up by its SHA-512, computed straight into the index's key form. */
  lookupToken(token: string): Lookup {
    return this.lookupKey(hash('sha512', token, 'binary'));
  }

  /** Looks a hex SHA-512 (the catalog's form) up. */
  lookup(hexHash: string): Lookup {
    return this.lookupKey(keyOf(hexHash));
  }

  private lookupKey(key: string): Lookup {
    const entry = this.bySecret.get(key);
    if (entry !== undefined) return entry;
    if (this.revoked.has(key)) return FOUND_REVOKED;
    if (this.completeness || this.unknown.has(key)) return FOUND_UNKNOWN;
    return MISS;
  }

  /** Adds or replaces a token with exactly these secrets. */
  put(token: TokenRecord, secrets: readonly TokenSecret[]): void {
    const hashes = secrets.map((secret) => storedKeyOf(secret.hash));
    // A secret this token no longer has was rotated away: it reads as revoked, not unknown.
    for (const old of this.secretsOf.get(token.id) ?? []) {
      if (!hashes.includes(old)) remember(this.revoked, old, this.options.maxRemembered);
    }
    this.drop(token.id, false);
    const indexed = toIndexed(token, this.authorities.intern(token.grants));
    for (const [i, secret] of secrets.entries()) {
      const key = hashes[i]!;
      this.bySecret.set(key, {
        status: 'found',
        token: indexed,
        retiresAt: secret.retiresAt ?? Number.POSITIVE_INFINITY,
      });
      this.revoked.delete(key);
      this.unknown.delete(key);
    }
    this.secretsOf.set(token.id, hashes);
    while (this.bySecret.size > this.options.maxEntries) this.evictOldest();
  }

  /** Forgets a token; its hashes are remembered as revoked. */
  revoke(tokenId: number): void {
    this.drop(tokenId, true);
  }

  /** Remembers hashes that no longer belong to a live secret (rotated away, revoked elsewhere). */
  rememberRevoked(hexHashes: Iterable<string>): void {
    for (const hexHash of hexHashes) remember(this.revoked, keyOf(hexHash), this.options.maxRemembered);
  }

  rememberUnknown(hexHash: string): void {
    remember(this.unknown, keyOf(hexHash), this.options.maxRemembered);
  }

  markIncomplete(): void {
    this.completeness = false;
  }

  has(tokenId: number): boolean {
    return this.secretsOf.has(tokenId);
  }

  private drop(tokenId: number, asRevoked: boolean): void {
    const hashes = this.secretsOf.get(tokenId);
    if (hashes === undefined) return;
    for (const hash of hashes) {
      this.bySecret.delete(hash);
      if (asRevoked) remember(this.revoked, hash, this.options.maxRemembered);
    }
    this.secretsOf.delete(tokenId);
  }

  private evictOldest(): void {
    const oldest = this.secretsOf.keys().next();
    if (oldest.done) return;
    this.drop(oldest.value, false);
    this.completeness = false;
  }
}

/**
 * Keys are the 64 raw digest bytes as a one-byte string: half the memory of hex, and cheaper to
 * hash and compare on the hot path.
 */
function keyOf(hexHash: string): string {
  return Buffer.from(hexHash, 'hex').toString('binary');
}

/** keyOf for a hash to store, checked before `put` changes anything: the table holds SHA-512 digests only. */
function storedKeyOf(hexHash: string): string {
  const key = keyOf(hexHash);
  if (key.length !== DIGEST_BYTES) throw new RangeError('a token secret hash must be a hex SHA-512');
  return key;
}

function remember(set: Map<string, true>, hash: string, max: number): void {
  set.delete(hash);
  set.set(hash, true);
  if (set.size > max) {
    const oldest = set.keys().next();
    if (!oldest.done) set.delete(oldest.value);
  }
}

function toIndexed(token: TokenRecord, authority: Authority): IndexedToken {
  return {
    id: token.id,
    kind: token.kind,
    name: token.name,
    role: token.role,
    expiresAt: token.expiresAt ?? Number.POSITIVE_INFINITY,
    authority,
  };
}
