/**
 * Issue 13, parts 1, 2, 3 and 5 for `--storage influxdb3`: two fluxgate gateways on one PostgreSQL
 * catalog in front of a fluxgate storage node (a plain `fluxgate serve` with its own SQLite catalog,
 * called with its admin token). A write through either gateway is read through the other (SQL and
 * InfluxQL); a token for one database cannot reach another upstream database through hostile SQL; a
 * revoke holds on both gateways at once; the upstream credential appears in no log and no response;
 * with the upstream stopped, data requests answer 503 with a reason while token management works,
 * and once it is back everything works again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  eventually,
  type FluxgateUpstream,
  type GatewayCluster,
  recordingCall,
  startFluxgateUpstream,
  startGateways,
} from '../helpers/gateways.ts';
import { call } from '../helpers/http.ts';
import type { ScratchDatabase } from '../helpers/postgres.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { dbPermission } from '../http/support.ts';

const BASE_NS = 1_700_000_000_000_000_000n;
const STORAGE_ARGS = ['--query-max-result', 'unlimited', '--log-level', 'info'];

/** The rows of a json or jsonl answer. */
function parsedAnswer(format: string, text: string): Array<Record<string, unknown>> {
  if (format === 'json') return JSON.parse(text);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('two gateways on one PostgreSQL catalog in front of a fluxgate storage node', () => {
  let upstream: FluxgateUpstream | undefined;
  let cluster: GatewayCluster | undefined;
  let scratch: ScratchDatabase | undefined;
  let storage: ServerProcess | undefined;
  let gateways: ServerProcess[] = [];
  let upstreamToken = '';
  let operator = '';
  /** Every response body and header the tests saw, to prove the upstream credential is in none. */
  const seen: string[] = [];
  const req = recordingCall(seen);
  const gw = (i: number) => gateways[i] as ServerProcess;
  const sql = (on: ServerProcess, db: string, q: string, token = operator) =>
    req<Array<Record<string, unknown>>>(on.url, 'GET', `/api/v3/query_sql?db=${db}&q=${encodeURIComponent(q)}`, {
      token,
    });
  const influxql = (on: ServerProcess, db: string, q: string, token = operator) =>
    req(on.url, 'GET', `/query?db=${db}&q=${encodeURIComponent(q)}`, { token });
  const write = (on: ServerProcess, db: string, body: string, token = operator) =>
    req(on.url, 'POST', `/api/v3/write_lp?db=${db}`, { token, body });
  const mint = async (on: ServerProcess, name: string, databases: string[]) => {
    const issued = await req<{ token: string }>(on.url, 'POST', '/api/v3/enterprise/configure/token', {
      token: operator,
      json: { token_name: name, permissions: [dbPermission(databases, ['read'])] },
    });
    assert.equal(issued.status, 201, issued.text);
    return issued.body.token;
  };

  before(async () => {
    upstream = await startFluxgateUpstream(STORAGE_ARGS);
    storage = upstream.node;
    upstreamToken = upstream.token;
    const started = await startGateways({
      count: 2,
      storage: 'influxdb3',
      upstreamArgs: (dir) => (upstream as FluxgateUpstream).gatewayArgs(dir),
      scratchPrefix: 'gateway',
    });
    cluster = started;
    ({ gateways, operator, scratch } = started);
  });

  after(async () => {
    await Promise.all([cluster?.dispose(), upstream?.dispose()]);
  });

  test('a write through gateway A is read through gateway B, in SQL and InfluxQL, and lives on the upstream', async () => {
    for (const db of ['metrics', 'secrets']) {
      const created = await req(gw(0).url, 'POST', '/api/v3/configure/database', { token: operator, json: { db } });
      assert.equal(created.status, 201, created.text);
    }
    const upstreamDatabases = await call(storage!.url, 'GET', '/api/v3/configure/database?format=json', {
      token: upstreamToken,
    });
    assert.match(upstreamDatabases.text, /"metrics"/, 'the create drove the upstream');
    assert.match(upstreamDatabases.text, /"secrets"/);

    const written = await write(
      gw(0),
      'metrics',
      'cpu,host=a usage=1 1700000000000000000\ncpu,host=b usage=2 1700000000000000001',
    );
    assert.equal(written.status, 204, written.text);
    assert.equal((await write(gw(0), 'secrets', 'vault,owner=x pin=4242i 1700000000000000000')).status, 204);

    await eventually(async () => (await sql(gw(1), 'metrics', 'SELECT 1')).status === 200, 'B knowing metrics');
    const onB = await sql(gw(1), 'metrics', 'SELECT host, usage FROM cpu ORDER BY time');
    assert.equal(onB.status, 200, onB.text);
    assert.deepEqual(onB.body, [
      { host: 'a', usage: 1 },
      { host: 'b', usage: 2 },
    ]);
    const viaInfluxql = await influxql(gw(1), 'metrics', 'SELECT usage FROM cpu');
    assert.equal(viaInfluxql.status, 200, viaInfluxql.text);
    const series = (viaInfluxql.body as { results: Array<{ series?: Array<{ values: unknown[][] }> }> }).results[0]
      ?.series?.[0];
    assert.deepEqual(
      series?.values.map((row) => row[1]),
      [1, 2],
    );

    // And the other way round; the data is the upstream's, not a gateway's.
    assert.equal((await write(gw(1), 'metrics', 'cpu,host=c usage=3 1700000000000000002')).status, 204);
    const onA = await sql(gw(0), 'metrics', 'SELECT count(*) AS n FROM cpu');
    assert.deepEqual(onA.body, [{ n: 3 }]);
    const direct = await call<Array<{ n: number }>>(
      storage!.url,
      'GET',
      `/api/v3/query_sql?db=metrics&q=${encodeURIComponent('SELECT count(*) AS n FROM cpu')}`,
      { token: upstreamToken },
    );
    assert.deepEqual(direct.body, [{ n: 3 }]);
    // A line the upstream refuses (a type conflict) comes back under the client's own line number.
    const partial = await write(
      gw(1),
      'metrics',
      'cpu,host=e usage=5 1700000000000000010\ncpu,host=e usage="x" 1700000000000000011',
    );
    assert.equal(partial.status, 400, partial.text);
    const data = (partial.body as { data?: Array<{ line_number: number }> }).data;
    assert.deepEqual(
      data?.map((line) => line.line_number),
      [2],
      partial.text,
    );
    // A bad line the gateway itself cannot parse: the good lines are re-encoded and still numbered as sent.
    const mixed = await write(
      gw(0),
      'metrics',
      'cpu,host=f usage=6 1700000000000000020\nnot line protocol\ncpu,host=f usage="y" 1700000000000000021',
    );
    assert.deepEqual(
      (mixed.body as { data?: Array<{ line_number: number }> }).data?.map((line) => line.line_number),
      [2, 3],
      mixed.text,
    );
    assert.deepEqual(
      (await sql(gw(0), 'metrics', "SELECT host FROM cpu WHERE host IN ('e', 'f') ORDER BY host")).body,
      [{ host: 'e' }, { host: 'f' }],
    );
    const parquet = await req(gw(0).url, 'GET', '/api/v3/query_sql?db=metrics&q=select+1&format=parquet', {
      token: operator,
    });
    assert.equal(parquet.status, 501, parquet.text);
    assert.equal(parquet.headers.get('x-fluxgate-error'), 'STORAGE_CAPABILITY_ABSENT');
    assert.ok(parquet.text.includes(storage!.url), `names the upstream: ${parquet.text}`);
  });

  test('json and jsonl through a gateway are what the storage node answers, byte for byte; a cap cuts them at a row with the marker', async () => {
    const created = await req(gw(0).url, 'POST', '/api/v3/configure/database', {
      token: operator,
      json: { db: 'lines' },
    });
    assert.equal(created.status, 201, created.text);
    const points = Array.from({ length: 3000 }, (_, i) => {
      const text = i % 7 === 0 ? ',s="say \\"hi\\", \\\\ é"' : '';
      return `t,host=h${i % 3} f=${i}.25,n=${i}i,b=${i % 2 === 0}${text} ${BASE_NS + BigInt(i)}`;
    });
    assert.equal((await write(gw(1), 'lines', points.join('\n'))).status, 204);
    const q = encodeURIComponent('SELECT * FROM t ORDER BY time');
    for (const format of ['json', 'jsonl']) {
      const path = `/api/v3/query_sql?db=lines&q=${q}&format=${format}`;
      const through = await req(gw(0).url, 'GET', path, { token: operator });
      const direct = await call(storage!.url, 'GET', path, { token: upstreamToken });
      assert.equal(through.status, 200, through.text);
      assert.equal(through.text, direct.text, `${format}: the gateway passes the upstream's answer on`);
      assert.equal(through.headers.get('content-type'), direct.headers.get('content-type'));
      const rows = parsedAnswer(format, through.text);
      assert.equal(rows.length, 3000);
      assert.deepEqual(rows[7], {
        b: false,
        f: 7.25,
        host: 'h1',
        n: 7,
        s: 'say "hi", \\ é',
        time: '2023-11-14T22:13:20.000000007Z',
      });
    }
    // csv comes over Flight and is encoded here: the same columns and rows as the passed-on json.
    const csv = await req(gw(0).url, 'GET', `/api/v3/query_sql?db=lines&q=${q}&format=csv`, { token: operator });
    const csvLines = csv.text.trimEnd().split('\n');
    assert.equal(csvLines.length, 3001);
    assert.deepEqual(
      csvLines[0]?.split(','),
      Object.keys(parsedAnswer('json', (await sql(gw(0), 'lines', 'SELECT * FROM t ORDER BY time')).text)[0] ?? {}),
    );
    assert.equal(csvLines[8], '2023-11-14T22:13:20.000000007Z,h1,7.25,7,false,"say ""hi"", \\ é"');

    const capped = await startServerProcess({ args: [...cluster!.args, '--query-max-result', '2000rows'] });
    try {
      for (const format of ['json', 'jsonl']) {
        const path = `/api/v3/query_sql?db=lines&q=${q}&format=${format}`;
        const cut = await req(capped.url, 'GET', path, { token: operator });
        assert.equal(cut.status, 200, 'past the first 64 KiB the answer is sent and ends in the marker');
        const rows = parsedAnswer(format, cut.text);
        assert.equal(rows.length, 2001, format);
        assert.equal(rows[1999]?.n, 1999);
        assert.match(String(rows[2000]?.fluxgate_truncated), /more than 2000 rows.*--query-max-result/);
        const small = await req(
          capped.url,
          'GET',
          `/api/v3/query_sql?db=lines&q=${encodeURIComponent('SELECT 1 AS x FROM t')}&format=${format}`,
          {
            token: operator,
          },
        );
        assert.equal(small.status, 400, 'past the cap within the first 64 KiB: the error, not a cut answer');
        assert.match(small.text, /--query-max-result/);
      }
    } finally {
      await capped.dispose();
    }
  });

  test('a token for one database cannot reach another upstream database through hostile SQL or InfluxQL', async () => {
    const reader = await mint(gw(0), 'metrics-reader', ['metrics']);
    await eventually(
      async () => (await sql(gw(1), 'metrics', 'SELECT 1', reader)).status === 200,
      'B knowing the token',
    );
    const hostile = [
      'SELECT * FROM secrets.vault',
      'SELECT * FROM secrets.main.vault',
      'SELECT * FROM "secrets"."vault"',
      'SELECT * FROM vault',
      "SELECT * FROM information_schema.columns WHERE table_name = 'vault' OR 1 = 1",
      'SELECT * FROM information_schema.tables, cpu',
      'SELECT * FROM system.tokens',
      'SELECT * FROM iox.vault',
      "SELECT * FROM read_parquet('secrets/*.parquet')",
      'SELECT (SELECT max(pin) FROM secrets.vault) AS pin FROM cpu',
    ];
    for (const gateway of gateways) {
      for (const q of hostile) {
        const refused = await sql(gateway, 'metrics', q, reader);
        assert.equal(refused.status, 400, `${q}: ${refused.text}`);
        assert.ok(!refused.text.includes('4242'), `${q} leaked the other database: ${refused.text}`);
      }
      const other = await sql(gateway, 'secrets', 'SELECT pin FROM vault', reader);
      assert.equal(other.status, 403, other.text);
      for (const q of [
        'SELECT * FROM secrets.autogen.vault',
        'SELECT * FROM "secrets"."autogen"."vault"',
        'SHOW DATABASES',
      ]) {
        const answer = await influxql(gateway, 'metrics', q, reader);
        assert.ok(!answer.text.includes('4242'), `${q} leaked the other database: ${answer.text}`);
        assert.ok(!answer.text.includes('"secrets"'), `${q} named the other database: ${answer.text}`);
      }
      // The schema questions are answered from this database's schema alone.
      const columns = await sql(
        gateway,
        'metrics',
        'SELECT table_name, column_name FROM information_schema.columns',
        reader,
      );
      assert.equal(columns.status, 200, columns.text);
      assert.ok(!columns.text.includes('vault'), columns.text);
    }
  });

  test('a deleted and re-created name gets a fresh upstream database: none of the old data comes back', async () => {
    const deleted = await req(gw(0).url, 'DELETE', '/api/v3/configure/database?db=secrets', { token: operator });
    assert.ok(deleted.status < 300, deleted.text);
    await eventually(
      async () => (await sql(gw(1), 'secrets', 'SELECT 1')).status === 404,
      'B knowing secrets is deleted',
    );
    const again = await req(gw(1).url, 'POST', '/api/v3/configure/database', {
      token: operator,
      json: { db: 'secrets' },
    });
    assert.equal(again.status, 201, again.text);
    const rows = await scratch!.query(
      `select id, upstream_name, deleted_at from databases where name = 'secrets' order by id`,
    );
    assert.equal(rows.length, 2);
    assert.equal(rows[0]?.upstream_name, 'secrets');
    assert.equal(rows[1]?.upstream_name, `secrets-${rows[1]?.id}`);
    for (const gateway of gateways) {
      await eventually(async () => (await sql(gateway, 'secrets', 'SELECT 1')).status === 200, 'the new secrets');
      const old = await sql(gateway, 'secrets', 'SELECT pin FROM vault');
      assert.equal(old.status, 400, old.text);
      assert.ok(!old.text.includes('4242'), old.text);
    }
    // The old data is still kept upstream for the recovery window (an undelete would bring it back).
    const kept = await call(storage!.url, 'GET', '/api/v3/query_sql?db=secrets&q=select+pin+from+vault', {
      token: upstreamToken,
    });
    assert.match(kept.text, /4242/);
  });

  test('a revoked token is refused by both gateways on the very next request', async () => {
    const doomed = await mint(gw(1), 'doomed', ['metrics']);
    for (const gateway of gateways) {
      await eventually(
        async () => (await sql(gateway, 'metrics', 'SELECT 1', doomed)).status === 200,
        'the token working',
      );
    }
    const revoked = await req(gw(0).url, 'DELETE', '/api/v3/configure/token?token_name=doomed', { token: operator });
    assert.ok(revoked.status < 300, revoked.text);
    for (const gateway of gateways) {
      const refused = await sql(gateway, 'metrics', 'SELECT 1', doomed);
      assert.equal(refused.status, 401, `${gateway.url}: ${refused.text}`);
    }
  });

  test('upstream stopped: 503 with a reason on data and /health, token management still works; restarted: works again', async () => {
    const port = new URL(storage!.url).port;
    await upstream!.node.stop();
    for (const gateway of gateways) {
      for (const down of [
        await write(gateway, 'metrics', 'cpu,host=d usage=4 1700000000000000003'),
        await sql(gateway, 'metrics', 'SELECT count(*) FROM cpu'),
        await influxql(gateway, 'metrics', 'SELECT usage FROM cpu'),
        await req(gateway.url, 'GET', '/health', { token: operator }),
      ]) {
        assert.equal(down.status, 503, down.text);
        assert.equal(down.headers.get('x-fluxgate-error'), 'UPSTREAM_UNAVAILABLE');
        assert.match(down.text, /unavailable: (connection refused|.+)/);
        assert.ok(down.text.includes(storage!.url), `names the upstream: ${down.text}`);
      }
      const minted = await req(gateway.url, 'POST', '/api/v3/enterprise/configure/token', {
        token: operator,
        json: {
          token_name: `while-down-${port}-${gateways.indexOf(gateway)}`,
          permissions: [dbPermission(['metrics'], ['read'])],
        },
      });
      assert.equal(minted.status, 201, minted.text);
      assert.equal((await req(gateway.url, 'GET', '/api/v3/configure/token', { token: operator })).status, 200);
    }

    await upstream!.restart();
    storage = upstream!.node;
    for (const gateway of gateways) {
      await eventually(
        async () => (await req(gateway.url, 'GET', '/health', { token: operator })).status === 200,
        `${gateway.url} seeing the upstream again`,
      );
      assert.equal(
        (await write(gateway, 'metrics', `cpu,host=${gateway.url.length} usage=5 ${Date.now()}000000`)).status,
        204,
      );
      await eventually(
        async () => (await sql(gateway, 'metrics', 'SELECT count(*) FROM cpu')).status === 200,
        'queries again',
      );
    }
    const counted = await sql(gw(0), 'metrics', 'SELECT count(*) AS n FROM cpu');
    assert.ok((counted.body[0]?.n as number) >= 6, counted.text);
  });

  test('the upstream credential appears in no log and no response', () => {
    assert.ok(upstreamToken.length > 20);
    assert.ok(seen.length > 50, `checked ${seen.length} responses`);
    for (const text of seen) assert.ok(!text.includes(upstreamToken), 'a response carried the upstream credential');
    for (const gateway of gateways) {
      assert.ok(gateway.output().length > 0);
      assert.ok(!gateway.output().includes(upstreamToken), `${gateway.url} logged the upstream credential`);
    }
  });
});
