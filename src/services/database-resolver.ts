import type { DatabaseRecord } from '../catalog/catalog.ts';
import type { StorageDatabase } from '../storage/storage.ts';

export function toStorageDatabase(record: DatabaseRecord): StorageDatabase {
  return {
    id: record.id,
    name: record.name,
    upstreamName: record.upstreamName,
    limits: {
      maxTables: record.maxTables,
      maxColumnsPerTable: record.maxColumnsPerTable,
      retentionPeriodMs: record.retentionPeriodMs,
    },
  };
}
