// The InfluxDB 1.x upstream client against a real Debian InfluxDB 1.6.7 with auth on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Influxdb1Client, type Influxdb1UpstreamError } from '../../../src/storage/upstream/influxdb1-client.ts';
import { parseInfluxdb1Credential } from '../../../src/storage/upstream/influxdb1-credential.ts';
import { type Influxdb1, startInfluxdb1 } from '../../helpers/influxdb1.ts';

let influx: Influxdb1;
let client: Influxdb1Client;

before(async () => {
  influx = await startInfluxdb1();
  client = new Influxdb1Client({
    url: influx.url,
    credential: { username: influx.username, password: influx.password },
    timeoutMs: 5_000,
  });
});

after(async () => {
  await influx?.dispose();
});

async function rows(database: string, text: string, chunkSize?: number): Promise<unknown[][]> {
  const out: unknown[][] = [];
  const options = chunkSize === undefined ? {} : { chunkSize };
  for await (const chunk of client.query(database, text, options)) {
    assert.equal(chunk.error, undefined);
    for (const series of chunk.series ?? []) out.push(...(series.values ?? []));
  }
  return out;
}

describe('InfluxDB 1.x credential', () => {
  test('username:password, the password may hold colons; bad text is refused without being repeated', () => {
    assert.deepEqual(parseInfluxdb1Credential(' fluxgate:pa:ss\n', 'file x'), {
      username: 'fluxgate',
      password: 'pa:ss',
    });
    for (const bad of ['nocolon-s3cret', ':s3cret', 's3cret:', 'a:b\nc:s3cret', '']) {
      assert.throws(
        () => parseInfluxdb1Credential(bad, 'file x'),
        (error: Error) => error.message.startsWith('file x must hold') && !error.message.includes('s3cret'),
      );
    }
  });
});

describe('InfluxDB 1.x upstream client', () => {
  test('create, write in every precision, read back in nanoseconds, drop', async () => {
    await client.createDatabase('fg_1_a');
    await client.write('fg_1_a', 'cpu,host=n v=1 1000000000', 'ns');
    await client.write('fg_1_a', 'cpu,host=u v=2 2000000', 'us');
    await client.write('fg_1_a', 'cpu,host=m v=3 3000', 'ms');
    await client.write('fg_1_a', new TextEncoder().encode('cpu,host=s v=4 4'), 's');
    assert.deepEqual(await rows('fg_1_a', 'SELECT "v", "host" FROM "fg_1_a".."cpu"'), [
      [1_000_000_000, 1, 'n'],
      [2_000_000_000, 2, 'u'],
      [3_000_000_000, 3, 'm'],
      [4_000_000_000, 4, 's'],
    ]);
    await client.dropDatabase('fg_1_a');
    assert.deepEqual(await client.schema('fg_1_a'), []);
  });

  test('a large result arrives in chunks and all of it is read', async () => {
    await client.createDatabase('fg_2_big');
    const lines = Array.from({ length: 2_500 }, (_, i) => `m,s=${i % 5} v=${i}i ${i + 1}`).join('\n');
    await client.write('fg_2_big', lines);
    let chunks = 0;
    let count = 0;
    for await (const chunk of client.query('fg_2_big', 'SELECT v FROM "fg_2_big".."m"', { chunkSize: 500 })) {
      chunks++;
      for (const series of chunk.series ?? []) count += series.values?.length ?? 0;
    }
    assert.equal(count, 2_500);
    assert.ok(chunks >= 5, `${chunks} chunks`);
  });

  test('schema: measurements, tag keys and typed field keys in byte order', async () => {
    await client.createDatabase('fg_3_schema');
    await client.write('fg_3_schema', 'mem,zone=z,host=h used=1i,free=2.5,ok=true,note="x" 1\ncpu,host=h v=1 1');
    assert.deepEqual(await client.schema('fg_3_schema'), [
      { name: 'cpu', tags: ['host'], fields: [{ name: 'v', type: 'float' }] },
      {
        name: 'mem',
        tags: ['host', 'zone'],
        fields: [
          { name: 'free', type: 'float' },
          { name: 'note', type: 'string' },
          { name: 'ok', type: 'boolean' },
          { name: 'used', type: 'integer' },
        ],
      },
    ]);
  });

  test('a line the upstream refuses, or a statement error, is `refused` with the upstream message', async () => {
    await client.createDatabase('fg_4_err');
    await client.write('fg_4_err', 'cpu v=1i 1');
    await assert.rejects(client.write('fg_4_err', 'cpu v="text" 2'), (error: Influxdb1UpstreamError) => {
      assert.equal(error.kind, 'refused');
      assert.equal(error.status, 400);
      assert.match(error.message, /field type conflict/);
      return true;
    });
    await assert.rejects(client.statements('fg_4_err', 'SELECT nope( FROM cpu'), { name: 'Influxdb1UpstreamError' });
  });

  test('a wrong credential is refused and the password appears in no message', async () => {
    const wrong = new Influxdb1Client({
      url: influx.url,
      credential: { username: influx.username, password: 'not-the-password-xyz' },
      timeoutMs: 5_000,
    });
    await assert.rejects(wrong.write('fg_4_err', 'cpu v=1i 3'), (error: Influxdb1UpstreamError) => {
      assert.equal(error.kind, 'refused');
      assert.equal(error.status, 401);
      assert.match(error.message, /credential was refused/);
      assert.doesNotMatch(error.message, /not-the-password-xyz/);
      return true;
    });
    // InfluxDB 1.x answers /ping without a credential: reachability says nothing about the credential.
    assert.equal(await wrong.unreachable(), undefined);
  });

  test('stopped upstream: unavailable with a reason, /ping says why; started again: works', async () => {
    assert.equal(await client.unreachable(), undefined);
    await influx.stop();
    try {
      const reason = await client.unreachable(1_000);
      assert.match(reason ?? '', /is not reachable \(ECONNREFUSED\)/);
      await assert.rejects(client.write('fg_4_err', 'cpu v=1i 4'), (error: Influxdb1UpstreamError) => {
        assert.equal(error.kind, 'unavailable');
        assert.match(error.message, new RegExp(`InfluxDB 1.x upstream ${influx.url} is not reachable`));
        assert.doesNotMatch(error.message, new RegExp(influx.password));
        return true;
      });
    } finally {
      await influx.start();
    }
    assert.equal(await client.unreachable(), undefined);
    assert.deepEqual(await rows('fg_4_err', 'SELECT count(v) FROM "fg_4_err".."cpu"'), [[0, 1]]);
  });
});
