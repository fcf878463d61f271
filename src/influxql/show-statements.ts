import type { MeasurementSchema } from '../storage/storage.ts';
import { byteOrder } from '../support/byte-order.ts';
import type { Expr, Source, Statement } from './ast.ts';
import { formatGoDuration } from './durations.ts';
import { nameMatcher } from './regex.ts';
import type { Series, StatementResult } from './result.ts';
import { type InfluxqlReader, matchingMeasurements } from './select-executor.ts';
import { conditionSql, type MeasurementScope } from './sql-expr.ts';
import { sqlIdent, sqlInstant, sqlString } from './sql-text.ts';
import { splitTimeRange, type TimeContext } from './time-condition.ts';

type Show<K extends Statement['kind']> = Extract<Statement, { kind: K }>;

const FIELD_TYPE_NAMES: Readonly<Record<string, string>> = {
  float: 'float',
  integer: 'integer',
  uinteger: 'unsigned',
  string: 'string',
  boolean: 'boolean',
};

/** `SHOW MEASUREMENTS [WITH MEASUREMENT = m | =~ /re/] [WHERE …] [LIMIT n] [OFFSET n]`. */
export async function showMeasurements(
  statement: Show<'show_measurements'>,
  reader: InfluxqlReader,
  ctx: TimeContext,
): Promise<StatementResult> {
  let measurements = await reader.schema();
  const filter = statement.measurement;
  if (filter !== undefined) {
    const matches = filter.op === '=~' ? nameMatcher(filter.regex) : (name: string) => name === filter.name;
    measurements = measurements.filter((measurement) => matches(measurement.name));
  }
  if (statement.condition !== undefined) {
    const kept: MeasurementSchema[] = [];
    for (const measurement of measurements) {
      const sql = `SELECT 1 FROM ${sqlIdent(measurement.name)}${where(statement.condition, measurement, ctx)} LIMIT 1`;
      if ((await reader.query(sql)).rows.length > 0) kept.push(measurement);
    }
    measurements = kept;
  }
  const names = page(
    measurements.map((measurement) => [measurement.name]),
    statement,
  );
  return { series: names.length === 0 ? [] : [stringSeries('measurements', ['name'], names)] };
}

/** `SHOW TAG KEYS [FROM …] [WHERE …]`: per measurement; with WHERE, the keys of the matching points. */
export async function showTagKeys(
  statement: Show<'show_tag_keys'>,
  reader: InfluxqlReader,
  ctx: TimeContext,
): Promise<StatementResult> {
  const series: Series[] = [];
  for (const measurement of await sourceMeasurements(statement.sources, reader)) {
    let keys = measurement.tags;
    if (statement.condition !== undefined && keys.length > 0) {
      const probes = keys.map((key, i) => `count(${sqlIdent(key)}) > 0 AS "k${i}"`);
      const sql = `SELECT ${probes.join(', ')} FROM ${sqlIdent(measurement.name)}${where(statement.condition, measurement, ctx)}`;
      const row = (await reader.query(sql)).rows[0] ?? [];
      keys = keys.filter((_, i) => row[i] === true);
    }
    const values = page(
      keys.map((key) => [key]),
      statement,
    );
    if (values.length > 0) series.push(stringSeries(measurement.name, ['tagKey'], values));
  }
  return { series };
}

/** `SHOW TAG VALUES [FROM …] WITH KEY = k | != k | =~ /re/ | !~ /re/ | IN (…) [WHERE …]`. */
export async function showTagValues(
  statement: Show<'show_tag_values'>,
  reader: InfluxqlReader,
  ctx: TimeContext,
): Promise<StatementResult> {
  const filter = statement.key;
  const wanted = (key: string): boolean => {
    switch (filter.op) {
      case '=':
        return key === filter.name;
      case '!=':
        return key !== filter.name;
      case 'IN':
        return filter.names.includes(key);
      case '=~':
        return nameMatcher(filter.regex)(key);
      case '!~':
        return !nameMatcher(filter.regex)(key);
    }
  };
  const series: Series[] = [];
  for (const measurement of await sourceMeasurements(statement.sources, reader)) {
    const keys = measurement.tags.filter(wanted);
    if (keys.length === 0) continue;
    const base = statement.condition === undefined ? '' : where(statement.condition, measurement, ctx);
    const parts = keys.map((key) => {
      const column = sqlIdent(key);
      const notNull = `${column} IS NOT NULL`;
      const clause = base === '' ? ` WHERE ${notNull}` : `${base} AND ${notNull}`;
      return `SELECT DISTINCT ${sqlString(key)} AS "key", ${column} AS "value" FROM ${sqlIdent(measurement.name)}${clause}`;
    });
    const sql = `SELECT "key", "value" FROM (${parts.join(' UNION ALL ')}) ORDER BY "key", "value"`;
    const rows = (await reader.query(sql)).rows.map((row) => [String(row[0]), String(row[1])]);
    const values = page(rows, statement);
    if (values.length > 0) series.push(stringSeries(measurement.name, ['key', 'value'], values));
  }
  return { series };
}

/** `SHOW FIELD KEYS [FROM …]`: names and types from the schema, with InfluxDB's type names. */
export async function showFieldKeys(
  statement: Show<'show_field_keys'>,
  reader: InfluxqlReader,
): Promise<StatementResult> {
  const series: Series[] = [];
  for (const measurement of await sourceMeasurements(statement.sources, reader)) {
    const values = page(
      measurement.fields.map((field) => [field.name, FIELD_TYPE_NAMES[field.type] ?? field.type]),
      statement,
    );
    if (values.length > 0) series.push(stringSeries(measurement.name, ['fieldKey', 'fieldType'], values));
  }
  return { series };
}

/** `SHOW DATABASES`: the names given (those the token may read), as InfluxDB lists them. */
export function showDatabases(names: readonly string[]): StatementResult {
  const sorted = [...names].sort(byteOrder).map((name) => [name]);
  return { series: sorted.length === 0 ? [] : [stringSeries('databases', ['name'], sorted)], shape: 'databases' };
}

/** `SHOW RETENTION POLICIES`: every database has the one policy `autogen`, lasting its retention period. */
export function showRetentionPolicies(database: string, retentionPeriodMs: number | null): StatementResult {
  const duration = formatGoDuration(BigInt(retentionPeriodMs ?? 0) * 1_000_000n);
  return {
    series: [
      {
        name: 'retention_policies',
        tags: [],
        columns: ['name', 'duration', 'default'],
        types: ['string', 'string', 'boolean'],
        values: [['autogen', duration, true]],
      },
    ],
    shape: 'retention_policies',
    database,
  };
}

async function sourceMeasurements(sources: readonly Source[], reader: InfluxqlReader): Promise<MeasurementSchema[]> {
  const schema = await reader.schema();
  if (sources.length === 0) return schema;
  const chosen = new Map<string, MeasurementSchema>();
  for (const source of sources)
    for (const measurement of matchingMeasurements(source, schema)) chosen.set(measurement.name, measurement);
  return [...chosen.values()].sort((a, b) => byteOrder(a.name, b.name));
}

function where(condition: Expr, measurement: MeasurementSchema, ctx: TimeContext): string {
  const scope: MeasurementScope = {
    name: measurement.name,
    tags: new Set(measurement.tags),
    fields: new Map(measurement.fields.map((field) => [field.name, field.type])),
  };
  const { range, rest } = splitTimeRange(condition, ctx);
  const parts: string[] = [];
  if (range.lower !== undefined) parts.push(`"time" >= ${sqlInstant(range.lower)}`);
  if (range.upper !== undefined) parts.push(`"time" <= ${sqlInstant(range.upper)}`);
  if (rest !== undefined) parts.push(conditionSql(rest, scope, ctx));
  return parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`;
}

function page<T>(rows: T[], statement: { limit?: number; offset?: number }): T[] {
  const from = statement.offset ?? 0;
  return rows.slice(from, statement.limit === undefined ? undefined : from + statement.limit);
}

function stringSeries(name: string, columns: string[], values: string[][]): Series {
  return { name, tags: [], columns, types: columns.map(() => 'string'), values };
}
