/**
 * `fluxgate database create|list|update|delete|rename|undelete` against a recording HTTP server that
 * answers with the example bodies of docs/api.md ("Databases: /api/v0/databases"). It stands in for
 * the server's v0 routes, which are being built at the same time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { retentionText } from '../../src/cli/influxctl-database-commands.ts';
import { failed, IDS, MGMT, startV0Cli, succeeded, type V0Cli, v0Error } from './v0-cli.ts';

const DAY_NS = 86_400_000_000_000;

const database = (id: number, name: string, extra: Record<string, unknown> = {}) => ({
  ...IDS,
  id,
  name,
  maxTables: 500,
  maxColumnsPerTable: 250,
  retentionPeriod: 30 * DAY_NS,
  status: 'active',
  createdAt: '2026-01-02T03:04:05.000Z',
  ...extra,
});

describe('influxctl-shape database commands (unit: a recording server answers with the reference bodies; test/e2e/cli-*.test.ts runs them against a real server)', () => {
  let cli: V0Cli;
  before(async () => {
    cli = await startV0Cli();
  });
  after(() => cli.dispose());

  test('create NAME sends the retention period as typed and the limits under their API names', async () => {
    cli.server.reply({ body: database(7, 'sensors') });
    const out = succeeded(
      cli,
      await cli.run([
        'database',
        'create',
        'sensors',
        '--retention-period',
        '30d',
        '--max-tables',
        '500',
        '--max-columns',
        '250',
      ]),
      'database create',
    );
    const [request] = cli.server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/api/v0/databases');
    assert.equal(request?.authorization, `Bearer ${MGMT}`);
    assert.deepEqual(request?.body, {
      name: 'sensors',
      retentionPeriod: '30d',
      maxTables: 500,
      maxColumnsPerTable: 250,
    });
    assert.equal(out, "Database 'sensors' created (id 7).\n");
  });

  test('create takes the compound and fractional periods; a bad one or a bad number sends nothing', async () => {
    cli.server.reply({ body: database(8, 'b', { retentionPeriod: 2.5 * DAY_NS }) });
    succeeded(cli, await cli.run(['database', 'create', 'b', '--retention-period', '2.5d']), 'create 2.5d');
    assert.deepEqual(cli.server.requests[0]?.body, { name: 'b', retentionPeriod: '2.5d' });
    for (const args of [
      ['database', 'create', 'c', '--retention-period', '-1d'],
      ['database', 'create', 'c', '--retention-period', '30 d'],
      ['database', 'create', 'c', '--max-tables', 'many'],
      ['database', 'create', 'c', '--max-columns', '-5'],
    ]) {
      cli.server.reply();
      const result = await cli.run(args);
      assert.notEqual(result.code, 0, `${args.join(' ')} should fail`);
      assert.match(result.stderr, /--retention-period|--max-tables|--max-columns|unknown option/);
      assert.equal(cli.server.requests.length, 0, `${args.join(' ')} should send nothing`);
    }
  });

  test("create: a taken name is the server's 409 on one line", async () => {
    cli.server.reply(v0Error(409, 'DATABASE_EXISTS', "database 'sensors' already exists"));
    failed(
      await cli.run(['database', 'create', 'sensors']),
      'create a taken name',
      /^Error: 409 database 'sensors' already exists$/,
    );
  });

  test('list shows retention in the CLI syntax ("infinite" for 0) and follows the pages', async () => {
    cli.server.reply(
      { body: [database(7, 'sensors')], headers: { 'x-next-cursor': 'n' } },
      { body: [database(9, 'forever', { retentionPeriod: 0 })] },
    );
    const out = succeeded(cli, await cli.run(['database', 'list']), 'database list');
    assert.deepEqual(
      cli.server.requests.map((r) => r.query),
      [{ filterStatus: 'active' }, { filterStatus: 'active', cursor: 'n' }],
    );
    assert.match(out, /│ 7 +│ sensors +│ 30d +│ 500 +│ 250 +│ active/);
    assert.match(out, /│ 9 +│ forever +│ infinite/);
  });

  test('list --filter-status deleted shows when each can be recovered until; --format json is the array', async () => {
    const deleted = database(7, 'metrics', {
      status: 'deleted',
      deletedAt: '2026-01-03T00:00:00.000Z',
      purgeAt: '2026-01-10T00:00:00.000Z',
    });
    cli.server.reply({ body: [deleted] });
    const out = succeeded(cli, await cli.run(['database', 'list', '--filter-status', 'deleted']), 'list deleted');
    assert.deepEqual(cli.server.requests[0]?.query, { filterStatus: 'deleted' });
    assert.match(out, /recoverable until/);
    assert.match(out, /2026-01-10T00:00:00\.000Z/);
    cli.server.reply({ body: [] });
    const json = succeeded(cli, await cli.run(['database', 'list', '--format', 'json']), 'list json');
    assert.deepEqual(JSON.parse(json), []);
  });

  test('update NAME sends only the limits given; with none it sends nothing', async () => {
    cli.server.reply({ body: database(7, 'sensors', { maxTables: 10 }) });
    const out = succeeded(cli, await cli.run(['database', 'update', 'sensors', '--max-tables', '10']), 'update');
    assert.equal(cli.server.requests[0]?.method, 'PATCH');
    assert.equal(cli.server.requests[0]?.path, '/api/v0/databases/sensors');
    assert.deepEqual(cli.server.requests[0]?.body, { maxTables: 10 });
    assert.match(out, /max tables 10/);
    cli.server.reply();
    failed(await cli.run(['database', 'update', 'sensors']), 'update nothing', /nothing to change/);
    assert.equal(cli.server.requests.length, 0);
  });

  test('delete NAME… --force deletes each and goes on past a failure; without --force it sends nothing', async () => {
    cli.server.reply({ status: 204 }, v0Error(404, 'DATABASE_NOT_FOUND', "database 'nope' not found"), { status: 204 });
    const result = await cli.run(['database', 'delete', 'a', 'nope', 'c', '--force']);
    assert.deepEqual(
      cli.server.requests.map((r) => `${r.method} ${r.path}`),
      ['DELETE /api/v0/databases/a', 'DELETE /api/v0/databases/nope', 'DELETE /api/v0/databases/c'],
    );
    assert.match(result.stdout, /Database 'a' deleted/);
    assert.match(result.stdout, /Database 'c' deleted/);
    failed(result, 'delete with one unknown', /1 of 3 deletions failed/);
    cli.server.reply();
    failed(await cli.run(['database', 'delete', 'a']), 'delete without --force', /--force/);
    assert.equal(cli.server.requests.length, 0);
  });

  test('rename OLD NEW puts the new name; the id stays', async () => {
    cli.server.reply({ body: database(7, 'metrics') });
    const out = succeeded(cli, await cli.run(['database', 'rename', 'sensors', 'metrics']), 'rename');
    assert.equal(cli.server.requests[0]?.method, 'PUT');
    assert.equal(cli.server.requests[0]?.path, '/api/v0/databases/sensors/rename');
    assert.deepEqual(cli.server.requests[0]?.body, { name: 'metrics' });
    assert.equal(out, "Database 'sensors' renamed to 'metrics' (id 7).\n");
  });

  test('undelete NAME finds the id among the deleted (the latest deleted of that name) and undeletes it', async () => {
    cli.server.reply(
      {
        body: [
          database(3, 'metrics', { status: 'deleted', deletedAt: '2026-01-01T00:00:00.000Z' }),
          database(5, 'other', { status: 'deleted', deletedAt: '2026-01-04T00:00:00.000Z' }),
        ],
        headers: { 'x-next-cursor': 'p2' },
      },
      { body: [database(7, 'metrics', { status: 'deleted', deletedAt: '2026-01-03T00:00:00.000Z' })] },
      { body: database(7, 'metrics') },
    );
    const out = succeeded(cli, await cli.run(['database', 'undelete', 'metrics']), 'undelete');
    const [list, , put] = cli.server.requests;
    assert.deepEqual(list?.query, { filterStatus: 'deleted' });
    assert.equal(put?.method, 'PUT');
    assert.equal(put?.path, '/api/v0/databases/7/undelete');
    assert.equal(out, "Database 'metrics' undeleted (id 7).\n");
  });

  test('undelete of a name with no deleted database says so and sends no undelete', async () => {
    cli.server.reply({ body: [] });
    failed(await cli.run(['database', 'undelete', 'ghost']), 'undelete unknown', /no deleted database named 'ghost'/);
    assert.equal(cli.server.requests.length, 1);
  });

  test('retention periods print in the CLI syntax', () => {
    assert.equal(retentionText(0), 'infinite');
    assert.equal(retentionText(30 * DAY_NS), '30d');
    assert.equal(retentionText(1.5 * DAY_NS), '1d12h');
    assert.equal(retentionText(5_400_000_000_000), '1h30m');
  });
});
