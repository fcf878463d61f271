import type { FieldType, LineError, ParsedLine, Point } from '../lineprotocol/types.ts';
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

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const NS_PER_MS = 1_000_000n;

export interface WriteRequest {
  points: ParsedLine[];
  defaultTimeNs: bigint;
  limits: DatabaseLimits;
  nowNs: bigint;
}

export interface DraftTable {
  schema: TableSchema;
  isNew: boolean;
  /** Columns the table has in the engine now; those after this index are added by the draft. */
  storedColumns: number;
  times: bigint[];
  points: Point[];
  /** The columns of the last point stored, all known to exist with these kinds. */
  shape?: Shape;
}

/**
 * The schema changes and rows of one transaction, checked point by point against the registry
 * and the limits: a point that conflicts is refused with a message and leaves no trace, the
 * others are kept. The registry itself is only changed by `applyTo`, after the commit.
 */
export class WriteDraft {
  private readonly tables = new Map<string, DraftTable>();
  private readonly keys = new Map<string, string>();
  private readonly seen = new Map<string, ColumnKind>();
  private added: ColumnSchema[] = [];
  private last: DraftTable | undefined;
  private newTables = 0;

  constructor(private readonly registry: ColumnRegistry) {}

  /** Tables with points to store, each with at least one. */
  get touchedTables(): DraftTable[] {
    return [...this.tables.values()];
  }

  plan(request: WriteRequest): WriteOutcome {
    const rejected: LineError[] = [];
    let written = 0;
    for (const line of request.points) {
      const problem = this.accept(line.point, request);
      if (problem === undefined) written++;
      else rejected.push({ lineNumber: line.lineNumber, originalLine: renderPointLine(line.point), message: problem });
    }
    return { written, rejected };
  }

  /** Makes the committed draft the registry's truth. */
  applyTo(registry: ColumnRegistry): void {
    for (const table of this.tables.values()) {
      const target = registry.ensureTable(table.schema.name);
      for (const column of table.schema.columns.slice(target.columns.length)) registry.addColumn(target, column);
    }
  }

  private key(name: string): string {
    let key = this.keys.get(name);
    if (key === undefined) {
      key = identifierKey(name);
      this.keys.set(name, key);
    }
    return key;
  }

  /** Returns why the point is refused, or stores it in the draft and returns undefined. */
  private accept(point: Point, request: WriteRequest): string | undefined {
    const timeNs = point.timestampNs ?? request.defaultTimeNs;
    if (timeNs < INT64_MIN || timeNs > INT64_MAX) return `timestamp ${timeNs} is outside the range that can be stored`;
    const retentionMs = request.limits.retentionPeriodMs;
    if (retentionMs !== null && timeNs < request.nowNs - BigInt(retentionMs) * NS_PER_MS) {
      return `point time ${formatTimestampNs(timeNs)} is outside the retention period of the database (${retentionMs} ms)`;
    }
    // Fast path: most points repeat the columns of the point before them.
    const last = this.last;
    if (last && last.schema.name === point.measurement && last.shape && sameShape(last.shape, point)) {
      const problem = fieldRanges(point);
      if (problem) return problem;
      last.times.push(timeNs);
      last.points.push(point);
      return undefined;
    }
    const problem = this.checkColumns(point, request.limits);
    if (problem) return problem;
    const table = this.draftTable(point.measurement);
    for (const column of this.added) {
      table.schema.columns.push(column);
      table.schema.byKey.set(this.key(column.name), column);
    }
    table.times.push(timeNs);
    table.points.push(point);
    table.shape = shapeOf(point);
    this.last = table;
    return undefined;
  }

  /** Checks names, kinds and limits; leaves the columns the point would add in `this.added`. */
  private checkColumns(point: Point, limits: DatabaseLimits): string | undefined {
    if (!validName(point.measurement)) return `measurement name '${point.measurement}' is not valid`;
    const existing = this.schemaOf(point.measurement);
    if (existing && existing.name !== point.measurement) {
      return `measurement '${point.measurement}' conflicts with table '${existing.name}': table names may not differ only in letter case`;
    }
    if (!existing && this.registry.size + this.newTables >= limits.maxTables) {
      return `table limit exceeded: the database allows at most ${limits.maxTables} tables and measurement '${point.measurement}' would add one`;
    }
    this.added = [];
    this.seen.clear();
    for (const [name] of point.tags) {
      const problem = this.checkColumn(existing, name, 'tag');
      if (problem) return problem;
    }
    for (const [name, value] of point.fields) {
      const problem = this.checkColumn(existing, name, value.type);
      if (problem) return problem;
    }
    const problem = fieldRanges(point);
    if (problem) return problem;
    const columnCount = (existing?.columns.length ?? 1) + this.added.length;
    if (columnCount > limits.maxColumnsPerTable) {
      return `column limit exceeded: table '${point.measurement}' may have at most ${limits.maxColumnsPerTable} columns (time, tags and fields) and this point needs ${columnCount}`;
    }
    return undefined;
  }

  private checkColumn(table: TableSchema | undefined, name: string, kind: ColumnKind): string | undefined {
    if (!validName(name)) return `column name '${name}' is not valid`;
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
      times: [],
      points: [],
    };
    if (!existing) this.newTables++;
    this.tables.set(key, table);
    return table;
  }
}

function validName(name: string): boolean {
  return name.length > 0 && !name.includes('\u0000');
}

function fieldRanges(point: Point): string | undefined {
  for (const [name, field] of point.fields) {
    if (field.type === 'integer' && (field.value < INT64_MIN || field.value > INT64_MAX)) {
      return `field '${name}' value ${field.value} is out of range for integer`;
    }
    if (field.type === 'uinteger' && (field.value < 0n || field.value > UINT64_MAX)) {
      return `field '${name}' value ${field.value} is out of range for uinteger`;
    }
  }
  return undefined;
}

export interface Shape {
  tags: string[];
  fields: string[];
  types: FieldType[];
}

function shapeOf(point: Point): Shape {
  return {
    tags: point.tags.map(([name]) => name),
    fields: point.fields.map(([name]) => name),
    types: point.fields.map(([, field]) => field.type),
  };
}

/** Whether the point writes exactly the columns of a shape already checked, in the same order. */
function sameShape(shape: Shape, point: Point): boolean {
  if (shape.tags.length !== point.tags.length || shape.fields.length !== point.fields.length) return false;
  for (let index = 0; index < shape.tags.length; index++) {
    if (shape.tags[index] !== point.tags[index]![0]) return false;
  }
  for (let index = 0; index < shape.fields.length; index++) {
    const [name, field] = point.fields[index]!;
    if (shape.fields[index] !== name || shape.types[index] !== field.type) return false;
  }
  return true;
}
