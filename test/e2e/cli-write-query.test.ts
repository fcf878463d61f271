import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

let server: ServerProcess;
let env: Record<string, string>;
let admin: string;
const scratch = mkdtempSync(join(tmpdir(), 'fluxgate-cli-data-'));

before(async () => {
  server = await startServerProcess();
  admin = await bootstrap(server.url);
  env = { FLUXGATE_HOST: server.url, FLUXGATE_TOKEN: admin };
});
after(async () => {
  await server.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

test('write a string, then query it back as csv', async () => {
  const write = await runCli(
    ['write', '--database', 'sensors', '--precision', 's', 'cpu,host=a usage=0.5 1732500000'],
    { env },
  );
  assert.equal(write.code, 0, write.stderr);
  assert.match(write.stdout, /^wrote 1 line to sensors$/m);
  const query = await runCli(
    ['query', '--database', 'sensors', '--format', 'csv', 'SELECT host, avg(usage) AS mean FROM cpu GROUP BY host'],
    { env },
  );
  assert.equal(query.code, 0, query.stderr);
  assert.equal(query.stdout, 'host,mean\na,0.5\n');
});

test('write a large file in batches, and from stdin; line numbers of rejected lines are file line numbers', async () => {
  const lines = Array.from({ length: 12_345 }, (_, i) => `big,host=h${i % 10} v=${i}i ${1_700_000_000_000 + i}`);
  lines[7000] = 'big,host=x v=not-a-number 1';
  const file = join(scratch, 'metrics.lp');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const write = await runCli(['write', '--database', 'files', '--precision', 'ms', file], { env });
  assert.equal(write.code, 1, 'a rejected line makes the command fail');
  assert.match(write.stderr, /line 7001: /);
  assert.match(write.stderr, /1 of 12,345 lines was rejected/);
  const count = await runCli(['query', '--database', 'files', '--format', 'json', 'SELECT count(*) AS n FROM big'], {
    env,
  });
  assert.deepEqual(JSON.parse(count.stdout), [{ n: 12_344 }]);
  const stdin = await runCli(['write', '--database', 'files', '-'], {
    env,
    input: 'piped,host=a v=1\npiped,host=b v=2\n',
  });
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.match(stdin.stdout, /^wrote 2 lines to files$/m, 'the trailing newline is not counted as a line');
  const piped = await runCli(['query', '--database', 'files', '--format', 'jsonl', 'SELECT count(*) AS n FROM piped'], {
    env,
  });
  assert.equal(piped.stdout.trim(), '{"n":2}');
});

test('query to a parquet file; refused queries and missing rights exit non-zero with the reason', async () => {
  const out = join(scratch, 'out.parquet');
  const parquet = await runCli(
    ['query', '--database', 'sensors', '--format', 'parquet', '--output', out, 'SELECT * FROM cpu'],
    { env },
  );
  assert.equal(parquet.code, 0, parquet.stderr);
  assert.equal(readFileSync(out).subarray(0, 4).toString(), 'PAR1');
  const refused = await runCli(['query', '--database', 'sensors', "SELECT * FROM read_csv('/etc/passwd')"], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /read_csv/);
  const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: admin,
    json: {
      token_name: 'reader',
      permissions: [{ resource_type: 'db', resource_names: ['sensors'], actions: ['read'] }],
    },
  });
  const denied = await runCli(['write', '--database', 'sensors', '--token', issued.body.token, 'cpu,host=b usage=1'], {
    env: { FLUXGATE_HOST: server.url },
  });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /403/);
  const viaInfluxEnv = await runCli(['query', '--database', 'sensors', 'SELECT count(*) AS n FROM cpu'], {
    env: { INFLUXDB3_HOST_URL: server.url, INFLUXDB3_AUTH_TOKEN: issued.body.token },
  });
  assert.equal(viaInfluxEnv.code, 0, viaInfluxEnv.stderr);
  assert.match(viaInfluxEnv.stdout, /\| 1 +\|/);
});

test('query --language influxql, --format table|json|csv, --time-format unixnano (over Flight)', async () => {
  const write = await runCli(
    [
      'write',
      '--database',
      'langs',
      'cpu,host=a usage=1.5 1700000000123456789\ncpu,host=b usage=2.5 1700000001000000000',
    ],
    { env },
  );
  assert.equal(write.code, 0, write.stderr);
  const influxql = await runCli(
    [
      'query',
      '--database',
      'langs',
      '--language',
      'influxql',
      '--format',
      'json',
      'SELECT last(usage) FROM cpu GROUP BY host',
    ],
    { env },
  );
  assert.equal(influxql.code, 0, influxql.stderr);
  assert.deepEqual(JSON.parse(influxql.stdout), [
    { 'iox::measurement': 'cpu', time: '2023-11-14T22:13:20.123456789Z', host: 'a', last: 1.5 },
    { 'iox::measurement': 'cpu', time: '2023-11-14T22:13:21Z', host: 'b', last: 2.5 },
  ]);
  const table = await runCli(['query', '--database', 'langs', '--language', 'influxql', 'SHOW TAG KEYS'], { env });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /\| iox::measurement \| tagKey \|/);
  const nanos = await runCli(
    [
      'query',
      '--database',
      'langs',
      '--format',
      'csv',
      '--time-format',
      'unixnano',
      'SELECT time, host FROM cpu ORDER BY time',
    ],
    { env },
  );
  assert.equal(nanos.code, 0, nanos.stderr);
  assert.equal(nanos.stdout, 'time,host\n1700000000123456789,a\n1700000001000000000,b\n');
  const json = await runCli(
    [
      'query',
      '--database',
      'langs',
      '--language',
      'influxql',
      '--format',
      'jsonl',
      '--time-format',
      'unixnano',
      "SELECT usage FROM cpu WHERE host = 'a'",
    ],
    { env },
  );
  assert.equal(json.stdout, '{"iox::measurement":"cpu","time":1700000000123456789,"usage":1.5}\n');
  const failed = await runCli(['query', '--database', 'langs', '--time-format', 'unixnano', 'SELECT * FROM nope'], {
    env,
  });
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /table 'nope' does not exist/);
});
