import type { ClusterIdentity } from '../../catalog/catalog.ts';
import { toRfc3339 } from '../../domain/durations.ts';
import { fail } from '../../domain/errors.ts';
import { retentionMsToNs } from '../../domain/retention-period.ts';
import type { RetentionInput } from '../../services/database-input.ts';
import type { DatabaseView, FieldNames } from '../../services/database-service.ts';

/** What the v0 API calls the fields in its errors. */
export const V0_DATABASE_FIELDS: FieldNames = {
  target: 'databaseName',
  name: 'name',
  maxTables: 'maxTables',
  maxColumnsPerTable: 'maxColumnsPerTable',
  retentionPeriod: 'retentionPeriod',
};

/** A database as the Management API shows it: camelCase, RFC3339, the retention period in nanoseconds. */
export function databaseJson(db: DatabaseView, ids: ClusterIdentity) {
  return {
    accountId: ids.accountId,
    clusterId: ids.clusterId,
    id: db.id,
    name: db.name,
    maxTables: db.maxTables,
    maxColumnsPerTable: db.maxColumnsPerTable,
    retentionPeriod: retentionMsToNs(db.retentionPeriodMs),
    status: db.status,
    createdAt: toRfc3339(db.createdAt),
    ...(db.deletedAt === null ? {} : { deletedAt: toRfc3339(db.deletedAt) }),
    ...(db.purgeAt === null ? {} : { purgeAt: toRfc3339(db.purgeAt) }),
  };
}

/** `retentionPeriod` as sent: integer nanoseconds (the originals' form) or influxctl's syntax (`30d`, `2.5d`, `0s`). */
export function retentionPeriodInput(value: number | string | undefined): RetentionInput | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? { ns: value } : { text: value, syntax: 'influxctl' };
}

/** fluxgate does not partition tables, so only an absent or empty `partitionTemplate` is accepted. */
export function refusePartitionTemplate(value: unknown): void {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return;
  fail('INVALID_INPUT', 'partitionTemplate: fluxgate does not partition tables by template; leave it out or send []', {
    field: 'partitionTemplate',
  });
}

/** The `{databaseId}` of an undelete: the numeric id, as the originals take it. */
export function databaseIdParam(text: string): number {
  const id = /^[0-9]{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) {
    fail('INVALID_INPUT', `databaseId '${text.slice(0, 40)}' is not a database id (a positive whole number)`, {
      field: 'databaseId',
    });
  }
  return id;
}
