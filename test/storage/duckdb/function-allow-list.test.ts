import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  allowedFunctionNames,
  DENIED_FUNCTIONS,
  isFunctionAllowed,
} from '../../../src/storage/duckdb/function-allow-list.ts';

it("lists only functions this DuckDB has (date_bin is fluxgate's macro, unnest a select-list special form)", async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      "SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate', 'macro')",
    );
    const known = new Set(reader.getRows().map(([name]) => String(name)));
    const unknown = allowedFunctionNames().filter(
      (name) => !known.has(name) && name !== 'date_bin' && name !== 'unnest',
    );
    assert.deepEqual(unknown, []);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

it('refuses introspection, I/O and name-dispatching functions', () => {
  for (const name of DENIED_FUNCTIONS) assert.equal(isFunctionAllowed(name), false, name);
  for (const name of ['pragma_version', 'duckdb_settings', 'read_csv', 'read_text', 'pg_get_viewdef', 'icu_sort_key']) {
    assert.equal(isFunctionAllowed(name), false, name);
  }
  for (const name of ['avg', 'AVG', 'date_bin', 'time_bucket', 'date_trunc', 'epoch_ns', 'strftime', '~~', 'now']) {
    assert.equal(isFunctionAllowed(name), true, name);
  }
});
