/**
 * `fluxgate audit list|verify` against a recording HTTP server answering with the example bodies of
 * docs/api.md ("Audit log: /api/v0/audit"). It stands in for the server's routes, which are being
 * built at the same time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { failed, MGMT, startV0Cli, succeeded, type V0Cli } from './v0-cli.ts';

const entry = (seq: number, extra: Record<string, unknown> = {}) => ({
  id: String(seq),
  seq,
  time: '2026-01-02T03:04:05.123Z',
  actorTokenId: '12',
  actorName: 'deploy-bot',
  actorKind: 'management',
  action: 'database_token.create',
  targetKind: 'token',
  targetId: '43',
  targetName: 'ingest',
  outcome: 'ok',
  sourceAddress: '10.0.0.5',
  requestId: 'req-1',
  count: 1,
  firstTime: '2026-01-02T03:04:05.123Z',
  lastTime: '2026-01-02T03:04:05.123Z',
  details: { permissions: ['db:sensors:read'] },
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
  ...extra,
});

describe('audit commands (unit: a recording server answers with the reference bodies; test/e2e/cli-*.test.ts runs them against a real server)', () => {
  let cli: V0Cli;
  before(async () => {
    cli = await startV0Cli();
  });
  after(() => cli.dispose());

  test('list passes --since, --actor, --action and --limit as the query and prints JSON as it came', async () => {
    cli.server.reply({ body: [entry(906), entry(905)] });
    const out = succeeded(
      cli,
      await cli.run([
        'audit',
        'list',
        '--since',
        '24h',
        '--actor',
        'deploy-bot',
        '--action',
        'database_token.*',
        '--limit',
        '5',
        '--format',
        'json',
      ]),
      'audit list --format json',
    );
    const [request] = cli.server.requests;
    assert.equal(request?.method, 'GET');
    assert.equal(request?.path, '/api/v0/audit');
    assert.equal(request?.authorization, `Bearer ${MGMT}`);
    assert.deepEqual(request?.query, { since: '24h', actor: 'deploy-bot', action: 'database_token.*', limit: '5' });
    assert.deepEqual(JSON.parse(out), [entry(906), entry(905)]);
  });

  test('list as a table: time, actor, action, target, outcome, source and the count of aggregated refusals', async () => {
    cli.server.reply({
      body: [
        entry(907, {
          outcome: 'denied',
          action: 'management_token.create',
          count: 18,
          targetName: undefined,
          targetId: undefined,
        }),
      ],
    });
    const out = succeeded(cli, await cli.run(['audit', 'list', '--outcome', 'denied']), 'audit list');
    assert.deepEqual(cli.server.requests[0]?.query, { outcome: 'denied' });
    assert.match(
      out,
      /│ 907 +│ 2026-01-02T03:04:05\.123Z │ deploy-bot +│ management_token\.create │ +│ denied +│ 10\.0\.0\.5 +│ 18/,
    );
  });

  test('list refuses a --limit outside 1-1000 before any request', async () => {
    cli.server.reply();
    const result = await cli.run(['audit', 'list', '--limit', '0']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /--limit/);
    assert.equal(cli.server.requests.length, 0);
  });

  test('verify: an intact chain exits 0 and says how many entries it checked', async () => {
    cli.server.reply({
      body: {
        ok: true,
        checked: 905,
        anchor: { seq: 12, hash: 'c'.repeat(64) },
        head: { seq: 905, hash: 'd'.repeat(64) },
      },
    });
    const out = succeeded(cli, await cli.run(['audit', 'verify']), 'audit verify');
    assert.equal(cli.server.requests[0]?.path, '/api/v0/audit/verify');
    assert.equal(out, 'ok: 905 entries verified, from anchor seq 12, head seq 905\n');
  });

  test('verify: a broken chain exits 1 and names the first bad entry and what happened to it', async () => {
    const report = {
      ok: false,
      checked: 905,
      anchor: null,
      head: { seq: 905, hash: 'd'.repeat(64) },
      problem: { seq: 431, id: '431', kind: 'edited', message: 'entry 431 does not match its hash: it was edited' },
    };
    cli.server.reply({ body: report });
    const result = await cli.run(['audit', 'verify']);
    assert.equal(result.code, 1);
    failed(
      result,
      'audit verify (broken)',
      /entry 431 \(seq 431, edited\): entry 431 does not match its hash: it was edited/,
    );
    cli.server.reply({ body: report });
    const json = await cli.run(['audit', 'verify', '--format', 'json']);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout), report, '--format json prints the whole report, then fails');
  });
});
