/**
 * The Influxdb1Storage adapter against a real InfluxDB 1.x (Debian's influxd, auth on): the shared
 * storage contract, read back with InfluxQL (this upstream has no SQL), with the cases where InfluxDB
 * 1.x genuinely differs declared in influxdb1-departures.ts; a restart there restarts influxd too.
 * Then what the adapter does through the port on its own: databases by CREATE/DROP DATABASE, writes
 * with their precision, type conflicts refused by line, schema, InfluxQL as series parts, /ping.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FluxgateError } from '../../src/domain/errors.ts';
import type { SeriesPart } from '../../src/influxql/result.ts';
import { parseLineProtocolBuffer } from '../../src/storage/lineprotocol/parse-buffer.ts';
import { Influxdb1Storage } from '../../src/storage/upstream/influxdb1-storage.ts';
import { type Influxdb1, startInfluxdb1 } from '../helpers/influxdb1.ts';
import { DEFAULT_TIME_NS, declaredAbsent, freshDatabase, rejectsWithCode, writeLines } from './contract/harness.ts';
import { INFLUXDB1_DEPARTURES } from './influxdb1-departures.ts';
import { influxqlReadBack, type StorageHarness, storageContract } from './storage-contract.ts';

describe('InfluxDB 1.x upstream storage (a real influxd with auth)', () => {
  let upstream: Influxdb1 | undefined;
  let storage: Influxdb1Storage | undefined;
  const open = () =>
    new Influxdb1Storage(
      { url: upstream!.url, credential: { username: upstream!.username, password: upstream!.password } },
      { queryTimeoutMs: 60_000, callTimeoutMs: 10_000 },
    );
  before(async () => {
    upstream = await startInfluxdb1();
    storage = open();
  });
  after(async () => {
    await storage?.close();
    await upstream?.dispose();
  });
  const parts = async (db: ReturnType<typeof freshDatabase>, text: string): Promise<SeriesPart[]> => {
    const all: SeriesPart[] = [];
    for await (const part of storage!.influxql.run(db, text, {})) all.push(part);
    return all;
  };

  const harness = (): StorageHarness => ({
    open: async () => open(),
    async reopen(s) {
      // The adapter keeps nothing itself: a restart that counts is the upstream's.
      await s.close();
      await upstream!.stop();
      await upstream!.start();
      return open();
    },
    cleanup: async () => {},
    readBack: influxqlReadBack,
    departures: INFLUXDB1_DEPARTURES,
  });
  describe('the storage contract', () => storageContract(harness));

  test('SQL is declared absent and refused naming the upstream', async () => {
    const db = freshDatabase();
    assert.ok(await declaredAbsent(storage!, 'sql', () => storage!.query(db, 'SELECT 1')));
    assert.ok(await declaredAbsent(storage!, 'sql', () => storage!.openQuery(db, 'SELECT 1')));
    await rejectsWithCode(storage!.query(db, 'SELECT 1'), 'STORAGE_CAPABILITY_ABSENT', /InfluxDB 1\.x upstream at/);
  });

  test('create and drop drive CREATE/DROP DATABASE on the upstream name', async () => {
    const db = { ...freshDatabase(), upstreamName: `mapped-${Date.now()}` };
    await storage!.create(db);
    assert.match(JSON.stringify(await upstream!.query('SHOW DATABASES')), new RegExp(db.upstreamName));
    await storage!.drop(db.id);
    assert.doesNotMatch(JSON.stringify(await upstream!.query('SHOW DATABASES')), new RegExp(db.upstreamName));
  });

  test('writes keep their precision; a write to a database the upstream lacks creates it', async () => {
    const db = freshDatabase();
    const body = Buffer.from('cpu,host=a usage=1 1700000000\ncpu,host=b usage=2i 1700000001');
    const parsed = parseLineProtocolBuffer(body, 's');
    const outcome = await storage!.write(db, parsed, DEFAULT_TIME_NS, { source: { body, precision: 's' } });
    assert.equal(outcome.written, 1);
    assert.deepEqual(
      outcome.rejected.map((line) => line.lineNumber),
      [2],
      'the integer after a float in the same batch is refused by line',
    );
    const answer = await upstream!.query('SELECT usage FROM cpu', db.name);
    assert.deepEqual(answer.results[0]?.series?.[0]?.values, [['2023-11-14T22:13:20Z', 1]]);
  });

  test('a type conflict with what the upstream holds refuses that line; atomic refuses the batch', async () => {
    const db = freshDatabase();
    await writeLines(storage!, db, 'm f=1 1');
    const mixed = await writeLines(storage!, db, 'm f=2 2\nm f="x" 3\nm g=true 4');
    assert.equal(mixed.written, 2);
    assert.deepEqual(
      mixed.rejected.map((line) => [line.lineNumber, line.message]),
      [[2, "invalid column type for column 'f', expected float, got string"]],
    );
    const atomic = await writeLines(storage!, db, 'm f=5 5\nm f="y" 6', { atomic: true });
    assert.equal(atomic.written, 0);
    const count = await upstream!.query('SELECT count(f) FROM m', db.name);
    assert.equal(count.results[0]?.series?.[0]?.values?.[0]?.[1], 2);
  });

  test('concurrent batches of conflicting types to a fresh database: one is refused by line, none half-sent', async () => {
    const db = freshDatabase();
    const outcomes = await Promise.all([
      writeLines(storage!, db, 'm v=1 1\nm w=1 1'),
      writeLines(storage!, db, 'm v="x" 2\nm w=2 2'),
      writeLines(storage!, db, 'm v=true 3\nm w=3 3'),
    ]);
    // The first batch checked fixes v's type; each other batch's v line is refused by line, its w line kept.
    assert.deepEqual(
      outcomes.map((outcome) => [outcome.written, outcome.rejected.map((line) => line.lineNumber)]),
      [
        [2, []],
        [1, [1]],
        [1, [1]],
      ],
    );
    const count = await upstream!.query('SELECT count(v), count(w) FROM m', db.name);
    assert.deepEqual(count.results[0]?.series?.[0]?.values?.[0]?.slice(1), [1, 3]);
  });

  test('aborting the signal of an InfluxQL stream makes its next read throw the reason', async () => {
    const db = freshDatabase();
    const lines = Array.from({ length: 3000 }, (_, i) => `m v=${i}i ${i + 1}`);
    assert.equal((await writeLines(storage!, db, lines.join('\n'))).written, 3000);
    const controller = new AbortController();
    const reason = new FluxgateError('QUERY_FAILED', 'stopped between parts');
    const parts = storage!.influxql.run(db, 'SELECT v FROM m', { signal: controller.signal, chunkSize: 100 });
    const reader = parts[Symbol.asyncIterator]();
    assert.equal((await reader.next()).done, false);
    controller.abort(reason);
    await assert.rejects(reader.next(), (error: unknown) => error === reason);
    assert.equal(storage!.activeQueries(), 0);
  });

  test('schema comes from the upstream in byte order, with typed fields', async () => {
    const db = freshDatabase();
    assert.deepEqual(await storage!.schema(db), []);
    await writeLines(storage!, db, 'm,z=1,a=2 s="t",b=true,i=3i 1\nB v=1 1');
    assert.deepEqual(await storage!.schema(db), [
      { name: 'B', tags: [], fields: [{ name: 'v', type: 'float' }] },
      {
        name: 'm',
        tags: ['a', 'z'],
        fields: [
          { name: 'b', type: 'boolean' },
          { name: 'i', type: 'integer' },
          { name: 's', type: 'string' },
        ],
      },
    ]);
  });

  test('InfluxQL runs upstream and comes back as series parts, times in ns, tags sorted', async () => {
    const db = freshDatabase();
    await writeLines(storage!, db, 'cpu,host=a usage=1 1700000000000000001\ncpu,host=b usage=2 1700000000000000002');
    const series = await parts(db, 'SELECT usage FROM cpu GROUP BY host');
    assert.deepEqual(
      series.map((part) => [part.tags, part.columns, part.types, part.values]),
      [
        [[['host', 'a']], ['time', 'usage'], ['time', 'float'], [[1700000000000000001n, 1]]],
        [[['host', 'b']], ['time', 'usage'], ['time', 'float'], [[1700000000000000002n, 2]]],
      ],
    );
    await rejectsWithCode(parts(db, 'SELECT nosuchfunction(usage) FROM cpu'), 'QUERY_FAILED');
  });

  test('stopped upstream: probe and calls answer UPSTREAM_UNAVAILABLE naming the URL, never the password', async () => {
    await storage!.probe(2_000);
    await upstream!.stop();
    try {
      const db = freshDatabase();
      for (const attempt of [
        () => storage!.probe(2_000),
        () => storage!.schema(db),
        () => writeLines(storage!, db, 'm v=1 1'),
      ]) {
        const error = await rejectsWithCode(attempt(), 'UPSTREAM_UNAVAILABLE', /not reachable|did not answer/);
        assert.ok(error.message.includes(upstream!.url), error.message);
        assert.ok(!error.message.includes(upstream!.password), 'the password in an error');
      }
    } finally {
      await upstream!.start();
    }
    await storage!.probe(2_000);
  });
});
