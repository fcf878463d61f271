import { createHash } from 'node:crypto';

/** The `prevHash` of the first entry of a chain that has never been pruned. */
export const GENESIS_HASH = '0'.repeat(64);

/** The columns of an audit row that its hash covers (everything but its id and its seq). */
export interface HashedAuditColumns {
  at: number;
  actor_token_id: number | null;
  actor_name: string | null;
  actor_kind: string | null;
  action: string;
  target_kind: string;
  target_id: number | null;
  target_name: string | null;
  outcome: string;
  source_ip: string | null;
  request_id: string | null;
  count: number;
  first_at: number;
  last_at: number;
  /** JSON text, exactly as stored. */
  details: string;
}

/**
 * SHA-256 (hex) over a canonical encoding of the entry and the hash before it: a JSON array in a
 * fixed order, with a version tag. The position (seq) is left out on purpose, so moving an entry
 * shows as a broken link (`reordered`) rather than as an edit of the entry itself.
 */
export function auditHash(row: HashedAuditColumns, prevHash: string): string {
  const canonical = JSON.stringify([
    'fluxgate-audit-v1',
    num(row.at),
    nullableNum(row.actor_token_id),
    row.actor_name,
    row.actor_kind,
    row.action,
    row.target_kind,
    nullableNum(row.target_id),
    row.target_name,
    row.outcome,
    row.source_ip,
    row.request_id,
    num(row.count),
    num(row.first_at),
    num(row.last_at),
    row.details,
    prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

// PostgreSQL hands bigint back as a number on the catalog's connections, but a string elsewhere (a tamper test).
const num = (value: number | string): number => Number(value);
const nullableNum = (value: number | string | null): number | null => (value === null ? null : Number(value));
