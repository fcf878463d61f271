import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { toJsonValue } from '../../../src/storage/duckdb/result-values.ts';
import type { QueryResult } from '../../../src/storage/storage.ts';
import { database, line, openStorage, T0, tempDir } from './helpers.ts';

/** Reads Parquet bytes back with DuckDB's read_parquet, in a test-only instance. */
async function readBack(bytes: Uint8Array): Promise<QueryResult> {
  const dir = tempDir();
  const file = path.join(dir, 'result.parquet');
  fs.writeFileSync(file, bytes);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
    return {
      columns: reader.columnNames().map((name, index) => ({ name, sqlType: reader.columnType(index).toString() })),
      rows: reader.getRows().map((row) => row.map(toJsonValue)),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('DuckDbStorage.toParquet', () => {
  let env: ReturnType<typeof openStorage>;
  const db = database(1);

  before(async () => {
    env = openStorage();
    await env.storage.write(
      db,
      [
        line(
          1,
          'cpu',
          { host: 'a' },
          { usage: 0.1, count: 9_007_199_254_740_993n, ok: true, note: 'é' },
          T0 + 123_456_789n,
        ),
        line(2, 'cpu', { host: 'b' }, { usage: 2.5, count: -1n, ok: false }, T0 + 1n),
      ],
      0n,
    );
  });
  after(async () => {
    await env.cleanup();
  });

  it('encodes a query result that reads back with the same columns, types and values', async () => {
    const result = await env.storage.query(
      db,
      `SELECT time, host, usage, count, ok, note, DATE '2024-02-29' AS day, [1, 2] AS list,
              {'k': 1} AS struct, 18446744073709551615::UBIGINT AS ubig, NULL::DOUBLE AS nothing
       FROM cpu ORDER BY time DESC`,
    );
    const bytes = await env.storage.toParquet(result);
    assert.equal(Buffer.from(bytes.subarray(0, 4)).toString(), 'PAR1');
    const back = await readBack(bytes);
    assert.deepEqual(back.columns, [
      { name: 'time', sqlType: 'TIMESTAMP_NS' },
      { name: 'host', sqlType: 'VARCHAR' },
      { name: 'usage', sqlType: 'DOUBLE' },
      { name: 'count', sqlType: 'BIGINT' },
      { name: 'ok', sqlType: 'BOOLEAN' },
      { name: 'note', sqlType: 'VARCHAR' },
      { name: 'day', sqlType: 'DATE' },
      { name: 'list', sqlType: 'INTEGER[]' },
      // Structs have no typed path back from JSON-safe values; they are kept as JSON text.
      { name: 'struct', sqlType: 'VARCHAR' },
      { name: 'ubig', sqlType: 'UBIGINT' },
      { name: 'nothing', sqlType: 'DOUBLE' },
    ]);
    assert.deepEqual(back.rows, [
      [
        '2024-11-25T01:02:03.123456789Z',
        'a',
        0.1,
        '9007199254740993',
        true,
        'é',
        '2024-02-29',
        [1, 2],
        '{"k":1}',
        '18446744073709551615',
        null,
      ],
      [
        '2024-11-25T01:02:03.000000001Z',
        'b',
        2.5,
        -1,
        false,
        null,
        '2024-02-29',
        [1, 2],
        '{"k":1}',
        '18446744073709551615',
        null,
      ],
    ]);
  });

  it('encodes empty results and duplicate column names', async () => {
    const empty = await env.storage.query(db, "SELECT host, host FROM cpu WHERE host = 'none'");
    const back = await readBack(await env.storage.toParquet(empty));
    assert.equal(back.rows.length, 0);
    assert.equal(back.columns.length, 2);
  });
});
