import { FluxgateError } from '../domain/errors.ts';
import { INTERNAL_DATABASE } from '../domain/names.ts';
import type { SelectStatement, Source, Statement } from './ast.ts';
import { InfluxqlError, outsideInfluxql3 } from './errors.ts';
import { printStatement } from './printer.ts';
import { statementDatabase } from './statements.ts';

/** What one principal's InfluxQL may reach on an upstream InfluxDB 1.x. */
export interface ConfinementScope {
  /** The request's `db` ('' for none): the database of a statement that names none. */
  defaultDatabase: string;
  /** The databases the principal may read, by fluxgate name, each with its database name upstream. */
  readable: ReadonlyMap<string, string>;
}

/** A statement rewritten to read one upstream database and nothing else. */
export type ConfinedStatement =
  | {
      kind: 'upstream';
      /** The fluxgate database it reads. */
      database: string;
      /** That database's name upstream; every reference in `statement` names it. */
      upstreamDatabase: string;
      statement: Statement;
      /** `statement` as InfluxQL, to send upstream. */
      text: string;
    }
  /** `SHOW DATABASES`: fluxgate answers it from its catalog, listing only what the principal may read. */
  | { kind: 'local'; statement: Statement };

/**
 * Confines one parsed statement to a single database the principal may read, for an upstream that
 * runs InfluxQL itself. Every measurement reference (`m`, `rp.m`, `db..m`, `db.rp.m`, regexes, in
 * subqueries too) and every `ON db` is rewritten to the one upstream database name, retention
 * policy dropped (fluxgate has one per database, as InfluxDB 3); a statement naming a database the
 * principal may not read, or several, or reaching server state (users, stats, queries, writes,
 * schema changes) is refused with QUERY_REJECTED or INVALID_INPUT before anything is sent.
 */
export function confineStatement(statement: Statement, scope: ConfinementScope): ConfinedStatement {
  if (statement.kind === 'unsupported') {
    throw new FluxgateError('QUERY_REJECTED', outsideInfluxql3(statement.name));
  }
  if (statement.kind === 'show_databases') return { kind: 'local', statement };
  let named: string | undefined;
  try {
    named = statementDatabase(statement);
  } catch (error) {
    if (error instanceof InfluxqlError) throw new FluxgateError('INVALID_INPUT', error.message);
    throw error;
  }
  if (named !== undefined && 'sources' in statement) {
    // `SHOW TAG KEYS ON a FROM b..m`: `ON` wins for fluxgate, but upstream the source's database would.
    const other = sourceDatabases(statement.sources).find((name) => name !== named);
    if (other !== undefined) {
      throw new FluxgateError('INVALID_INPUT', `a statement reads one database, but this one names ${named}, ${other}`);
    }
  }
  const database = named ?? scope.defaultDatabase;
  if (database === '') {
    throw new FluxgateError(
      'INVALID_INPUT',
      "database name required: give the 'db' parameter or name the database in the query",
    );
  }
  const upstreamDatabase = scope.readable.get(database);
  if (upstreamDatabase === undefined || database === INTERNAL_DATABASE) {
    throw new FluxgateError('QUERY_REJECTED', `the query may not read database ${JSON.stringify(database)}`);
  }
  if (upstreamDatabase === '' || upstreamDatabase === INTERNAL_DATABASE) {
    // The upstream's own monitoring database is server state, whatever a mapping says.
    throw new FluxgateError('QUERY_REJECTED', `database ${JSON.stringify(database)} has no readable upstream database`);
  }
  const confined = rewrite(structuredClone(statement), upstreamDatabase);
  return { kind: 'upstream', database, upstreamDatabase, statement: confined, text: printStatement(confined) };
}

function sourceDatabases(sources: readonly Source[]): string[] {
  return sources.flatMap((source) =>
    source.kind === 'subquery'
      ? sourceDatabases(source.statement.sources)
      : source.database === undefined
        ? []
        : [source.database],
  );
}

function rewrite(statement: Statement, upstream: string): Statement {
  switch (statement.kind) {
    case 'select':
      rewriteSelect(statement, upstream);
      return statement;
    case 'explain':
      rewriteSelect(statement.statement, upstream);
      return statement;
    case 'show_retention_policies':
    case 'show_measurements':
      statement.database = upstream;
      return statement;
    case 'show_tag_keys':
    case 'show_tag_values':
    case 'show_field_keys':
      statement.database = upstream;
      rewriteSources(statement.sources, upstream);
      return statement;
    default:
      throw new Error(`${statement.kind} is not confined here`);
  }
}

function rewriteSelect(select: SelectStatement, upstream: string): void {
  rewriteSources(select.sources, upstream);
}

function rewriteSources(sources: Source[], upstream: string): void {
  for (const source of sources) {
    if (source.kind === 'subquery') {
      rewriteSelect(source.statement, upstream);
      continue;
    }
    source.database = upstream;
    delete source.retentionPolicy;
  }
}
