import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { auditHash, GENESIS_HASH, type HashedAuditColumns } from './audit-hash.ts';
import type {
  AuditChainPoint,
  AuditEntry,
  AuditProblemKind,
  AuditQuery,
  AuditRecord,
  AuditVerification,
  Catalog,
} from './catalog.ts';
import type { AuditHeadTable, AuditLogTable, CatalogSchema } from './schema.ts';

type Db = Kysely<CatalogSchema> | Transaction<CatalogSchema>;
type Row = Selectable<AuditLogTable>;

const VERIFY_PAGE = 1000;

/**
 * A token string (`fg?_…`, `apiv3_…`) or a hex digest as long as a token hash: never stored in an
 * entry, whoever built it. The services never put one there; this is the last guard.
 */
const SECRET_LIKE = /fg[oamd]_[0-9A-Za-z]{20,}|apiv3_[0-9A-Za-z_-]{16,}|\b[0-9a-f]{128}\b/g;

function scrubbed(details: Record<string, unknown>): string {
  return JSON.stringify(details ?? {}).replace(SECRET_LIKE, '[redacted]');
}

function columnsOf(entry: AuditEntry): HashedAuditColumns {
  const first = entry.firstAt ?? entry.at;
  return {
    at: entry.at,
    actor_token_id: entry.actorTokenId,
    actor_name: entry.actorName,
    actor_kind: entry.actorKind ?? null,
    action: entry.action,
    target_kind: entry.targetKind,
    target_id: entry.targetId,
    target_name: entry.targetName,
    outcome: entry.outcome,
    source_ip: entry.sourceIp,
    request_id: entry.requestId ?? null,
    count: entry.count ?? 1,
    first_at: first,
    last_at: entry.lastAt ?? entry.at,
    details: scrubbed(entry.details),
  };
}

/**
 * Locks the chain's head for the rest of the transaction. PostgreSQL: the row lock makes appends from
 * every node on the catalog take turns, so the chain never forks. SQLite: the write transaction
 * (BEGIN IMMEDIATE) already holds the file.
 */
async function lockHead(
  trx: Transaction<CatalogSchema>,
  dialect: Catalog['dialect'],
): Promise<Selectable<AuditHeadTable>> {
  let query = trx.selectFrom('audit_head').selectAll().where('id', '=', 1);
  if (dialect === 'postgres') query = query.forUpdate();
  const head = await query.executeTakeFirst();
  if (head !== undefined) return head;
  // The head row was deleted by hand: rebuild it from the newest entry (verify still sees the gap, if any).
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').executeTakeFirst();
  const rebuilt = { id: 1, seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH, anchor_seq: null, anchor_hash: null };
  await trx.insertInto('audit_head').values(rebuilt).execute();
  return rebuilt;
}

/** Appends entries to the chain, in order, inside the caller's transaction. */
export async function appendAuditRows(
  trx: Transaction<CatalogSchema>,
  dialect: Catalog['dialect'],
  entries: readonly AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const head = await lockHead(trx, dialect);
  let seq = Number(head.seq);
  let prev = head.hash;
  const rows = entries.map((entry) => {
    const columns = columnsOf(entry);
    const hash = auditHash(columns, prev);
    seq += 1;
    const row = { ...columns, seq, prev_hash: prev, hash };
    prev = hash;
    return row;
  });
  await trx.insertInto('audit_log').values(rows).execute();
  await trx.updateTable('audit_head').set({ seq, hash: prev }).where('id', '=', 1).execute();
}

export function toAuditRecord(row: Row): AuditRecord {
  return {
    id: row.id,
    seq: Number(row.seq),
    at: row.at,
    actorTokenId: row.actor_token_id,
    actorName: row.actor_name,
    actorKind: row.actor_kind,
    action: row.action,
    targetKind: row.target_kind as AuditRecord['targetKind'],
    targetId: row.target_id,
    targetName: row.target_name,
    outcome: row.outcome as AuditRecord['outcome'],
    sourceIp: row.source_ip,
    requestId: row.request_id,
    count: row.count,
    firstAt: row.first_at,
    lastAt: row.last_at,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Newest first, filtered. */
export async function listAuditRows(db: Db, options: AuditQuery): Promise<AuditRecord[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(options.limit);
  if (options.beforeSeq !== undefined) query = query.where('seq', '<', options.beforeSeq);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  if (options.since !== undefined) query = query.where('at', '>=', options.since);
  if (options.until !== undefined) query = query.where('at', '<=', options.until);
  if (options.outcome !== undefined) query = query.where('outcome', '=', options.outcome);
  const actor = options.actor;
  if (actor !== undefined) {
    query = /^\d{1,15}$/.test(actor)
      ? query.where((eb) => eb.or([eb('actor_token_id', '=', Number(actor)), eb('actor_name', '=', actor)]))
      : query.where('actor_name', '=', actor);
  }
  const action = options.action;
  if (action !== undefined) {
    if (action.endsWith('*')) {
      const prefix = action.slice(0, -1);
      // substr rather than LIKE: `_` in action names is a LIKE wildcard.
      if (prefix !== '') query = query.where(sql<string>`substr(action, 1, ${prefix.length})`, '=', prefix);
    } else {
      query = query.where('action', '=', action);
    }
  }
  return (await query.execute()).map(toAuditRecord);
}

/** The chain's rows in seq order from `afterSeq`, a page at a time. */
async function* rowsFrom(db: Db, afterSeq: number): AsyncGenerator<Row> {
  let after = afterSeq;
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(VERIFY_PAGE)
      .execute();
    for (const row of page) yield row;
    const last = page.at(-1);
    if (last === undefined || page.length < VERIFY_PAGE) return;
    after = Number(last.seq);
  }
}

function problem(row: Pick<Row, 'id' | 'seq'>, kind: AuditProblemKind, message: string) {
  return { seq: Number(row.seq), id: String(row.id), kind, message };
}

/**
 * Walks the chain in seq order from its anchor (or the start) and reports the first problem:
 * an entry that no longer matches its hash (`edited`), a broken link where entries are missing
 * (`removed`) or where the entry that belongs here comes later (`reordered`), and fewer entries than
 * the head says (`truncated`).
 */
export async function verifyAuditChain(db: Kysely<CatalogSchema>): Promise<AuditVerification> {
  // A prune that commits during the walk removes rows under it: start again from the new anchor.
  for (let attempt = 1; ; attempt++) {
    const head = await readHead(db);
    const report = await walkChain(db, head);
    if (report.ok || attempt === 3) return report;
    const now = await readHead(db);
    if (now?.anchor_seq === head?.anchor_seq) return report;
  }
}

function readHead(db: Kysely<CatalogSchema>): Promise<Selectable<AuditHeadTable> | undefined> {
  return db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirst();
}

/** One walk up to the head read before it: entries appended meanwhile are left to the next verify. */
async function walkChain(
  db: Kysely<CatalogSchema>,
  head: Selectable<AuditHeadTable> | undefined,
): Promise<AuditVerification> {
  const anchor: AuditChainPoint | null =
    head?.anchor_seq != null && head.anchor_hash !== null
      ? { seq: Number(head.anchor_seq), hash: head.anchor_hash }
      : null;
  const headPoint: AuditChainPoint | null =
    head && Number(head.seq) > 0 ? { seq: Number(head.seq), hash: head.hash } : null;
  const report = (checked: number, found?: AuditVerification['problem']): AuditVerification =>
    found === undefined
      ? { ok: true, checked, anchor, head: headPoint }
      : { ok: false, checked, anchor, head: headPoint, problem: found };

  let expectedSeq = (anchor?.seq ?? 0) + 1;
  let expectedPrev = anchor?.hash ?? GENESIS_HASH;
  let checked = 0;
  let last: Row | undefined;
  const headSeq = headPoint?.seq ?? 0;
  for await (const row of rowsFrom(db, anchor?.seq ?? 0)) {
    if (Number(row.seq) > headSeq) break;
    if (auditHash(row, row.prev_hash) !== row.hash)
      return report(checked, problem(row, 'edited', `entry ${row.id} does not match its hash: it was edited`));
    if (row.prev_hash !== expectedPrev) {
      const belongsHere = await db
        .selectFrom('audit_log')
        .select(['id', 'seq'])
        .where('prev_hash', '=', expectedPrev)
        .where('seq', '>', row.seq)
        .orderBy('seq')
        .executeTakeFirst();
      if (belongsHere !== undefined)
        return report(
          checked,
          problem(
            belongsHere,
            'reordered',
            `entry ${belongsHere.id} is out of order: it belongs at seq ${expectedSeq}, before entry ${row.id}, which follows it instead`,
          ),
        );
      const gap =
        Number(row.seq) > expectedSeq ? `entries seq ${expectedSeq}–${Number(row.seq) - 1}` : 'the entry before it';
      return report(
        checked,
        problem(row, 'removed', `entry ${row.id} does not follow the entry before it: ${gap} were removed or replaced`),
      );
    }
    if (Number(row.seq) !== expectedSeq)
      return report(
        checked,
        problem(row, 'edited', `entry ${row.id} has seq ${row.seq} where ${expectedSeq} was due: it was edited`),
      );
    checked += 1;
    expectedSeq += 1;
    expectedPrev = row.hash;
    last = row;
  }
  const reached = last === undefined ? (anchor?.seq ?? 0) : Number(last.seq);
  if (reached < headSeq)
    return report(
      checked,
      problem(
        { id: headSeq, seq: headSeq },
        'truncated',
        `the newest entries were removed: the chain ends at seq ${reached} but its head is seq ${headSeq}`,
      ),
    );
  if (last !== undefined && (reached > headSeq || last.hash !== headPoint?.hash))
    return report(
      checked - 1,
      problem(
        last,
        'edited',
        `entry ${last.id} is not the chain's recorded head: it was added or changed outside fluxgate`,
      ),
    );
  return report(checked);
}

/**
 * Deletes the entries older than `before`, from the oldest up to the first one that is not (so
 * nothing newer than the retention goes), and keeps the last deleted hash as the chain's anchor.
 */
export async function pruneAuditRows(
  trx: Transaction<CatalogSchema>,
  dialect: Catalog['dialect'],
  before: number,
): Promise<{ pruned: number; anchor: AuditChainPoint | null }> {
  const head = await lockHead(trx, dialect);
  const anchorSeq = head.anchor_seq === null ? 0 : Number(head.anchor_seq);
  const current = head.anchor_hash === null ? null : { seq: anchorSeq, hash: head.anchor_hash };
  const firstKept = await trx
    .selectFrom('audit_log')
    .select('seq')
    .where('seq', '>', anchorSeq)
    .where('at', '>=', before)
    .orderBy('seq')
    .executeTakeFirst();
  const cutoff = firstKept === undefined ? Number(head.seq) : Number(firstKept.seq) - 1;
  if (cutoff <= anchorSeq) return { pruned: 0, anchor: current };
  const lastPruned = await trx.selectFrom('audit_log').select('hash').where('seq', '=', cutoff).executeTakeFirst();
  if (lastPruned === undefined) return { pruned: 0, anchor: current };
  const deleted = await trx.deleteFrom('audit_log').where('seq', '<=', cutoff).executeTakeFirst();
  await trx
    .updateTable('audit_head')
    .set({ anchor_seq: cutoff, anchor_hash: lastPruned.hash })
    .where('id', '=', 1)
    .execute();
  return { pruned: Number(deleted.numDeletedRows), anchor: { seq: cutoff, hash: lastPruned.hash } };
}
