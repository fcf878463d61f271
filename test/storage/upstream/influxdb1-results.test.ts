// InfluxDB 1.x answers as fluxgate's series parts, read from a real InfluxDB 1.6.7.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ColumnType, SeriesPart } from '../../../src/influxql/result.ts';
import { Influxdb1Client } from '../../../src/storage/upstream/influxdb1-client.ts';
import { seriesPartsOf, UpstreamStatementError } from '../../../src/storage/upstream/influxdb1-results.ts';
import { parseV1Json } from '../../../src/storage/upstream/v1-json.ts';
import { type Influxdb1, startInfluxdb1 } from '../../helpers/influxdb1.ts';

let influx: Influxdb1;
let client: Influxdb1Client;
const T = 1_704_067_200_123_456_789n; // 2024-01-01T00:00:00.123456789Z, far beyond 2^53

before(async () => {
  influx = await startInfluxdb1();
  client = new Influxdb1Client({
    url: influx.url,
    credential: { username: influx.username, password: influx.password },
    timeoutMs: 5_000,
  });
  await client.createDatabase('fg_1_r');
  const lines = [
    `cpu,host=b,region=eu usage=1.5,n=9007199254740993i ${T}`,
    `cpu,host=a,region=us usage=2,n=1i ${T + 1n}`,
  ];
  for (let i = 0; i < 30; i++) lines.push(`many,s=x v=${i}i ${T + BigInt(i)}`);
  await client.write('fg_1_r', lines.join('\n'));
});

after(async () => {
  await influx?.dispose();
});

async function parts(text: string, chunkSize?: number, types?: Map<string, ColumnType>): Promise<SeriesPart[]> {
  const out: SeriesPart[] = [];
  const options = chunkSize === undefined ? {} : { chunkSize };
  for await (const part of seriesPartsOf(client.query('fg_1_r', text, options), types)) out.push(part);
  return out;
}

describe('exact JSON', () => {
  test('integers beyond 2^53 stay exact, strings that look like numbers stay strings', () => {
    assert.deepEqual(parseV1Json('{"a":[1704067200123456789,-9007199254740993,1.5e3,"12345678901234567890",3]}'), {
      a: [1704067200123456789n, -9007199254740993n, 1500, '12345678901234567890', 3],
    });
    assert.deepEqual(parseV1Json('{"k\\"1":"x\\\\",  "n": 12}'), { 'k"1': 'x\\', n: 12 });
  });
});

describe('InfluxDB 1.x results as series parts', () => {
  test("nanosecond times exact as bigint, tags sorted by key (series in the upstream's tag-set order), column types from the schema", async () => {
    const types = new Map<string, ColumnType>([
      ['usage', 'float'],
      ['n', 'integer'],
    ]);
    const got = await parts('SELECT usage, n FROM "fg_1_r".."cpu" GROUP BY region, host', undefined, types);
    assert.deepEqual(
      got.map((p) => [p.name, p.tags, p.columns, p.types, p.values, p.continues]),
      [
        [
          'cpu',
          [
            ['host', 'a'],
            ['region', 'us'],
          ],
          ['time', 'usage', 'n'],
          ['time', 'float', 'integer'],
          [[T + 1n, 2, 1]],
          false,
        ],
        [
          'cpu',
          [
            ['host', 'b'],
            ['region', 'eu'],
          ],
          ['time', 'usage', 'n'],
          ['time', 'float', 'integer'],
          [[T, 1.5, 9007199254740993n]],
          false,
        ],
      ],
    );
  });

  test('a series split across chunks continues until its last part', async () => {
    const got = await parts('SELECT v FROM "fg_1_r".."many"', 7);
    assert.ok(got.length >= 5, `${got.length} parts`);
    assert.deepEqual(
      got.map((p) => p.continues),
      [...got.slice(1).map(() => true), false],
    );
    assert.deepEqual(
      got.flatMap((p) => p.values.map((row) => row[0])),
      Array.from({ length: 30 }, (_, i) => T + BigInt(i)),
    );
  });

  test('a statement the upstream refuses throws its message as a statement error', async () => {
    await assert.rejects(parts('SELECT v FROM "fg_1_r".."many" GROUP BY time(1m)'), (error: Error) => {
      assert.ok(error instanceof UpstreamStatementError);
      assert.match(error.message, /aggregate/);
      return true;
    });
  });
});
