import type { LineBatch } from '../lineprotocol/line-batch.ts';
import type { TableBatch } from '../lineprotocol/table-batch.ts';
import { TIME_RANGE } from '../lineprotocol/timestamp.ts';
import type { LineError } from '../lineprotocol/types.ts';
import type { ColumnKind, DatabaseLimits, WriteOutcome } from '../storage.ts';
import {
  type ColumnRegistry,
  type ColumnSchema,
  describeKind,
  type TableSchema,
  TIME_COLUMN,
} from './column-registry.ts';
import { identifierKey } from './identifiers.ts';
import { renderPointLine } from './point-line.ts';
import { formatTimestampNs } from './result-values.ts';

const NS_PER_MS = 1_000_000n;
const ACCEPTED = 1;

export interface WriteRequest {
  batch: LineBatch;
  defaultTimeNs: bigint;
  limits: DatabaseLimits;
  nowNs: bigint;
  /** One refused point refuses the request: it leaves nothing in the draft. */
  atomic: boolean;
}

interface DraftMark {
  newTables: number;
  tables: Map<DraftTable, { columns: number; blocks: number }>;
}

/** The rows of one request's table batch that are stored. */
export interface DraftBlock {
  source: TableBatch;
  /** 1 for each stored row; null when every row is stored. */
  accepted: Uint8Array | null;
  acceptedCount: number;
}

export interface DraftTable {
  schema: TableSchema;
  isNew: boolean;
  /** Columns the table has in the engine now; those after this index are added by the draft. */
  storedColumns: number;
  blocks: DraftBlock[];
}

interface ShapeCheck {
  source: TableBatch;
  shape: number;
  firstLine: number;
}

/**
 * The schema changes and rows of one transaction, checked against the registry and the limits as
 * if point by point in line order: a point that conflicts is refused with a message and leaves no
 * trace, the others are kept. Rows that write the same columns (a shape) share one check, made
 * where the shape's first storable row is: a shape's verdict never changes later, since columns
 * are only added and never change kind. The registry itself is only changed by `applyTo`, after
 * the commit.
 */
export class WriteDraft {
  private readonly tables = new Map<string, DraftTable>();
  private readonly keys = new Map<string, string>();
  private readonly seen = new Map<string, ColumnKind>();
  private added: ColumnSchema[] = [];
  private newTables = 0;

  constructor(private readonly registry: ColumnRegistry) {}

  /** Tables with points to store, each with at least one. */
  get touchedTables(): DraftTable[] {
    return [...this.tables.values()];
  }

  plan(request: WriteRequest): WriteOutcome {
    return this.planBlocks(request).outcome;
  }

  /** `plan`, also returning the blocks of rows it stores for the request (none when refused whole). */
  planBlocks(request: WriteRequest): { outcome: WriteOutcome; blocks: DraftBlock[] } {
    const mark = request.atomic ? this.mark() : undefined;
    const blocks: DraftBlock[] = [];
    const outcome = this.planPoints(request, blocks);
    if (mark === undefined || outcome.rejected.length === 0) return { outcome, blocks };
    this.rollBack(mark);
    return { outcome: { written: 0, rejected: outcome.rejected }, blocks: [] };
  }

  private mark(): DraftMark {
    const tables = new Map<DraftTable, { columns: number; blocks: number }>();
    for (const table of this.tables.values()) {
      tables.set(table, { columns: table.schema.columns.length, blocks: table.blocks.length });
    }
    return { newTables: this.newTables, tables };
  }

  /** Undoes everything planned since `mark`: tables, columns and rows. */
  private rollBack(mark: DraftMark): void {
    for (const [key, table] of [...this.tables]) {
      const before = mark.tables.get(table);
      if (before === undefined) {
        this.tables.delete(key);
        continue;
      }
      for (const column of table.schema.columns.splice(before.columns))
        table.schema.byKey.delete(this.key(column.name));
      table.blocks.length = before.blocks;
    }
    this.newTables = mark.newTables;
  }

  private planPoints(request: WriteRequest, planned: DraftBlock[]): WriteOutcome {
    const rejected: LineError[] = [];
    const refuse = (source: TableBatch, row: number, message: string) =>
      rejected.push({
        lineNumber: source.lineNumbers[row]!,
        originalLine: renderPointLine(source.pointAt(row)),
        message,
      });
    const timeVerdicts = request.batch.tables.map((source) => this.checkTimes(source, request, refuse));
    const shapeVerdicts = this.checkShapes(request.batch.tables, timeVerdicts, request.limits);
    let written = 0;
    request.batch.tables.forEach((source, index) => {
      const accepted = timeVerdicts[index]!;
      const verdicts = shapeVerdicts.get(source)!;
      const fieldProblems = source.fieldProblems.size > 0 ? source.fieldProblems : undefined;
      let acceptedCount = 0;
      for (let row = 0; row < source.rowCount; row++) {
        if (accepted[row] !== ACCEPTED) continue;
        const problem = verdicts[source.shapeOfRow[row]!] ?? fieldProblems?.get(row);
        if (problem === undefined) {
          acceptedCount++;
          continue;
        }
        accepted[row] = 0;
        refuse(source, row, problem);
      }
      if (acceptedCount === 0) return;
      const table = this.tables.get(this.key(source.measurement))!;
      const block = { source, accepted: acceptedCount === source.rowCount ? null : accepted, acceptedCount };
      table.blocks.push(block);
      planned.push(block);
      written += acceptedCount;
    });
    rejected.sort((a, b) => a.lineNumber - b.lineNumber);
    return { written, rejected };
  }

  /** Makes the committed draft the registry's truth. */
  applyTo(registry: ColumnRegistry): void {
    adoptTables(registry, this.tables.values());
  }

  /** Fills in default times; returns 1 for each row whose time can be stored, refusing the others. */
  private checkTimes(
    source: TableBatch,
    request: WriteRequest,
    refuse: (source: TableBatch, row: number, message: string) => void,
  ): Uint8Array {
    const accepted = new Uint8Array(source.rowCount).fill(ACCEPTED);
    const times = source.times;
    for (const row of source.missingTimes) times[row] = request.defaultTimeNs;
    for (const [row, timeNs] of source.unstorableTimes) {
      accepted[row] = 0;
      refuse(source, row, `timestamp ${timeNs} is out of range (${TIME_RANGE})`);
    }
    const retentionMs = request.limits.retentionPeriodMs;
    if (retentionMs === null) return accepted;
    const cutoff = request.nowNs - BigInt(retentionMs) * NS_PER_MS;
    for (let row = 0; row < source.rowCount; row++) {
      if (accepted[row] !== ACCEPTED || times[row]! >= cutoff) continue;
      accepted[row] = 0;
      refuse(
        source,
        row,
        `point time ${formatTimestampNs(times[row]!)} is outside the retention period of the database (${retentionMs} ms)`,
      );
    }
    return accepted;
  }

  /** The verdict on each shape (undefined: stored), checked in the order their first storable rows come. */
  private checkShapes(
    sources: TableBatch[],
    timeVerdicts: Uint8Array[],
    limits: DatabaseLimits,
  ): Map<TableBatch, Array<string | undefined>> {
    const checks: ShapeCheck[] = [];
    const verdicts = new Map<TableBatch, Array<string | undefined>>();
    /** Per source, 1 for each shape placed by a storable row (checked in line order below). */
    const placed = new Map<TableBatch, Uint8Array>();
    sources.forEach((source, index) => {
      verdicts.set(source, new Array<string | undefined>(source.shapes.length));
      const accepted = timeVerdicts[index]!;
      const found = new Uint8Array(source.shapes.length);
      placed.set(source, found);
      let remaining = source.shapes.length;
      for (let row = 0; row < source.rowCount && remaining > 0; row++) {
        const shape = source.shapeOfRow[row]!;
        // A row refused for its field values leaves no trace either, so it does not place its shape.
        if (accepted[row] !== ACCEPTED || found[shape] === 1 || source.fieldProblems.has(row)) continue;
        found[shape] = 1;
        remaining--;
        checks.push({ source, shape, firstLine: source.lineNumbers[row]! });
      }
    });
    checks.sort((a, b) => a.firstLine - b.firstLine);
    for (const { source, shape } of checks) verdicts.get(source)![shape] = this.checkShape(source, shape, limits);
    // A shape whose every row carries a field problem is checked only when those rows are refused.
    for (const source of sources) {
      const list = verdicts.get(source)!;
      const found = placed.get(source)!;
      source.shapes.forEach((_, shape) => {
        if (found[shape] !== 1) list[shape] = this.checkShape(source, shape, limits, false);
      });
    }
    return verdicts;
  }

  /** Returns why a shape's rows are refused, or adds its columns to the draft (if `adopt`) and returns undefined. */
  private checkShape(source: TableBatch, shape: number, limits: DatabaseLimits, adopt = true): string | undefined {
    const problem = this.checkColumns(source, shape, limits);
    if (problem !== undefined || !adopt) return problem;
    const table = this.draftTable(source.measurement);
    for (const column of this.added) {
      table.schema.columns.push(column);
      table.schema.byKey.set(this.key(column.name), column);
    }
    return undefined;
  }

  private key(name: string): string {
    let key = this.keys.get(name);
    if (key === undefined) {
      key = identifierKey(name);
      this.keys.set(name, key);
    }
    return key;
  }

  /** Checks names, kinds and limits; leaves the columns the shape would add in `this.added`. */
  private checkColumns(source: TableBatch, shape: number, limits: DatabaseLimits): string | undefined {
    const measurement = source.measurement;
    const badMeasurement = nameProblem('measurement name', measurement);
    if (badMeasurement !== undefined) return badMeasurement;
    const existing = this.schemaOf(measurement);
    if (existing && existing.name !== measurement) {
      return `measurement '${measurement}' conflicts with table '${existing.name}': table names may not differ only in letter case`;
    }
    if (!existing && this.registry.size + this.newTables >= limits.maxTables) {
      return `table limit exceeded: the database allows at most ${limits.maxTables} tables and measurement '${measurement}' would add one`;
    }
    this.added = [];
    this.seen.clear();
    for (const id of source.shapes[shape]!.columns) {
      const column = source.columns[id]!;
      const problem = this.checkColumn(existing, column.name, column.kind);
      if (problem) return problem;
    }
    const columnCount = (existing?.columns.length ?? 1) + this.added.length;
    if (columnCount > limits.maxColumnsPerTable) {
      return `column limit exceeded: table '${measurement}' may have at most ${limits.maxColumnsPerTable} columns (time, tags and fields) and this point needs ${columnCount}`;
    }
    return undefined;
  }

  private checkColumn(table: TableSchema | undefined, name: string, kind: ColumnKind): string | undefined {
    const badName = nameProblem(kind === 'tag' ? 'tag key' : 'field key', name);
    if (badName !== undefined) return badName;
    const key = this.key(name);
    if (key === TIME_COLUMN) return `column '${name}' is the timestamp and cannot be written as ${describeKind(kind)}`;
    const twin = this.seen.get(key);
    if (twin !== undefined) {
      return `column '${name}' is written twice in this point, as ${describeKind(twin)} and as ${describeKind(kind)}`;
    }
    this.seen.set(key, kind);
    const column = table?.byKey.get(key);
    if (!column) {
      this.added.push({ name, kind });
      return undefined;
    }
    if (column.name !== name) {
      return `column '${name}' conflicts with column '${column.name}' of table '${table?.name}': column names may not differ only in letter case`;
    }
    if (column.kind !== kind) {
      return `column '${name}' of table '${table?.name}' is ${describeKind(column.kind)}, but this point writes it as ${describeKind(kind)}`;
    }
    return undefined;
  }

  private schemaOf(measurement: string): TableSchema | undefined {
    return this.tables.get(this.key(measurement))?.schema ?? this.registry.get(measurement);
  }

  /** The draft's own copy of a table's schema, so refused points and rollbacks leave the registry alone. */
  private draftTable(name: string): DraftTable {
    const key = this.key(name);
    const drafted = this.tables.get(key);
    if (drafted) return drafted;
    const existing = this.registry.get(name);
    const time: ColumnSchema = { name: TIME_COLUMN, kind: 'time' };
    const schema: TableSchema = existing
      ? { name: existing.name, columns: [...existing.columns], byKey: new Map(existing.byKey) }
      : { name, columns: [time], byKey: new Map([[TIME_COLUMN, time]]) };
    const table: DraftTable = {
      schema,
      isNew: !existing,
      storedColumns: existing ? existing.columns.length : 0,
      blocks: [],
    };
    if (!existing) this.newTables++;
    this.tables.set(key, table);
    return table;
  }
}

/** Makes committed draft tables the registry's truth: their columns after the registry's are added. */
export function adoptTables(registry: ColumnRegistry, tables: Iterable<DraftTable>): void {
  for (const table of tables) {
    const target = registry.ensureTable(table.schema.name);
    for (const column of table.schema.columns.slice(target.columns.length)) registry.addColumn(target, column);
  }
}

/**
 * The tables of consecutive logged records (each its draft's `touchedTables`, planned against the
 * logged schema), combined into one apply against `registry`, the schema of what is applied. Since
 * the logged schema only changes by logged records, in log order, and the applied one by applying
 * them in the same order, `registry` is the logged schema as it was before the first of them: each
 * table's columns in `registry` are a prefix of its columns in any later record, the last record
 * touching a table has all the columns the others need, and planning the points again would
 * refuse nothing and store the same rows.
 */
export function combineTables(registry: ColumnRegistry, records: Iterable<readonly DraftTable[]>): DraftTable[] {
  const combined = new Map<string, DraftTable>();
  for (const tables of records) {
    for (const table of tables) {
      const key = identifierKey(table.schema.name);
      const stored = registry.get(table.schema.name);
      let entry = combined.get(key);
      if (entry === undefined) {
        entry = {
          schema: table.schema,
          isNew: stored === undefined,
          storedColumns: stored?.columns.length ?? 0,
          blocks: [],
        };
        combined.set(key, entry);
      }
      entry.schema = table.schema;
      entry.blocks.push(...table.blocks);
    }
  }
  return [...combined.values()];
}

/** Names longer than this many UTF-8 bytes are refused (InfluxDB caps a whole series key at 65,535). */
export const MAX_NAME_BYTES = 512;

/** InfluxDB's rules for measurement names, tag keys and field keys (printable text), plus a length cap. */
function nameProblem(what: string, name: string): string | undefined {
  if (name.length === 0) return `${what} is empty`;
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  // A UTF-16 unit is at most 3 UTF-8 bytes, so only long names need counting.
  if (name.length > MAX_NAME_BYTES / 3 && Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    return `${what} '${shown}' is longer than ${MAX_NAME_BYTES} bytes`;
  }
  const control = controlCharacter(name);
  if (control !== undefined) {
    const code = control.toString(16).toUpperCase().padStart(4, '0');
    return `${what} '${JSON.stringify(shown).slice(1, -1)}' contains the control character U+${code}`;
  }
  return undefined;
}

/** The first C0 or C1 control character of `name` (U+0000–U+001F, U+007F–U+009F), if any. */
function controlCharacter(name: string): number | undefined {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return c;
  }
  return undefined;
}
