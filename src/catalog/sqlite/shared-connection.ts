import { resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { ChangeListeners } from '../change-listeners.ts';
import type { CatalogSchema } from '../schema.ts';

/**
 * Catalog instances of one process on the same file share one connection. better-sqlite3 blocks
 * the thread while it waits for a lock, so two connections of one process would stall each other
 * for the whole busy_timeout; one connection behind Kysely's mutex just takes turns. Sharing also
 * gives in-process change notification across instances. Other processes are not notified.
 */
interface SharedFile {
  ready: Promise<Kysely<CatalogSchema>>;
  members: Set<ChangeListeners>;
}

const byFile = new Map<string, SharedFile>();
const IN_MEMORY = ':memory:';

export interface SqliteHandle {
  db: Kysely<CatalogSchema>;
  listeners: ChangeListeners;
  /** Wakes the listeners of every instance on the file. */
  announce(): void;
  /** Leaves the file; the last instance to leave closes the connection. */
  release(): Promise<void>;
}

export async function acquireSqlite(
  file: string,
  connect: () => Promise<Kysely<CatalogSchema>>,
): Promise<SqliteHandle> {
  const key = file === IN_MEMORY ? undefined : resolve(file);
  let shared = key === undefined ? undefined : byFile.get(key);
  if (shared === undefined) {
    shared = { ready: connect(), members: new Set() };
    if (key !== undefined) byFile.set(key, shared);
  }
  const entry = shared;
  const listeners = new ChangeListeners();
  entry.members.add(listeners);
  const leave = () => {
    entry.members.delete(listeners);
    const last = entry.members.size === 0;
    if (last && key !== undefined && byFile.get(key) === entry) byFile.delete(key);
    return last;
  };
  let db: Kysely<CatalogSchema>;
  try {
    db = await entry.ready;
  } catch (error) {
    leave();
    throw error;
  }
  return {
    db,
    listeners,
    announce() {
      for (const member of entry.members) member.emit();
    },
    async release() {
      listeners.clear();
      if (leave()) await db.destroy();
    },
  };
}
