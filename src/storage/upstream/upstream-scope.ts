import { identifierKey } from '../duckdb/identifiers.ts';
import type { QueryScope, TableReference, TableVerdict } from '../duckdb/query-validator.ts';
import type { MeasurementSchema } from '../storage.ts';

/**
 * What a query forwarded upstream may read: the tables of its own database, unqualified or in
 * schema `main`, exactly as on the embedded engine. Another database (`other.cpu`), the upstream's
 * information_schema and system tables are outside, so the upstream only ever sees SQL confined to
 * the one database the gateway chose.
 */
export function upstreamScope(schema: readonly MeasurementSchema[]): QueryScope {
  const tables = new Map<string, MeasurementSchema>();
  for (const measurement of schema) tables.set(identifierKey(measurement.name), measurement);
  return {
    classify(reference: TableReference): TableVerdict {
      if (reference.catalog !== '') return { kind: 'outside' };
      if (reference.schema !== '' && identifierKey(reference.schema) !== 'main') return { kind: 'outside' };
      const table = tables.get(identifierKey(reference.name));
      if (table === undefined) return { kind: 'missing' };
      return { kind: 'allowed', columns: ['time', ...table.tags, ...table.fields.map((field) => field.name)] };
    },
  };
}
