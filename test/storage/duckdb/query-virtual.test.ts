import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { VirtualTable } from '../../../src/storage/storage.ts';
import { database, line, openStorage, rejectsWith } from './helpers.ts';

describe('DuckDbStorage.queryVirtual', () => {
  let env: ReturnType<typeof openStorage>;
  const tokens: VirtualTable = {
    schema: 'system',
    name: 'tokens',
    columns: [
      { name: 'token_id', sqlType: 'BIGINT' },
      { name: 'name', sqlType: 'VARCHAR' },
      { name: 'created_at', sqlType: 'TIMESTAMP_NS' },
      { name: 'expires_at', sqlType: 'TIMESTAMP' },
      { name: 'permissions', sqlType: 'VARCHAR[]' },
      { name: 'is_admin', sqlType: 'BOOLEAN' },
    ],
    rows: [
      [1, '_admin', '2024-11-25T01:02:03.123456789Z', null, ['*:*:*'], true],
      [2, 'reader', '2024-11-26T00:00:00Z', new Date('2025-01-01T00:00:00Z'), ['db:a:read', 'db:b:read'], false],
      [9_007_199_254_740_993n, 'élan', '2024-11-27T00:00:00Z', null, [], false],
    ],
  };
  const databases: VirtualTable = {
    schema: 'system',
    name: 'databases',
    columns: [
      { name: 'name', sqlType: 'VARCHAR' },
      { name: 'owner', sqlType: 'BIGINT' },
    ],
    rows: [
      ['a', 2],
      ['b', 1],
    ],
  };

  before(async () => {
    env = openStorage();
    await env.storage.write(database(1), [line(1, 'cpu', {}, { v: 1 })], 0n);
  });
  after(async () => {
    await env.cleanup();
  });

  it('serves schema-qualified tables filled from rows, with the result shape of query', async () => {
    const result = await env.storage.queryVirtual(
      [tokens],
      'SELECT token_id, name, created_at, expires_at, permissions, is_admin FROM system.tokens ORDER BY token_id',
    );
    assert.deepEqual(result.columns, [
      { name: 'token_id', sqlType: 'BIGINT' },
      { name: 'name', sqlType: 'VARCHAR' },
      { name: 'created_at', sqlType: 'TIMESTAMP_NS' },
      { name: 'expires_at', sqlType: 'TIMESTAMP' },
      { name: 'permissions', sqlType: 'VARCHAR[]' },
      { name: 'is_admin', sqlType: 'BOOLEAN' },
    ]);
    assert.deepEqual(result.rows, [
      [1, '_admin', '2024-11-25T01:02:03.123456789Z', null, ['*:*:*'], true],
      [2, 'reader', '2024-11-26T00:00:00Z', '2025-01-01T00:00:00Z', ['db:a:read', 'db:b:read'], false],
      ['9007199254740993', 'élan', '2024-11-27T00:00:00Z', null, [], false],
    ]);
  });

  it('joins virtual tables, binds parameters and keeps the SQL text (quoting, comments, unicode) intact', async () => {
    const result = await env.storage.queryVirtual(
      [tokens, databases],
      `/* é */ SELECT t.name AS "tökén", d.name AS db, date_bin(INTERVAL '1 day', t.created_at) AS day
       FROM "system"."tokens" t JOIN system . databases d ON d.owner = t.token_id
       WHERE t.name <> $skip AND 'système' <> 'system.tokens' ORDER BY db`,
      { skip: 'nobody' },
    );
    assert.deepEqual(
      result.columns.map((column) => column.name),
      ['tökén', 'db', 'day'],
    );
    assert.deepEqual(result.rows, [
      ['reader', 'a', '2024-11-26T00:00:00Z'],
      ['_admin', 'b', '2024-11-25T00:00:00Z'],
    ]);
  });

  it('applies the same validation, allowing only the given tables', async () => {
    await rejectsWith(
      env.storage.queryVirtual([tokens], "SELECT * FROM read_csv('/etc/passwd')"),
      'QUERY_REJECTED',
      "table function 'read_csv' is not allowed",
    );
    await rejectsWith(
      env.storage.queryVirtual([tokens], 'SELECT * FROM cpu'),
      'QUERY_FAILED',
      "table 'cpu' does not exist",
    );
    await rejectsWith(
      env.storage.queryVirtual([tokens], 'SELECT * FROM system.queries'),
      'QUERY_FAILED',
      "table 'system.queries' does not exist",
    );
    await rejectsWith(
      env.storage.queryVirtual([tokens], 'SELECT * FROM memory.system.tokens'),
      'QUERY_REJECTED',
      "table 'memory.system.tokens' is outside this database",
    );
    await rejectsWith(
      env.storage.queryVirtual([tokens], 'SELECT * FROM other.tokens'),
      'QUERY_REJECTED',
      "table 'other.tokens' is outside this database",
    );
    await rejectsWith(
      env.storage.queryVirtual([tokens], "SELECT current_setting('threads') FROM system.tokens"),
      'QUERY_REJECTED',
      "function 'current_setting' is not allowed",
    );
    await rejectsWith(env.storage.queryVirtual([tokens], 'DROP TABLE system.tokens'), 'QUERY_REJECTED', 'not DROP');
  });

  it('resolves a CTE named like a virtual table to the CTE', async () => {
    const result = await env.storage.queryVirtual(
      [tokens],
      'WITH tokens AS (SELECT 42 AS token_id) SELECT (SELECT count(*) FROM system.tokens) AS n, token_id FROM tokens',
    );
    assert.deepEqual(result.rows, [[3, 42]]);
  });
});
