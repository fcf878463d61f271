/**
 * Which token and which paths the CLI uses: `--token`, then the environment, then the profile
 * (`mgmt_token` for management commands, `token` for write and query), the profile's `database` as
 * the default `--database`, and the Dedicated paths when the profile has account_id and cluster_id.
 * Against a recording HTTP server standing in for the v0 routes, which are being built at the same time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DATA, failed, IDS, MGMT, startV0Cli, succeeded, type V0Cli } from './v0-cli.ts';

describe('credentials and paths of the influxctl-shape commands (recording server)', () => {
  let cli: V0Cli;
  let dedicated: V0Cli;
  before(async () => {
    cli = await startV0Cli('database = "sensors"\n');
    dedicated = await startV0Cli(`account_id = "${IDS.accountId}"\ncluster_id = "${IDS.clusterId}"\n`);
  });
  after(async () => {
    await cli.dispose();
    await dedicated.dispose();
  });

  const auth = async (env: Record<string, string>, extra: string[] = []) => {
    cli.server.reply({ body: [] });
    succeeded(cli, await cli.run([...extra, 'token', 'list'], env), 'token list');
    return cli.server.requests[0]?.authorization;
  };

  test('management commands: --token, then FLUXGATE_MGMT_TOKEN, then FLUXGATE_TOKEN, then the profile mgmt_token', async () => {
    assert.equal(await auth({}), `Bearer ${MGMT}`, 'the profile mgmt_token, not its token');
    assert.equal(await auth({ FLUXGATE_TOKEN: 'fgm_fromEnv' }), 'Bearer fgm_fromEnv');
    assert.equal(await auth({ INFLUXDB3_AUTH_TOKEN: 'fgm_influx' }), 'Bearer fgm_influx');
    assert.equal(await auth({ FLUXGATE_TOKEN: 'fgd_data', FLUXGATE_MGMT_TOKEN: 'fgm_mgmt' }), 'Bearer fgm_mgmt');
    assert.equal(await auth({ FLUXGATE_MGMT_TOKEN: 'fgm_mgmt' }, ['--token', 'fgm_flag']), 'Bearer fgm_flag');
  });

  test("write and query use the profile's token and its database when --database is not given", async () => {
    cli.server.reply({ status: 204 });
    const out = succeeded(cli, await cli.run(['write', 'cpu v=1 1']), 'write');
    const [write] = cli.server.requests;
    assert.equal(write?.path, '/api/v3/write_lp');
    assert.equal(write?.query.db, 'sensors');
    assert.equal(write?.authorization, `Bearer ${DATA}`, "the profile's token, not mgmt_token");
    assert.match(out, /wrote 1 line to sensors/);

    cli.server.reply({ body: [] });
    await cli.run(['query', 'SELECT 1'], { FLUXGATE_MGMT_TOKEN: 'fgm_ignored_for_data' });
    assert.deepEqual(cli.server.requests[0]?.body, { db: 'sensors', q: 'SELECT 1', format: 'pretty' });
    assert.equal(cli.server.requests[0]?.authorization, `Bearer ${DATA}`, 'FLUXGATE_MGMT_TOKEN is for management only');

    cli.server.reply({ status: 204 });
    succeeded(
      cli,
      await cli.run(['write', '--database', 'other', 'cpu v=1 1'], { FLUXGATE_TOKEN: 'fgd_env' }),
      'write',
    );
    assert.equal(cli.server.requests[0]?.query.db, 'other', '--database wins over the profile');
    assert.equal(cli.server.requests[0]?.authorization, 'Bearer fgd_env', 'the environment wins over the profile');
  });

  test('write with neither --database nor a profile database says what to give, and sends nothing', async () => {
    dedicated.server.reply();
    failed(await dedicated.run(['write', 'cpu v=1 1']), 'write without a database', /no database: give --database/);
    assert.equal(dedicated.server.requests.length, 0);
  });

  test('a profile with account_id and cluster_id uses the Dedicated paths; --account/--cluster override it', async () => {
    const base = `/api/v0/accounts/${IDS.accountId}/clusters/${IDS.clusterId}`;
    const cases: Array<[string[], string]> = [
      [['token', 'list'], `${base}/tokens`],
      [['management', 'list'], `${base}/management-tokens`],
      [['database', 'list'], `${base}/databases`],
      [['audit', 'list'], `${base}/audit`],
      [['--account', 'a1', '--cluster', 'c1', 'token', 'list'], '/api/v0/accounts/a1/clusters/c1/tokens'],
    ];
    for (const [args, path] of cases) {
      dedicated.server.reply({ body: [] });
      succeeded(dedicated, await dedicated.run(args), args.join(' '));
      assert.equal(dedicated.server.requests[0]?.path, path);
    }
  });
});
