import { FluxgateError } from '../../domain/errors.ts';
import type { StorageCapability, StorageDatabase } from '../storage.ts';

/**
 * What every upstream adapter keeps about the databases it has served: their upstream names (a
 * drop gets only an id) and the writes still in flight (a drop waits for them first).
 */
export class UpstreamBookkeeping {
  private readonly names = new Map<number, string>();
  private readonly writing = new Map<number, Set<Promise<unknown>>>();

  constructor(
    /** The upstream name of a database id not met yet (the catalog's mapping). */
    private readonly lookupName?: (dbId: number) => Promise<string | undefined>,
  ) {}

  /** The database's name upstream, remembered for a later drop. */
  nameOf(db: StorageDatabase): string {
    const name = db.upstreamName ?? db.name;
    this.names.set(db.id, name);
    return name;
  }

  /** `work`'s result, with `work` counted as a write in flight on `dbId` until it settles. */
  async tracked<T>(dbId: number, work: Promise<T>): Promise<T> {
    const inFlight = this.writing.get(dbId) ?? new Set();
    this.writing.set(dbId, inFlight);
    inFlight.add(work);
    try {
      return await work;
    } finally {
      inFlight.delete(work);
      if (inFlight.size === 0) this.writing.delete(dbId);
    }
  }

  /** Once the writes in flight on `dbId` have settled: its upstream name, if it is known anywhere. */
  async forDrop(dbId: number): Promise<string | undefined> {
    const inFlight = this.writing.get(dbId);
    if (inFlight !== undefined) await Promise.allSettled([...inFlight]);
    return this.names.get(dbId) ?? (await this.lookupName?.(dbId));
  }
}

/** The 501 of a capability an upstream does not give a gateway, naming it and the upstream. */
export function absentCapability(capability: StorageCapability, what: string, upstream: string): FluxgateError {
  return new FluxgateError(
    'STORAGE_CAPABILITY_ABSENT',
    `${what} is not available in gateway mode: ${upstream} does not provide it to fluxgate`,
    { capability },
  );
}
