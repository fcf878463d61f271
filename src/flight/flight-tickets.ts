import { FluxgateError, fail } from '../domain/errors.ts';
import { decodeAny, FLIGHT_SQL, statementHandleOf, statementQueryOf } from './flight-messages.ts';

/** What a DoGet asks for, whichever way the client wrote it. */
export interface FlightQuery {
  database: string;
  query: string;
  language: 'sql' | 'influxql';
  params?: Record<string, unknown>;
}

/** gRPC metadata as the handlers see it: lower-case keys, the first value of each. */
export type MetadataReader = (key: string) => string | undefined;

const DATABASE_KEYS = ['database', 'namespace_name', 'bucket', 'bucket-name'] as const;
const DATABASE_HEADERS = ['database', 'bucket', 'bucket-name', 'iox-namespace-name'] as const;

/**
 * Reads a ticket: InfluxDB 3's JSON (`{"database","sql_query","query_type","params"}`, the database
 * also as `namespace_name`, `bucket` or `bucket-name`, a missing `query_type` meaning SQL), or a
 * Flight SQL `TicketStatementQuery` (ours, from GetFlightInfo) or `CommandStatementQuery` (the
 * database then comes from the `database` header).
 */
export function readTicket(ticket: Buffer, metadata: MetadataReader): FlightQuery {
  const text = ticket.toString('utf8');
  if (text.trimStart().startsWith('{')) return jsonTicket(text);
  const any = decodeAny(ticket);
  if (any?.typeUrl === `${FLIGHT_SQL}TicketStatementQuery`)
    return jsonTicket(statementHandleOf(any.value).toString('utf8'));
  if (any?.typeUrl === `${FLIGHT_SQL}CommandStatementQuery`) {
    return { database: headerDatabase(metadata), query: statementQueryOf(any.value), language: 'sql' };
  }
  fail('INVALID_INPUT', 'the ticket is neither InfluxDB 3 JSON nor a Flight SQL statement', { field: 'ticket' });
}

function jsonTicket(text: string): FlightQuery {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FluxgateError('INVALID_INPUT', `the ticket is not valid JSON: ${(error as Error).message}`, {
      field: 'ticket',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail('INVALID_INPUT', 'the ticket must be a JSON object', { field: 'ticket' });
  }
  const ticket = parsed as Record<string, unknown>;
  const key = DATABASE_KEYS.find((name) => typeof ticket[name] === 'string' && ticket[name] !== '');
  if (key === undefined)
    fail('INVALID_INPUT', 'the ticket names no database (database, namespace_name or bucket)', { field: 'database' });
  if (typeof ticket.sql_query !== 'string' || ticket.sql_query.trim() === '') {
    fail('INVALID_INPUT', 'the ticket has no sql_query', { field: 'sql_query' });
  }
  const type = ticket.query_type ?? 'sql';
  if (type !== 'sql' && type !== 'influxql') {
    fail('INVALID_INPUT', `query_type ${JSON.stringify(type)} is not valid: Expected 'sql' or 'influxql'`, {
      field: 'query_type',
    });
  }
  const query: FlightQuery = { database: ticket[key] as string, query: ticket.sql_query, language: type };
  if (ticket.params !== undefined && ticket.params !== null) {
    if (typeof ticket.params !== 'object' || Array.isArray(ticket.params)) {
      fail('INVALID_INPUT', 'the ticket params must be a JSON object', { field: 'params' });
    }
    query.params = ticket.params as Record<string, unknown>;
  }
  return query;
}

/** The database of a Flight SQL request, from its headers; two that disagree are an error. */
export function headerDatabase(metadata: MetadataReader): string {
  const given = DATABASE_HEADERS.map((key) => metadata(key)).filter(
    (value): value is string => value !== undefined && value !== '',
  );
  const names = new Set(given);
  if (names.size === 0)
    fail('INVALID_INPUT', "a Flight SQL request needs the 'database' header", { field: 'database' });
  if (names.size > 1)
    fail('INVALID_INPUT', `the database headers disagree: ${[...names].join(', ')}`, { field: 'database' });
  return given[0]!;
}
