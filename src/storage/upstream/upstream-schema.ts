import { FluxgateError } from '../../domain/errors.ts';
import { byteOrder } from '../../support/byte-order.ts';
import type { FieldType } from '../lineprotocol/types.ts';
import type { MeasurementSchema } from '../storage.ts';
import { messageOf, type UpstreamHttp } from './upstream-http.ts';

const COLUMNS_QUERY = 'SELECT table_name, column_name, data_type FROM information_schema.columns';

/** InfluxDB 3's Arrow type names in information_schema.columns, as line protocol's kinds. */
function kindOf(dataType: string): FieldType | 'tag' | 'time' | undefined {
  if (dataType.startsWith('Dictionary(')) return 'tag';
  if (dataType.startsWith('Timestamp(')) return 'time';
  switch (dataType) {
    case 'Float64':
      return 'float';
    case 'Int64':
      return 'integer';
    case 'UInt64':
      return 'uinteger';
    case 'Utf8':
    case 'Utf8View':
      return 'string';
    case 'Boolean':
      return 'boolean';
    default:
      return undefined;
  }
}

/**
 * A database's measurements from the upstream's information_schema.columns (tags are its dictionary
 * columns). A database the upstream does not have has none.
 */
export async function fetchSchema(
  http: UpstreamHttp,
  database: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<MeasurementSchema[]> {
  const answer = await http.call({
    method: 'POST',
    path: '/api/v3/query_sql',
    body: JSON.stringify({ db: database, q: COLUMNS_QUERY, format: 'json' }),
    contentType: 'application/json',
    timeoutMs,
    ...(signal ? { signal } : {}),
  });
  if (answer.status === 404) return [];
  if (answer.status !== 200) throw http.failed(answer, `reading the schema of '${database}'`);
  let rows: Array<{ table_name?: unknown; column_name?: unknown; data_type?: unknown }>;
  try {
    rows = JSON.parse(answer.text);
  } catch {
    throw new FluxgateError(
      'UPSTREAM_FAILED',
      `${http.label} sent a schema that is not JSON: ${messageOf(answer.text)}`,
    );
  }
  const tables = new Map<string, MeasurementSchema>();
  for (const row of Array.isArray(rows) ? rows : []) {
    if (typeof row.table_name !== 'string' || typeof row.column_name !== 'string') continue;
    const kind = kindOf(String(row.data_type ?? ''));
    let table = tables.get(row.table_name);
    if (table === undefined) {
      table = { name: row.table_name, tags: [], fields: [] };
      tables.set(row.table_name, table);
    }
    if (kind === 'tag') table.tags.push(row.column_name);
    else if (kind !== undefined && kind !== 'time') table.fields.push({ name: row.column_name, type: kind });
  }
  const schemas = [...tables.values()];
  for (const table of schemas) {
    table.tags.sort(byteOrder);
    table.fields.sort((a, b) => byteOrder(a.name, b.name));
  }
  return schemas.sort((a, b) => byteOrder(a.name, b.name));
}
