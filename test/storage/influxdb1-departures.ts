/**
 * Where the InfluxDB 1.x upstream adapter departs from the shared storage contract, all in one
 * place, each with its reason; a departure with `instead` asserts what the adapter does in its place.
 * Everything not named here runs as the contract says, read back with InfluxQL.
 */
import assert from 'node:assert/strict';
import { freshDatabase, writeLines } from './contract/harness.ts';
import { type ContractStorage, declareDepartures } from './storage-contract.ts';

const NO_UNSIGNED =
  'InfluxDB 1.x has no unsigned integer type: its line protocol refuses the u suffix, so the adapter ' +
  'refuses such a point by line, naming the upstream; the case runs without the unsigned field';

/** The contract's fixture lines without their unsigned field, and the rows they read back as. */
async function everyTypeButUnsigned(storage: ContractStorage): Promise<void> {
  const db = freshDatabase();
  const outcome = await writeLines(
    storage.current(),
    db,
    [
      'types,t=x f=-0.1,i=-9223372036854775808i,s="héllo \\"quoted\\" \\\\ line",b=true 1732496523123456789',
      'types,t=y f=1e300,i=42i,s="",b=false 1732496523123456790',
      'types,t=z f=3,i=9007199254740993i,s="日本",b=t 1',
    ].join('\n'),
  );
  assert.deepEqual(outcome, { written: 3, rejected: [] });
  const result = await storage.read(db, 'SELECT time, t, f, i, s, b FROM types ORDER BY time');
  assert.deepEqual(
    result.columns.map((column) => column.name),
    ['time', 't', 'f', 'i', 's', 'b'],
  );
  for (const column of result.columns) assert.ok(column.type.length > 0, `column ${column.name} has a type`);
  assert.deepEqual(result.rows, [
    ['1970-01-01T00:00:00.000000001Z', 'z', 3, '9007199254740993', '日本', true],
    ['2024-11-25T01:02:03.123456789Z', 'x', -0.1, '-9223372036854775808', 'héllo "quoted" \\ line', true],
    ['2024-11-25T01:02:03.12345679Z', 'y', 1e300, 42, '', false],
  ]);
  // The unsigned field itself: refused by line (the rest of the batch is kept), and no column made.
  const unsigned = await writeLines(storage.current(), db, 'types,t=w f=1 5\ntypes,t=w f=2,u=0u 6');
  assert.equal(unsigned.written, 1);
  assert.deepEqual(
    unsigned.rejected.map((error) => error.lineNumber),
    [2],
  );
  assert.match(unsigned.rejected[0]?.message ?? '', /unsigned integer fields are not available on the InfluxDB 1\.x/);
  const atomic = await writeLines(storage.current(), db, 'types,t=w f=3 7\ntypes,t=w u=1u 8', { atomic: true });
  assert.equal(atomic.written, 0);
  assert.deepEqual(
    (await storage.current().schema(db))[0]?.fields.map((field) => field.name),
    ['b', 'f', 'i', 's'],
  );
  assert.deepEqual(await storage.rows(db, "SELECT f FROM types WHERE t = 'w'"), [[1]]);
}

/** The schema case's fixture without its unsigned field. */
async function schemaButUnsigned(storage: ContractStorage): Promise<void> {
  const db = freshDatabase();
  await writeLines(
    storage.current(),
    db,
    [
      'weather,zone=z1,Site=s1 temp=1.5,count=2i,label="x",ok=true 1',
      'cpu,host=a,region=eu usage=0.5 2',
      'Disk,host=a free=10i 3',
    ].join('\n'),
  );
  assert.deepEqual(await storage.current().schema(db), [
    { name: 'Disk', tags: ['host'], fields: [{ name: 'free', type: 'integer' }] },
    { name: 'cpu', tags: ['host', 'region'], fields: [{ name: 'usage', type: 'float' }] },
    {
      name: 'weather',
      tags: ['Site', 'zone'],
      fields: [
        { name: 'count', type: 'integer' },
        { name: 'label', type: 'string' },
        { name: 'ok', type: 'boolean' },
        { name: 'temp', type: 'float' },
      ],
    },
  ]);
}

/** Closing the storage stops an InfluxQL stream half-read (there is no statement that runs long on its own). */
async function closingStopsAStream(storage: ContractStorage): Promise<void> {
  const db = freshDatabase();
  const lines = Array.from({ length: 5000 }, (_, i) => `m v=${i}i ${i + 1}`);
  assert.equal((await writeLines(storage.current(), db, lines.join('\n'))).written, 5000);
  const closed = storage.current();
  const parts = closed.influxql!.run(db, 'SELECT v FROM m', { chunkSize: 100 })[Symbol.asyncIterator]();
  const first = await parts.next();
  assert.equal(first.done, false);
  assert.equal(closed.activeQueries(), 1);
  await closed.close();
  await closed.close();
  await assert.rejects(parts.next(), (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'QUERY_FAILED');
    assert.match((error as Error).message, /stopped/);
    return true;
  });
  assert.equal(closed.activeQueries(), 0);
  await storage.reopen();
  assert.deepEqual(await storage.rows(db, 'SELECT count(v) FROM m'), [[5000]]);
}

export const INFLUXDB1_DEPARTURES = declareDepartures({
  parts: {
    'json lines': 'JSON lines are the answer of an engine that encodes SQL results itself; InfluxDB 1.x has no SQL',
    queries:
      'every case is about SQL statements (openQuery/query: streams, caps, cancellation, read-only SQL); ' +
      'InfluxDB 1.x has no SQL, which the adapter declares absent and refuses with a 501 naming the upstream ' +
      '(checked in the capabilities part and by "SQL is declared absent")',
  },
  cases: {
    'every field type reads back as written, with tags as strings and time as RFC3339 nanoseconds': {
      reason: NO_UNSIGNED,
      instead: everyTypeButUnsigned,
    },
    'measurements, tags and fields come in byte order, each field with its line-protocol type': {
      reason: NO_UNSIGNED,
      instead: schemaButUnsigned,
    },
    'a query binds $name parameters of every JSON type': {
      reason:
        'binding $name parameters is part of an SQL query (Storage.query); the 1.x adapter takes InfluxQL ' +
        "text whose parameters fluxgate's InfluxQL parser has bound already",
    },
    'closing the storage stops a running query, and closing twice is harmless': {
      reason:
        'InfluxQL has no statement that runs long over a few points (the case uses recursive SQL); closing ' +
        'stops an InfluxQL stream half-read instead',
      instead: closingStopsAStream,
    },
  },
});
