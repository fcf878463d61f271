/**
 * `fluxgate database create|list|update|delete|rename|undelete` (influxctl shape) end to end against a
 * real `fluxgate serve` and its `/api/v0/databases` and `/api/v0/tokens`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fails, ok } from '../cli/cli-assertions.ts';
import { type InfluxctlRun, startInfluxctlRun } from './influxctl-cli.ts';

interface Database {
  id: number;
  name: string;
  maxTables: number;
  maxColumnsPerTable: number;
  retentionPeriod: number;
  status: string;
}

const DAY_NS = 86_400_000_000_000;

describe('fluxgate database … (influxctl shape) against a real server', () => {
  let run: InfluxctlRun;
  let writer = '';
  const list = async (...extra: string[]) =>
    JSON.parse(ok(await run.cli(['database', 'list', '--format', 'json', ...extra]), 'database list')) as Database[];
  const write = (database: string) =>
    run.cli(['write', '--database', database, '--precision', 'ms', `cpu v=1 ${Date.now()}`], writer);

  before(async () => {
    run = await startInfluxctlRun();
  });
  after(() => run?.dispose());

  test('create NAME --retention-period 30d --max-tables --max-columns, listed with its limits', async () => {
    const out = ok(
      await run.cli([
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
    assert.match(out, /^Database 'sensors' created \(id \d+\)\.$/m);
    const [sensors] = await list();
    assert.equal(sensors?.retentionPeriod, 30 * DAY_NS);
    assert.equal(sensors?.maxTables, 500);
    assert.equal(sensors?.maxColumnsPerTable, 250);
    assert.match(ok(await run.cli(['database', 'list']), 'table'), /sensors .*30d/);
    fails(await run.cli(['database', 'create', 'sensors']), 'a taken name', /409/);
    fails(await run.cli(['database', 'create', '_reserved']), 'a reserved name', /400/);
    // The writer comes from the influxdb3 shape, so this suite needs only /api/v0/databases.
    writer = (
      JSON.parse(
        ok(
          await run.cli([
            'create',
            'token',
            '--permission',
            'db:sensors:write',
            '--name',
            'writer',
            '--format',
            'json',
          ]),
          'create token',
        ),
      ) as { token: string }
    ).token;
    ok(await write('sensors'), 'write');
  });

  test('update changes only what it is given', async () => {
    ok(await run.cli(['database', 'update', 'sensors', '--max-tables', '10', '--retention-period', '2.5d']), 'update');
    const [sensors] = await list();
    assert.equal(sensors?.maxTables, 10);
    assert.equal(sensors?.maxColumnsPerTable, 250);
    assert.equal(sensors?.retentionPeriod, 2.5 * DAY_NS);
  });

  test('rename keeps the id and the token keeps writing under the new name', async () => {
    const [before] = await list();
    ok(await run.cli(['database', 'rename', 'sensors', 'metrics']), 'rename');
    const [after] = await list();
    assert.equal(after?.name, 'metrics');
    assert.equal(after?.id, before?.id);
    ok(await write('metrics'), 'write under the new name');
  });

  test('delete --force stops writes at once; undelete brings the database and the grant back', async () => {
    ok(await run.cli(['database', 'delete', 'metrics', '--force']), 'delete');
    fails(await write('metrics'), 'write to a deleted database', /40[34]/);
    const deleted = await list('--filter-status', 'deleted');
    assert.deepEqual(
      deleted.map((d) => [d.name, d.status]),
      [['metrics', 'deleted']],
    );
    ok(await run.cli(['database', 'undelete', 'metrics']), 'undelete');
    ok(await write('metrics'), 'write after the undelete');
    fails(await run.cli(['database', 'undelete', 'metrics']), 'undelete of a live database', /no deleted database/);
  });

  test('delete NAME… goes on past an unknown name and fails at the end', async () => {
    ok(await run.cli(['database', 'create', 'a']), 'create a');
    const result = await run.cli(['database', 'delete', 'nope', 'a', '--force']);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout, /Database 'a' deleted/);
    assert.match(result.stderr, /nope: 404/);
  });
});
