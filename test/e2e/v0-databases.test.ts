/**
 * `/api/v0/databases` against a real server, with the Management API's bodies (docs/api.md
 * "Databases"), in both path styles: create with limits and retention, list, update, rename (tokens
 * keep working), soft delete (writes refused at once), undelete (data intact), and purge after the
 * recovery window.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { bootstrap, call, type JsonResponse } from '../helpers/http.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { Api, assertNoSecretsLogged, dbPermission, startServers } from '../http/support.ts';

interface DatabaseJson {
  accountId: string;
  clusterId: string;
  id: number;
  name: string;
  maxTables: number;
  maxColumnsPerTable: number;
  retentionPeriod: number;
  status: string;
  createdAt: string;
  deletedAt?: string;
  purgeAt?: string;
}

interface V0Error {
  code: number;
  message: string;
  fluxgateCode: string;
  field?: string;
}

const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAY_NS = 86_400_000_000_000;

function assertV0Error(response: JsonResponse, status: number, code: string, field?: string): V0Error {
  const body = response.body as V0Error;
  assert.equal(response.status, status, response.text);
  assert.equal(body.code, status, response.text);
  assert.equal(body.fluxgateCode, code, response.text);
  assert.equal(response.headers.get('x-fluxgate-error'), code);
  assert.equal(typeof body.message, 'string');
  if (field !== undefined) assert.equal(body.field, field, response.text);
  return body;
}

describe('/api/v0/databases', () => {
  let server: ServerProcess;
  /** Started with --database-recovery-window 1s, for the purge. */
  let quick: ServerProcess;
  let api: Api;
  let operator: string;
  let admin: string;
  let ids: { accountId: string; clusterId: string };
  /** db:sensors:read,write, made before the rename. */
  let writer: string;

  before(async () => {
    [server, quick] = (await startServers({}, { args: ['--database-recovery-window', '1s'] })) as [
      ServerProcess,
      ServerProcess,
    ];
    api = new Api(server.url);
    operator = await bootstrap(server.url);
    api.remember(operator);
    admin = (await api.createAdminToken(operator, 'db-admin')).token;
    const whoami = await api.call<{ accountId: string; clusterId: string }>('GET', '/api/v0/whoami', { token: admin });
    assert.equal(whoami.status, 200, whoami.text);
    ids = { accountId: whoami.body.accountId, clusterId: whoami.body.clusterId };
    // The ids every database object carries are the ones the Dedicated paths take.
    const probe = await api.call<DatabaseJson>('POST', '/api/v0/databases', { token: admin, json: { name: 'probe' } });
    assert.equal(probe.status, 200, probe.text);
    assert.deepEqual({ accountId: probe.body.accountId, clusterId: probe.body.clusterId }, ids);
  });
  after(async () => {
    if (server !== undefined) await assertNoSecretsLogged(server, api.secrets);
    await Promise.all([server?.dispose(), quick?.dispose()]);
  });

  const dedicated = (path: string) => `/api/v0/accounts/${ids.accountId}/clusters/${ids.clusterId}${path}`;
  const v0 = <T = DatabaseJson>(method: string, path: string, json?: unknown, token = admin) =>
    api.call<T>(method, path, json === undefined ? { token } : { token, json });
  const writeLp = (token: string, db: string, body: string) =>
    api.call<{ error?: string; data?: Array<{ line_number: number; error_message: string }> }>(
      'POST',
      `/api/v3/write_lp?db=${encodeURIComponent(db)}`,
      { token, body },
    );
  const querySql = (token: string, db: string, q: string) =>
    api.call<Array<Record<string, unknown>>>('POST', '/api/v3/query_sql', { token, json: { db, q } });

  test('POST with the reference body: 200 with the database object', async () => {
    const created = await v0('POST', '/api/v0/databases', {
      name: 'sensors',
      maxTables: 500,
      maxColumnsPerTable: 250,
      retentionPeriod: 30 * DAY_NS,
    });
    assert.equal(created.status, 200, created.text);
    const { id, createdAt, ...rest } = created.body;
    assert.equal(typeof id, 'number');
    assert.match(createdAt, RFC3339_MS);
    assert.deepEqual(rest, {
      ...ids,
      name: 'sensors',
      maxTables: 500,
      maxColumnsPerTable: 250,
      retentionPeriod: 2_592_000_000_000_000,
      status: 'active',
    });
  });

  test('POST: defaults, the CLI retention syntax, and 0 meaning the default limit', async () => {
    const plain = await v0('POST', '/api/v0/databases', { name: 'plain' });
    assert.equal(plain.status, 200, plain.text);
    assert.deepEqual([plain.body.maxTables, plain.body.maxColumnsPerTable, plain.body.retentionPeriod], [500, 250, 0]);
    const cases: Array<[string | number, number]> = [
      ['30d', 30 * DAY_NS],
      ['30d30d', 60 * DAY_NS],
      ['2.5d', 2.5 * DAY_NS],
      ['1mo', 30 * DAY_NS],
      ['0s', 0],
      [0, 0],
    ];
    for (const [i, [retentionPeriod, ns]] of cases.entries()) {
      const response = await v0('POST', dedicated('/databases'), {
        name: `ret${i}`,
        retentionPeriod,
        maxTables: 0,
        maxColumnsPerTable: 0,
      });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(
        [response.body.retentionPeriod, response.body.maxTables, response.body.maxColumnsPerTable],
        [ns, 500, 250],
        String(retentionPeriod),
      );
    }
  });

  test('POST refuses bad input with 400 naming the field, and a taken name with 409; nothing is created', async () => {
    for (const retentionPeriod of ['30 d', '-1d', '30x', 1.5, -5, true]) {
      assertV0Error(
        await v0('POST', '/api/v0/databases', { name: 'bad', retentionPeriod }),
        400,
        'INVALID_INPUT',
        'retentionPeriod',
      );
    }
    for (const name of ['', '_internal', 'a b', 'CON', '..', 'x'.repeat(65)]) {
      assertV0Error(await v0('POST', '/api/v0/databases', { name }), 400, 'INVALID_NAME', 'name');
    }
    assertV0Error(
      await v0('POST', '/api/v0/databases', { name: 'bad', maxTables: -1 }),
      400,
      'INVALID_INPUT',
      'maxTables',
    );
    assertV0Error(
      await v0('POST', '/api/v0/databases', { name: 'bad', partitionTemplate: [{ type: 'tag', value: 'x' }] }),
      400,
      'INVALID_INPUT',
      'partitionTemplate',
    );
    assert.equal(
      (await v0('POST', '/api/v0/databases', { name: 'empty-template', partitionTemplate: [] })).status,
      200,
    );
    assertV0Error(await v0('POST', '/api/v0/databases', { name: 'bad', owner: 'me' }), 400, 'UNKNOWN_FIELD', 'owner');
    assertV0Error(await v0('POST', '/api/v0/databases', {}), 400, 'INVALID_INPUT', 'name');
    assertV0Error(await v0('POST', '/api/v0/databases', { name: 'sensors' }), 409, 'DATABASE_EXISTS');
    const names = (await v0<DatabaseJson[]>('GET', '/api/v0/databases')).body.map((db) => db.name);
    assert.ok(!names.includes('bad'));
  });

  test('GET lists live databases by name in both path styles; GET one; unknown ids or names are 404', async () => {
    const clustered = await v0<DatabaseJson[]>('GET', '/api/v0/databases');
    assert.equal(clustered.status, 200);
    const names = clustered.body.map((db) => db.name);
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('sensors') && names.includes('plain'));
    assert.deepEqual((await v0<DatabaseJson[]>('GET', dedicated('/databases'))).body, clustered.body);
    const one = await v0('GET', '/api/v0/databases/sensors');
    assert.deepEqual(
      one.body,
      clustered.body.find((db) => db.name === 'sensors'),
    );
    assertV0Error(await v0('GET', '/api/v0/databases/nosuch'), 404, 'DATABASE_NOT_FOUND');
    const wrong = `/api/v0/accounts/00000000-0000-4000-8000-000000000000/clusters/${ids.clusterId}/databases`;
    assert.equal((await v0('GET', wrong)).status, 404);
    assertV0Error(await v0('GET', '/api/v0/databases?filterStatus=gone'), 400, 'INVALID_INPUT', 'filterStatus');
  });

  test('GET pages with limit and cursor: X-Next-Cursor and Link until the last page; a foreign cursor is 400', async () => {
    const all = (await v0<DatabaseJson[]>('GET', '/api/v0/databases')).body.map((db) => db.name);
    assert.ok(all.length >= 5, all.join());
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? 'limit=2' : `limit=2&cursor=${encodeURIComponent(cursor)}`;
      const page = await v0<DatabaseJson[]>('GET', `/api/v0/databases?${query}`);
      assert.equal(page.status, 200, page.text);
      assert.ok(page.body.length <= 2);
      seen.push(...page.body.map((db) => db.name));
      cursor = page.headers.get('x-next-cursor');
      if (cursor !== null)
        assert.match(page.headers.get('link') ?? '', /^<\/api\/v0\/databases\?.*cursor=.*>; rel="next"$/);
      else assert.equal(page.headers.get('link'), null);
      pages++;
    } while (cursor !== null && pages < 50);
    assert.deepEqual(seen, all);
    assert.equal(pages, Math.ceil(all.length / 2));
    const first = await v0<DatabaseJson[]>('GET', '/api/v0/databases?limit=1');
    const next = first.headers.get('x-next-cursor') ?? '';
    assertV0Error(
      await v0('GET', `/api/v0/databases?filterStatus=deleted&cursor=${encodeURIComponent(next)}`),
      400,
      'INVALID_INPUT',
      'cursor',
    );
    assertV0Error(await v0('GET', '/api/v0/databases?cursor=bm9wZQ'), 400, 'INVALID_INPUT', 'cursor');
    for (const limit of ['0', '1001', 'x', '-1']) {
      assertV0Error(await v0('GET', `/api/v0/databases?limit=${limit}`), 400, 'INVALID_INPUT', 'limit');
    }
  });

  test('PATCH changes the given fields; the table limit is enforced on the next write, naming it', async () => {
    const patched = await v0('PATCH', '/api/v0/databases/sensors', { maxTables: 1, retentionPeriod: '0' });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(
      [patched.body.maxTables, patched.body.maxColumnsPerTable, patched.body.retentionPeriod],
      [1, 250, 0],
    );
    assertV0Error(await v0('PATCH', '/api/v0/databases/sensors', {}), 400, 'INVALID_INPUT');
    assertV0Error(await v0('PATCH', '/api/v0/databases/nosuch', { maxTables: 3 }), 404, 'DATABASE_NOT_FOUND');
    assertV0Error(await v0('PATCH', '/api/v0/databases/sensors', { name: 'x' }), 400, 'UNKNOWN_FIELD', 'name');

    writer = (await api.createDatabaseToken(operator, 'sensor-writer', [dbPermission(['sensors'], ['read', 'write'])]))
      .token;
    const limited = await writeLp(writer, 'sensors', 'cpu,host=a usage=1 1\nmem used=2 2');
    assert.equal(limited.status, 400, limited.text);
    assert.deepEqual(
      limited.body.data?.map((d) => [d.line_number, d.error_message]),
      [[2, "table limit exceeded: the database allows at most 1 tables and measurement 'mem' would add one"]],
    );
    const widened = await v0('PATCH', dedicated('/databases/sensors'), { maxTables: 2, maxColumnsPerTable: 3 });
    assert.equal(widened.status, 200, widened.text);
    assert.equal((await writeLp(writer, 'sensors', 'mem used=2 2')).status, 204);
    const columns = await writeLp(writer, 'sensors', 'cpu,host=a,zone=z usage=3,idle=4 3');
    assert.match(
      columns.body.data?.[0]?.error_message ?? '',
      /column limit exceeded: table 'cpu' may have at most 3 columns/,
    );
  });

  test('rename keeps the id and the data; a token granted on the old name keeps working under the new one', async () => {
    const before = (await v0('GET', '/api/v0/databases/sensors')).body;
    const renamed = await v0('PUT', '/api/v0/databases/sensors/rename', { name: 'metrics' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual(renamed.body, { ...before, name: 'metrics' });
    assertV0Error(await v0('GET', '/api/v0/databases/sensors'), 404, 'DATABASE_NOT_FOUND');
    assertV0Error(await v0('PUT', '/api/v0/databases/metrics/rename', { name: 'plain' }), 409, 'DATABASE_EXISTS');
    assertV0Error(await v0('PUT', '/api/v0/databases/metrics/rename', { name: 'NUL' }), 400, 'INVALID_NAME', 'name');
    assertV0Error(await v0('PUT', '/api/v0/databases/nosuch/rename', { name: 'other' }), 404, 'DATABASE_NOT_FOUND');

    const listed = (
      await api.call<Array<{ name: string; permissions: string[] }>>('GET', '/api/v3/configure/token', {
        token: operator,
      })
    ).body.find((t) => t.name === 'sensor-writer');
    assert.deepEqual(listed?.permissions, ['db:metrics:read,write'], 'the grant shows the new name');
    const token = writer;
    assert.equal((await writeLp(token, 'metrics', 'cpu,host=a usage=5 5')).status, 204);
    const rows = await querySql(token, 'metrics', 'SELECT usage FROM cpu ORDER BY time');
    assert.deepEqual(
      rows.body.map((r) => r.usage),
      [1, 5],
    );
    assert.equal((await writeLp(token, 'sensors', 'cpu usage=6 6')).status, 404, 'the old name is gone');
  });

  test('delete is soft: 204, writes refused at once, listed as deleted; undelete brings back data and grants', async () => {
    const token = writer;
    const live = (await v0('GET', '/api/v0/databases/metrics')).body;
    const deleted = await v0('DELETE', '/api/v0/databases/metrics');
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.equal((await writeLp(token, 'metrics', 'cpu,host=a usage=7 7')).status, 404);
    assert.equal((await querySql(token, 'metrics', 'SELECT 1')).status, 404);
    assertV0Error(await v0('DELETE', '/api/v0/databases/metrics'), 404, 'DATABASE_NOT_FOUND');

    const listed = await v0<DatabaseJson[]>('GET', '/api/v0/databases?filterStatus=deleted');
    const entry = listed.body.find((db) => db.id === live.id);
    assert.ok(entry, listed.text);
    assert.equal(entry.status, 'deleted');
    assert.match(entry.deletedAt ?? '', RFC3339_MS);
    const windowMs = Date.parse(entry.purgeAt ?? '') - Date.parse(entry.deletedAt ?? '');
    assert.equal(windowMs, 7 * 86_400_000, 'the default recovery window is 7 days');
    assert.ok(!(await v0<DatabaseJson[]>('GET', '/api/v0/databases')).body.some((db) => db.id === live.id));

    const back = await v0('PUT', `/api/v0/databases/${live.id}/undelete`);
    assert.equal(back.status, 200, back.text);
    assert.deepEqual(back.body, live);
    assert.equal((await writeLp(token, 'metrics', 'cpu,host=a usage=8 8')).status, 204, 'the old grant works again');
    const rows = await querySql(token, 'metrics', 'SELECT usage FROM cpu ORDER BY time');
    assert.deepEqual(
      rows.body.map((r) => r.usage),
      [1, 5, 8],
      'the data is intact',
    );
  });

  test('undelete: 409 while live or when the name was retaken, 404 for an unknown id, 400 for a non-numeric one', async () => {
    const live = (await v0('GET', '/api/v0/databases/plain')).body;
    assertV0Error(await v0('PUT', `/api/v0/databases/${live.id}/undelete`), 409, 'DATABASE_EXISTS');
    assert.equal((await v0('DELETE', dedicated('/databases/plain'))).status, 204);
    const again = await v0('POST', '/api/v0/databases', { name: 'plain' });
    assert.equal(again.status, 200);
    assert.notEqual(again.body.id, live.id);
    const refused = assertV0Error(await v0('PUT', dedicated(`/databases/${live.id}/undelete`)), 409, 'DATABASE_EXISTS');
    assert.match(refused.message, /has taken the name/);
    assertV0Error(await v0('PUT', '/api/v0/databases/987654/undelete'), 404, 'DATABASE_NOT_FOUND');
    assertV0Error(await v0('PUT', '/api/v0/databases/plain/undelete'), 400, 'INVALID_INPUT', 'databaseId');
  });

  test('a database token is refused on every database path', async () => {
    const token = writer;
    for (const [method, path] of [
      ['GET', '/api/v0/databases'],
      ['POST', '/api/v0/databases'],
      ['DELETE', '/api/v0/databases/metrics'],
    ] as const) {
      assertV0Error(
        await v0(method, path, method === 'POST' ? { name: 'x' } : undefined, token),
        403,
        'PERMISSION_DENIED',
      );
    }
    assert.equal((await v0('GET', '/api/v0/databases/metrics')).status, 200, 'nothing was deleted');
    const anonymous = await api.call<V0Error & { reason: string }>('GET', '/api/v0/databases');
    assertV0Error(anonymous, 401, 'CREDENTIAL_MISSING');
    assert.equal(anonymous.body.reason, 'missing');
  });

  test('every change is in the audit log under its actor, and so are the refused and failed attempts', async () => {
    const catalog = new Database(join(server.dataDir, 'catalog.sqlite'), { readonly: true });
    try {
      const rows = catalog
        .prepare(
          "select action, actor_name, target_name, outcome from audit_log where action like 'database.%' order by id",
        )
        .all() as Array<{ action: string; actor_name: string; target_name: string; outcome: string }>;
      const seen = (action: string, target: string, outcome = 'ok') =>
        rows.some(
          (r) =>
            r.action === action && r.target_name === target && r.outcome === outcome && r.actor_name === 'db-admin',
        );
      assert.ok(seen('database.create', 'sensors'));
      assert.ok(seen('database.update', 'sensors'));
      assert.ok(seen('database.rename', 'sensors'));
      assert.ok(seen('database.delete', 'metrics'));
      assert.ok(seen('database.undelete', 'metrics'));
      // The first failed attempt of an actor and action is written at once; its repeats within the
      // minute are gathered into one entry with a count (docs/api.md "Audit log").
      assert.ok(seen('database.create', 'bad', 'failed'), 'the first refused create');
      assert.ok(seen('database.undelete', 'plain', 'failed'), 'the first refused undelete');
    } finally {
      catalog.close();
    }
  });

  test('after the recovery window the database is purged: its files go and undelete answers 404', async () => {
    const quickOperator = await bootstrap(quick.url);
    const created = await call<DatabaseJson>(quick.url, 'POST', '/api/v0/databases', {
      token: quickOperator,
      json: { name: 'shortlived' },
    });
    assert.equal(created.status, 200, created.text);
    const wrote = await call(quick.url, 'POST', '/api/v3/write_lp?db=shortlived', {
      token: quickOperator,
      body: 'm v=1 1',
    });
    assert.equal(wrote.status, 204, wrote.text);
    const file = join(quick.dataDir, 'dbs', `${created.body.id}.duckdb`);
    assert.ok(existsSync(file));
    assert.equal(
      (await call(quick.url, 'DELETE', '/api/v0/databases/shortlived', { token: quickOperator })).status,
      204,
    );
    const deadline = Date.now() + 15_000;
    while (existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(existsSync(file), false, 'the files are removed once the window ends');
    const undelete = await call<V0Error>(quick.url, 'PUT', `/api/v0/databases/${created.body.id}/undelete`, {
      token: quickOperator,
    });
    assertV0Error(undelete, 404, 'DATABASE_NOT_FOUND');
    assert.match(undelete.body.message, /recovery window ended/);
    const listed = await call<DatabaseJson[]>(quick.url, 'GET', '/api/v0/databases?filterStatus=deleted', {
      token: quickOperator,
    });
    assert.deepEqual(listed.body, []);
    const catalog = new Database(join(quick.dataDir, 'catalog.sqlite'), { readonly: true });
    try {
      const purge = catalog
        .prepare("select actor_name, target_id from audit_log where action = 'database.purge'")
        .all() as Array<{ actor_name: string; target_id: number }>;
      assert.deepEqual(purge, [{ actor_name: 'recovery-window', target_id: created.body.id }]);
    } finally {
      catalog.close();
    }
  });
});
