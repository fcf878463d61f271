import type { SelectStatement, Source, Statement } from './ast.ts';
import { InfluxqlError } from './errors.ts';
import type { StatementResult } from './result.ts';
import { executeSelect, explainSelect, type InfluxqlReader } from './select-executor.ts';
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

/** Statements that read one database: SELECT, EXPLAIN and the SHOW statements about its schema. */
export async function executeDatabaseStatement(
  statement: Statement,
  reader: InfluxqlReader,
  ctx: TimeContext,
): Promise<StatementResult> {
  switch (statement.kind) {
    case 'select':
      return withZone({ series: await executeSelect(statement, reader, ctx) }, statement);
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
    const series = await executeSelect(statement, reader, ctx);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    values.push(['series', String(series.length)]);
    values.push(['rows', String(series.reduce((sum, one) => sum + one.values.length, 0))]);
    values.push(['execution_time', `${elapsedMs.toFixed(3)}ms`]);
  }
  return {
    series: [{ name: 'explain', tags: [], columns: ['plan_type', 'plan'], types: ['string', 'string'], values }],
  };
}
