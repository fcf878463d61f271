import type { SelectStatement, Source, Statement } from './ast.ts';
import { InfluxqlError } from './errors.ts';
import type { SeriesPart, StatementResult } from './result.ts';
import { collectSeries, explainSelect, type InfluxqlReader, type SelectPlan, selectParts } from './select-executor.ts';
import { showFieldKeys, showMeasurements, showTagKeys, showTagValues } from './show-statements.ts';
import type { TimeContext } from './time-condition.ts';

/**
 * The database a statement names itself (`ON db`, `FROM db.rp.m`, `FROM db..m`), which wins over
 * the request's `db`. Several different ones in one statement are refused.
 */
export function statementDatabase(statement: Statement): string | undefined {
  switch (statement.kind) {
    case 'select':
      return sourcesDatabase(statement.sources);
    case 'explain':
      return sourcesDatabase(statement.statement.sources);
    case 'show_retention_policies':
    case 'show_measurements':
      return statement.database;
    case 'show_tag_keys':
    case 'show_tag_values':
    case 'show_field_keys':
      return statement.database ?? sourcesDatabase(statement.sources);
    default:
      return undefined;
  }
}

function sourcesDatabase(sources: readonly Source[]): string | undefined {
  const names = new Set<string>();
  const visit = (list: readonly Source[]) => {
    for (const source of list) {
      if (source.kind === 'subquery') visit(source.statement.sources);
      else if (source.database !== undefined) names.add(source.database);
    }
  };
  visit(sources);
  if (names.size > 1)
    throw new InfluxqlError(`a statement reads one database, but this one names ${[...names].join(', ')}`);
  return [...names][0];
}

/** A statement as it answers: a SELECT's series stream in parts, the others are small and whole. */
export type OpenedStatement =
  | { result: StatementResult }
  | { timezone?: string; parts: AsyncGenerator<SeriesPart>; plan: SelectPlan };

/** Opens a statement that reads one database: a SELECT starts streaming, the others run whole. */
export async function openDatabaseStatement(
  statement: Statement,
  reader: InfluxqlReader,
  ctx: TimeContext,
): Promise<OpenedStatement> {
  if (statement.kind !== 'select') return { result: await executeDatabaseStatement(statement, reader, ctx) };
  const plan: SelectPlan = {};
  const parts = selectParts(statement, reader, ctx, {}, 0, plan);
  return statement.timezone === undefined ? { parts, plan } : { parts, plan, timezone: statement.timezone };
}

/** Statements that read one database: SELECT, EXPLAIN and the SHOW statements about its schema. */
export async function executeDatabaseStatement(
  statement: Statement,
  reader: InfluxqlReader,
  ctx: TimeContext,
): Promise<StatementResult> {
  switch (statement.kind) {
    case 'select':
      return withZone({ series: await collectSeries(selectParts(statement, reader, ctx), reader.maxRows) }, statement);
    case 'explain':
      return explain(statement.statement, statement.analyze, reader, ctx);
    case 'show_measurements':
      return showMeasurements(statement, reader, ctx);
    case 'show_tag_keys':
      return showTagKeys(statement, reader, ctx);
    case 'show_tag_values':
      return showTagValues(statement, reader, ctx);
    case 'show_field_keys':
      return showFieldKeys(statement, reader);
    default:
      throw new Error(`${statement.kind} does not read a database`);
  }
}

function withZone(result: StatementResult, statement: SelectStatement): StatementResult {
  return statement.timezone === undefined ? result : { ...result, timezone: statement.timezone };
}

/** EXPLAIN lists the SQL each measurement runs; EXPLAIN ANALYZE also runs it and counts the rows. */
async function explain(
  statement: SelectStatement,
  analyze: boolean,
  reader: InfluxqlReader,
  ctx: TimeContext,
): Promise<StatementResult> {
  const plans = await explainSelect(statement, reader, ctx);
  const values: unknown[][] = plans.map((sql) => ['SQL', sql]);
  if (analyze) {
    const started = process.hrtime.bigint();
    let series = 0;
    let rows = 0;
    for await (const part of selectParts(statement, reader, ctx)) {
      if (!part.continues) series++;
      rows += part.values.length;
    }
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    values.push(['series', String(series)]);
    values.push(['rows', String(rows)]);
    values.push(['execution_time', `${elapsedMs.toFixed(3)}ms`]);
  }
  return {
    series: [{ name: 'explain', tags: [], columns: ['plan_type', 'plan'], types: ['string', 'string'], values }],
  };
}
