/**
 * Issue 13, scale out: three fluxgate gateways (`--storage influxdb3`) on one PostgreSQL catalog in
 * front of one fluxgate storage node. A write through any node is read through every other; a
 * revoked token is refused by every node on its next request; and the upstream killed and started
 * again while writes and queries run through all three: what is in flight or sent while it is down
 * answers 503 UPSTREAM_UNAVAILABLE with a reason, token management keeps working, data requests
 * recover once it is back, and every write that was acknowledged is there.
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
import type { ServerProcess } from '../helpers/server-process.ts';
import { dbPermission } from '../http/support.ts';

const BASE_NS = 1_700_000_000_000_000_000n;
const LINES_PER_WRITE = 20;

describe('three gateways on one PostgreSQL catalog in front of a fluxgate storage node', () => {
  let upstream: FluxgateUpstream | undefined;
  let cluster: GatewayCluster | undefined;
  let gateways: ServerProcess[] = [];
  let operator = '';
  const seen: string[] = [];
  const req = recordingCall(seen);
  const sql = (on: ServerProcess, db: string, q: string, token = operator) =>
    req<Array<Record<string, unknown>>>(on.url, 'GET', `/api/v3/query_sql?db=${db}&q=${encodeURIComponent(q)}`, {
      token,
    });
  const write = (on: ServerProcess, db: string, body: string, token = operator) =>
    req(on.url, 'POST', `/api/v3/write_lp?db=${db}`, { token, body });
  const createDatabase = async (db: string) => {
    const created = await req(gateways[0]!.url, 'POST', '/api/v3/configure/database', {
      token: operator,
      json: { db },
    });
    assert.equal(created.status, 201, created.text);
    for (const gateway of gateways) {
      await eventually(async () => (await sql(gateway, db, 'SELECT 1')).status === 200, `${gateway.url} knowing ${db}`);
    }
  };

  before(async () => {
    upstream = await startFluxgateUpstream(['--query-max-result', 'unlimited', '--log-level', 'warn']);
    cluster = await startGateways({
      count: 3,
      storage: 'influxdb3',
      upstreamArgs: (dir) => (upstream as FluxgateUpstream).gatewayArgs(dir),
      scratchPrefix: 'gateway3',
    });
    ({ gateways, operator } = cluster);
  });

  after(async () => {
    await Promise.all([cluster?.dispose(), upstream?.dispose()]);
  });

  test('a write through any node is read through every other', async () => {
    await createDatabase('shared');
    for (const [i, gateway] of gateways.entries()) {
      const written = await write(gateway, 'shared', `cpu,node=n${i} usage=${i + 0.5} ${BASE_NS + BigInt(i)}`);
      assert.equal(written.status, 204, written.text);
    }
    for (const [i] of gateways.entries()) {
      for (const [j, reader] of gateways.entries()) {
        if (j === i) continue;
        const read = await sql(reader, 'shared', `SELECT usage FROM cpu WHERE node = 'n${i}'`);
        assert.equal(read.status, 200, read.text);
        assert.deepEqual(read.body, [{ usage: i + 0.5 }], `written through ${i}, read through ${j}`);
      }
    }
  });

  test('a revoked token is refused by every node on its very next request', async () => {
    const issued = await req<{ token: string }>(gateways[2]!.url, 'POST', '/api/v3/enterprise/configure/token', {
      token: operator,
      json: { token_name: 'doomed', permissions: [dbPermission(['shared'], ['read'])] },
    });
    assert.equal(issued.status, 201, issued.text);
    const doomed = issued.body.token;
    for (const gateway of gateways) {
      await eventually(
        async () => (await sql(gateway, 'shared', 'SELECT 1', doomed)).status === 200,
        `${gateway.url} taking the token`,
      );
    }
    const revoked = await req(gateways[1]!.url, 'DELETE', '/api/v3/configure/token?token_name=doomed', {
      token: operator,
    });
    assert.ok(revoked.status < 300, revoked.text);
    for (const gateway of gateways) {
      const refused = await sql(gateway, 'shared', 'SELECT 1', doomed);
      assert.equal(refused.status, 401, `${gateway.url}: ${refused.text}`);
    }
  });

  test('the upstream killed and started again under load: 503 with a reason, tokens still managed, data recovers, nothing acknowledged lost', async (t) => {
    await createDatabase('load');
    assert.equal((await write(gateways[0]!, 'load', `load,writer=seed seq=-1i ${BASE_NS}`)).status, 204);
    const upstreamUrl = upstream!.node.url;
    /** Per gateway: acknowledged writes, 503 refusals, answered and refused queries, and when the last ack came. */
    const stats = gateways.map(() => ({
      acked: 0,
      refusedWrites: 0,
      answered: 0,
      refusedQueries: 0,
      lastAck: 0,
      lastAnswer: 0,
    }));
    const ackedSeqs: number[] = [];
    const unexpected: string[] = [];
    let next = 0;
    let running = true;
    const isUnavailable = (response: { status: number; headers: Headers; text: string }) =>
      response.status === 503 &&
      response.headers.get('x-fluxgate-error') === 'UPSTREAM_UNAVAILABLE' &&
      /unavailable: \S/.test(response.text) &&
      response.text.includes(upstreamUrl);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 15));
    const writer = async (g: number) => {
      while (running) {
        const first = next;
        next += LINES_PER_WRITE;
        const lines = Array.from(
          { length: LINES_PER_WRITE },
          (_, k) => `load,writer=g${g} seq=${first + k}i ${BASE_NS + BigInt(first + k + 1)}`,
        );
        const answer = await write(gateways[g]!, 'load', lines.join('\n'));
        if (answer.status === 204) {
          for (let k = 0; k < LINES_PER_WRITE; k++) ackedSeqs.push(first + k);
          stats[g]!.acked++;
          stats[g]!.lastAck = Date.now();
        } else if (isUnavailable(answer)) stats[g]!.refusedWrites++;
        else unexpected.push(`write through ${g}: ${answer.status} ${answer.text}`);
        await pause();
      }
    };
    const querier = async (g: number) => {
      while (running) {
        const answer = await sql(gateways[g]!, 'load', 'SELECT count(*) AS n FROM load');
        if (answer.status === 200) {
          stats[g]!.answered++;
          stats[g]!.lastAnswer = Date.now();
        } else if (isUnavailable(answer)) stats[g]!.refusedQueries++;
        else unexpected.push(`query through ${g}: ${answer.status} ${answer.text}`);
        await pause();
      }
    };
    const load = gateways.flatMap((_, g) => [writer(g), querier(g)]);
    try {
      await eventually(async () => stats.every((s) => s.acked >= 3 && s.answered >= 3), 'load running on every node');

      await upstream!.node.kill();
      await eventually(
        async () => stats.every((s) => s.refusedWrites >= 2 && s.refusedQueries >= 2),
        'every node refusing writes and queries with 503',
      );
      // Token management is the catalog's: it goes on while the upstream is down, on every node.
      for (const [g, gateway] of gateways.entries()) {
        const minted = await req<{ token: string }>(gateway.url, 'POST', '/api/v3/enterprise/configure/token', {
          token: operator,
          json: { token_name: `while-down-${g}`, permissions: [dbPermission(['load'], ['read'])] },
        });
        assert.equal(minted.status, 201, minted.text);
        assert.equal((await req(gateway.url, 'GET', '/api/v3/configure/token', { token: operator })).status, 200);
        const revoked = await req(gateway.url, 'DELETE', `/api/v3/configure/token?token_name=while-down-${g}`, {
          token: operator,
        });
        assert.ok(revoked.status < 300, revoked.text);
      }

      await upstream!.restart();
      const back = Date.now();
      await eventually(
        async () => stats.every((s) => s.lastAck > back && s.lastAnswer > back),
        'every node writing and querying again',
      );
    } finally {
      running = false;
      await Promise.all(load);
    }
    t.diagnostic(`per node: ${JSON.stringify(stats.map(({ lastAck, lastAnswer, ...counts }) => counts))}`);
    assert.deepEqual(unexpected, [], 'every answer was a success or a 503 UPSTREAM_UNAVAILABLE with a reason');

    const stored = await sql(gateways[1]!, 'load', 'SELECT seq FROM load');
    assert.equal(stored.status, 200, stored.text);
    const present = new Set(stored.body.map((row) => row.seq as number));
    const lost = ackedSeqs.filter((seq) => !present.has(seq));
    assert.ok(ackedSeqs.length >= 9 * LINES_PER_WRITE, `acknowledged ${ackedSeqs.length} points`);
    assert.deepEqual(lost.slice(0, 20), [], `${lost.length} of ${ackedSeqs.length} acknowledged points are missing`);
  });

  test('the upstream credential appears in no response and no log of any node', () => {
    const secret = upstream!.token;
    assert.ok(seen.length > 50, `checked ${seen.length} responses`);
    for (const text of seen) assert.ok(!text.includes(secret), 'a response carried the upstream credential');
    for (const gateway of gateways) assert.ok(!gateway.output().includes(secret), `${gateway.url} logged it`);
  });
});
