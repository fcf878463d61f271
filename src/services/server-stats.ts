import type { Principal } from '../auth/principal.ts';
import type { Storage } from '../storage/storage.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import type { DatabaseOwnership } from './database-ownership.ts';
import { toStorageDatabase } from './database-resolver.ts';
import type { DatabaseService } from './database-service.ts';
import type { MinuteCounts, RequestOutcomes } from './request-outcomes.ts';
import type { SystemService } from './system-service.ts';

export interface DatabaseStats {
  id: number;
  name: string;
  /** Bytes on disk; null when the storage cannot tell (gateway mode). */
  sizeBytes: number | null;
  points: number;
  tables: number;
}

export interface ServerStatsDeps {
  databases: DatabaseService;
  directory: DatabaseDirectory;
  storage: Storage;
  system: SystemService;
  outcomes: RequestOutcomes;
  /** Databases whose files another node holds are not measured here. */
  ownership?: DatabaseOwnership;
}

/**
 * What the console's Overview pictures: each database's size and point count, and this node's
 * requests per minute by outcome. Each reading is allowed exactly as its source is: the databases
 * the principal may list, and the counters to whoever may read /metrics.
 */
export class ServerStats {
  constructor(private readonly deps: ServerStatsDeps) {}

  async databaseStats(principal: Principal): Promise<DatabaseStats[]> {
    const visible = await this.deps.databases.listDatabases(principal);
    const stats: DatabaseStats[] = [];
    for (const view of visible) {
      const record = this.deps.directory.byIdOf(view.id);
      if (record === undefined || !(this.deps.ownership?.isHere(record) ?? true)) continue;
      const db = toStorageDatabase(record);
      const tables = await this.deps.storage.schema(db);
      let points = 0;
      for (const table of tables) {
        const result = await this.deps.storage.query(
          db,
          `SELECT count(*) AS n FROM "${table.name.replaceAll('"', '""')}"`,
        );
        points += Number(result.rows[0]?.[0] ?? 0);
      }
      stats.push({
        id: view.id,
        name: view.name,
        sizeBytes: this.deps.storage.absent.has('diskUsage') ? null : await this.deps.storage.diskUsage(db),
        points,
        tables: tables.length,
      });
    }
    return stats;
  }

  requestsPerMinute(principal: Principal): MinuteCounts[] {
    this.deps.system.checkAccess(principal, 'metrics');
    return this.deps.outcomes.lastHour();
  }
}
