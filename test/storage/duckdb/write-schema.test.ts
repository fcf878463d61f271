import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDbStorage } from '../../../src/storage/duckdb/duckdb-storage.ts';
import { database, line, openStorage, T0 } from './helpers.ts';

describe('DuckDbStorage writes', () => {
  let env: ReturnType<typeof openStorage>;
  before(() => {
    env = openStorage();
  });
  after(async () => {
    await env.cleanup();
  });

  it('creates a table per measurement and adds columns as new tags and fields appear', async () => {
    const db = database(1);
    const first = await env.storage.write(db, [line(1, 'cpu', { host: 'a' }, { usage: 1.5 })], 0n);
    assert.deepEqual(first, { written: 1, rejected: [] });
    const second = await env.storage.write(
      db,
      [line(1, 'cpu', { host: 'b', region: 'eu' }, { usage: 2.5, cores: 8n }, T0 + 1n)],
      0n,
    );
    assert.deepEqual(second, { written: 1, rejected: [] });
    const result = await env.storage.query(db, 'SELECT * FROM cpu ORDER BY time');
    assert.deepEqual(result.columns, [
      { name: 'time', sqlType: 'TIMESTAMP_NS' },
      { name: 'host', sqlType: 'VARCHAR' },
      { name: 'usage', sqlType: 'DOUBLE' },
      { name: 'region', sqlType: 'VARCHAR' },
      { name: 'cores', sqlType: 'BIGINT' },
    ]);
    assert.deepEqual(result.rows, [
      ['2024-11-25T01:02:03Z', 'a', 1.5, null, null],
      ['2024-11-25T01:02:03.000000001Z', 'b', 2.5, 'eu', 8],
    ]);
  });

  it('stores every field type with its own column type', async () => {
    const db = database(2);
    const outcome = await env.storage.write(
      db,
      [
        line(
          1,
          'types',
          { t: 'x' },
          {
            f: { type: 'float', value: -0.1 },
            i: { type: 'integer', value: -9_223_372_036_854_775_808n },
            u: { type: 'uinteger', value: 18_446_744_073_709_551_615n },
            s: { type: 'string', value: 'héllo "quoted" \\ \n line' },
            b: { type: 'boolean', value: true },
          },
        ),
        line(
          2,
          'types',
          { t: 'y' },
          {
            f: { type: 'float', value: 1e300 },
            i: { type: 'integer', value: 42n },
            u: { type: 'uinteger', value: 0n },
            s: { type: 'string', value: '' },
            b: { type: 'boolean', value: false },
          },
          T0 + 1n,
        ),
      ],
      0n,
    );
    assert.deepEqual(outcome, { written: 2, rejected: [] });
    const result = await env.storage.query(db, 'SELECT t, f, i, u, s, b FROM types ORDER BY time');
    assert.deepEqual(
      result.columns.map((column) => column.sqlType),
      ['VARCHAR', 'DOUBLE', 'BIGINT', 'UBIGINT', 'VARCHAR', 'BOOLEAN'],
    );
    assert.deepEqual(result.rows, [
      ['x', -0.1, '-9223372036854775808', '18446744073709551615', 'héllo "quoted" \\ \n line', true],
      ['y', 1e300, 42, 0, '', false],
    ]);
  });

  it('accepts any unicode measurement and column name, quoting them properly', async () => {
    const db = database(3);
    const names = { measurement: 'mesure "été" 🚀; DROP TABLE x', tag: 'tag.with"quote', field: 'champ été' };
    const outcome = await env.storage.write(
      db,
      [line(1, names.measurement, { [names.tag]: 'v' }, { [names.field]: 1 })],
      0n,
    );
    assert.deepEqual(outcome, { written: 1, rejected: [] });
    const result = await env.storage.query(
      db,
      'SELECT "tag.with""quote", "champ été" FROM "mesure ""été"" 🚀; DROP TABLE x"',
    );
    assert.deepEqual(result.rows, [['v', 1]]);
  });

  it('keeps É and é apart but treats CPU and cpu as one name, refusing the case variant', async () => {
    const db = database(4);
    const outcome = await env.storage.write(
      db,
      [
        line(1, 'É', {}, { v: 1 }),
        line(2, 'é', {}, { v: 2 }),
        line(3, 'cpu', { Host: 'a' }, { v: 1 }),
        line(4, 'CPU', {}, { v: 1 }),
        line(5, 'cpu', { host: 'a' }, { v: 1 }),
      ],
      0n,
    );
    assert.equal(outcome.written, 3);
    assert.deepEqual(
      outcome.rejected.map((error) => [error.lineNumber, error.message]),
      [
        [4, "measurement 'CPU' conflicts with table 'cpu': table names may not differ only in letter case"],
        [
          5,
          "column 'host' conflicts with column 'Host' of table 'cpu': column names may not differ only in letter case",
        ],
      ],
    );
    assert.deepEqual((await env.storage.query(db, 'SELECT v FROM "é"')).rows, [[2]]);
  });

  it('stamps points without a timestamp with the default time', async () => {
    const db = database(5);
    await env.storage.write(db, [line(1, 'm', {}, { v: 1 }, null)], 1_000_000_123n);
    assert.deepEqual((await env.storage.query(db, 'SELECT time FROM m')).rows, [['1970-01-01T00:00:01.000000123Z']]);
  });

  it('refuses type conflicts point by point, naming the column and both types, and keeps the rest', async () => {
    const db = database(6);
    await env.storage.write(db, [line(1, 'cpu', { host: 'a' }, { usage: 1, name: 'x' })], 0n);
    const outcome = await env.storage.write(
      db,
      [
        line(1, 'cpu', { host: 'b' }, { usage: 2 }),
        line(2, 'cpu', { host: 'c' }, { usage: 3n }),
        line(3, 'cpu', { usage: 'tag-now' }, { other: 1 }),
        line(4, 'cpu', {}, { host: 'field-now' }),
        line(5, 'cpu', {}, { name: 'string is fine' }),
        line(6, 'cpu', { dup: 'x' }, { dup: 1 }),
        line(7, 'cpu', { time: 'x' }, { v: 1 }),
        line(8, 'cpu', {}, { name: true }),
      ],
      0n,
    );
    assert.equal(outcome.written, 2);
    assert.deepEqual(
      outcome.rejected.map((error) => [error.lineNumber, error.message]),
      [
        [2, "column 'usage' of table 'cpu' is a float field, but this point writes it as an integer field"],
        [3, "column 'usage' of table 'cpu' is a float field, but this point writes it as a tag"],
        [4, "column 'host' of table 'cpu' is a tag, but this point writes it as a string field"],
        [6, "column 'dup' is written twice in this point, as a tag and as a float field"],
        [7, "column 'time' is the timestamp and cannot be written as a tag"],
        [8, "column 'name' of table 'cpu' is a string field, but this point writes it as a boolean field"],
      ],
    );
    assert.equal(outcome.rejected[0]?.originalLine, 'cpu,host=c usage=3i 1732496523000000000');
    // The refused points left no column behind.
    const result = await env.storage.query(db, 'SELECT * FROM cpu');
    assert.deepEqual(
      result.columns.map((column) => column.name),
      ['time', 'host', 'usage', 'name'],
    );
    assert.equal(result.rows.length, 3);
  });

  it('refuses points beyond the table and column limits with messages naming the limit', async () => {
    const db = database(7, { maxTables: 2, maxColumnsPerTable: 4 });
    const outcome = await env.storage.write(
      db,
      [
        line(1, 'a', { t: 'x' }, { v: 1 }),
        line(2, 'b', {}, { v: 1 }),
        line(3, 'c', {}, { v: 1 }),
        line(4, 'a', { t: 'y' }, { v: 2, w: 3 }),
        line(5, 'a', { t: 'z' }, { v: 4, w: 5, x: 6 }),
        line(6, 'b', {}, { v: 7 }),
      ],
      0n,
    );
    assert.equal(outcome.written, 4);
    assert.deepEqual(
      outcome.rejected.map((error) => [error.lineNumber, error.message]),
      [
        [3, "table limit exceeded: the database allows at most 2 tables and measurement 'c' would add one"],
        [
          5,
          "column limit exceeded: table 'a' may have at most 4 columns (time, tags and fields) and this point needs 5",
        ],
      ],
    );
    assert.deepEqual((await env.storage.query(db, 'SELECT t, v, w FROM a ORDER BY t')).rows, [
      ['x', 1, null],
      ['y', 2, 3],
    ]);
    const later = await env.storage.write(db, [line(1, 'd', {}, { v: 1 })], 0n);
    assert.equal(later.rejected.length, 1);
  });

  it('refuses points older than the retention period', async () => {
    const db = database(8, { retentionPeriodMs: 3_600_000 });
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const outcome = await env.storage.write(
      db,
      [line(1, 'm', {}, { v: 1 }, nowNs - 7_200_000_000_000n), line(2, 'm', {}, { v: 2 }, nowNs)],
      0n,
    );
    assert.equal(outcome.written, 1);
    assert.equal(outcome.rejected[0]?.lineNumber, 1);
    assert.match(outcome.rejected[0]?.message ?? '', /outside the retention period/);
  });

  it('keeps one row when two points share table, tags and time: the later one wins field by field', async () => {
    const db = database(9);
    await env.storage.write(
      db,
      [line(1, 'm', { h: 'a' }, { v: 1, w: 1 }), line(2, 'm', { h: 'a' }, { v: 2 }), line(3, 'm', {}, { v: 3 })],
      0n,
    );
    await env.storage.write(db, [line(1, 'm', { h: 'a' }, { w: 5 }), line(2, 'm', { h: 'b' }, { v: 4 })], 0n);
    assert.deepEqual((await env.storage.query(db, 'SELECT h, v, w FROM m ORDER BY h NULLS FIRST')).rows, [
      [null, 3, null],
      ['a', 2, 5],
      ['b', 4, null],
    ]);
  });

  it('groups concurrent writes into shared commits without mixing up their outcomes', async () => {
    const db = database(10, { maxColumnsPerTable: 3 });
    const writes = Array.from({ length: 20 }, (_, index) =>
      env.storage.write(
        db,
        [
          line(1, 'm', {}, { v: index }, T0 + BigInt(index)),
          line(2, 'm', {}, { v: index, [`extra${index}`]: 1 }, T0 + 1000n + BigInt(index)),
        ],
        0n,
      ),
    );
    const outcomes = await Promise.all(writes);
    // Only the first write's second point fits the 3-column limit.
    assert.deepEqual(
      outcomes.map((outcome) => outcome.written),
      [2, ...Array.from({ length: 19 }, () => 1)],
    );
    assert.deepEqual((await env.storage.query(db, 'SELECT count(*) FROM m')).rows, [[21]]);
  });

  it('reloads the column registry, tags included, when a database is reopened', async () => {
    const dir = env.dir;
    const db = database(11);
    const first = new DuckDbStorage(dir);
    await first.write(db, [line(1, 'm', { host: 'a' }, { label: 'x', v: 1 })], 0n);
    await first.close();
    const second = new DuckDbStorage(dir);
    try {
      const outcome = await second.write(
        db,
        [
          line(1, 'm', { label: 'tag?' }, { v: 2 }),
          line(2, 'm', {}, { host: 'field?' }),
          line(3, 'm', { host: 'b' }, { v: 3 }),
        ],
        0n,
      );
      assert.deepEqual(
        outcome.rejected.map((error) => error.message),
        [
          "column 'label' of table 'm' is a string field, but this point writes it as a tag",
          "column 'host' of table 'm' is a tag, but this point writes it as a string field",
        ],
      );
      assert.equal(outcome.written, 1);
    } finally {
      await second.close();
    }
  });

  it('returns an empty outcome for an empty write', async () => {
    assert.deepEqual(await env.storage.write(database(12), [], 0n), { written: 0, rejected: [] });
  });
});
