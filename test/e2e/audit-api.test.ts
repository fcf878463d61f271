import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { hashToken } from '../../src/domain/token-format.ts';
import { bootstrap, call } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

interface Entry {
  id: string;
  seq: number;
  time: string;
  actorName?: string;
  actorKind?: string;
  action: string;
  outcome: string;
  count: number;
  firstTime: string;
  lastTime: string;
  sourceAddress?: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

interface Report {
  ok: boolean;
  checked: number;
  anchor: { seq: number; hash: string } | null;
  head: { seq: number; hash: string } | null;
  problem?: { seq: number; id: string; kind: string; message: string };
}

const BOGUS = `fgd_${'Zz9'.repeat(14)}x123456`;

describe('GET /api/v0/audit and /api/v0/audit/verify against a real server', () => {
  let server: ServerProcess;
  let operator = '';
  let reader = '';
  const list = (query = '', token = operator) => call<Entry[]>(server.url, 'GET', `/api/v0/audit${query}`, { token });

  before(async () => {
    server = await startServerProcess();
    operator = await bootstrap(server.url);
    const db = await call(server.url, 'POST', '/api/v3/configure/database', {
      token: operator,
      json: { db: 'sensors' },
    });
    assert.equal(db.status, 201, db.text);
    const issued = await call<{ token: string }>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
      token: operator,
      json: {
        token_name: 'reader',
        permissions: [{ resource_type: 'db', resource_names: ['sensors'], actions: ['read'] }],
      },
    });
    assert.equal(issued.status, 201, issued.text);
    reader = issued.body.token;
  });
  after(() => server?.dispose());

  test('management actions are entries, newest first, chained, with actor, source and no secret', async () => {
    const response = await list();
    assert.equal(response.status, 200, response.text);
    const entries = response.body;
    const actions = entries.map((e) => e.action);
    assert.ok(actions.indexOf('database.create') > -1, actions.join());
    assert.ok(actions.indexOf('database_token.create') < actions.indexOf('database.create'), 'newest first');
    for (let i = 1; i < entries.length; i++) {
      assert.equal(entries[i - 1]?.seq, (entries[i]?.seq ?? 0) + 1);
      assert.equal(entries[i - 1]?.prevHash, entries[i]?.hash);
    }
    const created = entries.find((e) => e.action === 'database.create') as Entry;
    assert.equal(created.actorName, '_admin');
    assert.equal(created.actorKind, 'operator');
    assert.equal(created.outcome, 'ok');
    assert.equal(created.sourceAddress, '127.0.0.1');
    assert.equal(created.count, 1);
    assert.equal(typeof (created as Entry & { requestId?: string }).requestId, 'string');
    assert.match(created.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(!response.text.includes(operator) && !response.text.includes(reader));
    assert.ok(!response.text.includes(hashToken(reader)) && !response.text.includes(hashToken(operator)));
  });

  test('both path styles answer the same', async () => {
    const ids = (
      await call<{ accountId: string; clusterId: string }>(server.url, 'GET', '/api/v0/whoami', { token: operator })
    ).body;
    const base = `/api/v0/accounts/${ids.accountId}/clusters/${ids.clusterId}`;
    const dedicated = await call<Entry[]>(server.url, 'GET', `${base}/audit?limit=3`, { token: operator });
    assert.equal(dedicated.status, 200, dedicated.text);
    assert.deepEqual(dedicated.body, (await list('?limit=3')).body);
    const verified = await call<Report>(server.url, 'GET', `${base}/audit/verify`, { token: operator });
    assert.equal(verified.body.ok, true, verified.text);
    const wrong = await call(server.url, 'GET', `/api/v0/accounts/${ids.clusterId}/clusters/${ids.clusterId}/audit`, {
      token: operator,
    });
    assert.equal(wrong.status, 404);
  });

  test('a database token gets 403 in the v0 shape, and no token 401 with its reason', async () => {
    const refused = await list('', reader);
    assert.equal(refused.status, 403);
    assert.deepEqual(Object.keys(refused.body as object).sort(), ['code', 'fluxgateCode', 'message']);
    assert.equal((refused.body as unknown as { code: number }).code, 403);
    assert.equal((refused.body as unknown as { fluxgateCode: string }).fluxgateCode, 'PERMISSION_DENIED');
    assert.equal(refused.headers.get('x-fluxgate-error'), 'PERMISSION_DENIED');
    const anonymous = await call(server.url, 'GET', '/api/v0/audit/verify');
    assert.equal(anonymous.status, 401);
    assert.equal((anonymous.body as { reason: string }).reason, 'missing');
  });

  test('filters: since, until, actor, action prefix, outcome; bad ones are 400 naming the field', async () => {
    const recent = await list('?since=1h&action=database*');
    assert.equal(recent.status, 200, recent.text);
    assert.ok(recent.body.length >= 2);
    assert.ok(recent.body.every((e) => e.action.startsWith('database')));
    assert.deepEqual((await list('?until=2000-01-01T00:00:00Z')).body, []);
    assert.ok(
      (await list('?actor=_admin&outcome=ok')).body.every((e) => e.actorName === '_admin' && e.outcome === 'ok'),
    );
    for (const [query, field] of [
      ['?since=yesterday', 'since'],
      ['?limit=0', 'limit'],
      ['?limit=5000', 'limit'],
      ['?outcome=maybe', 'outcome'],
      ['?cursor=nope', 'cursor'],
      ['?colour=red', 'colour'],
    ]) {
      const bad = await list(query);
      assert.equal(bad.status, 400, query);
      assert.equal((bad.body as unknown as { field: string }).field, field, query);
    }
  });

  test('pages with limit and cursor: X-Next-Cursor and Link until the last page; a cursor is bound to its query', async () => {
    const all = (await list('?limit=1000')).body;
    assert.ok(all.length >= 3);
    const seen: Entry[] = [];
    let query = '?limit=2';
    for (let pages = 0; pages < 100; pages++) {
      const page = await list(query);
      assert.equal(page.status, 200, page.text);
      seen.push(...page.body);
      const cursor = page.headers.get('x-next-cursor');
      if (cursor === null) {
        assert.equal(page.headers.get('link'), null);
        break;
      }
      assert.match(page.headers.get('link') ?? '', /^<\/api\/v0\/audit\?limit=2&cursor=[^>]+>; rel="next"$/);
      query = `?limit=2&cursor=${encodeURIComponent(cursor)}`;
    }
    assert.deepEqual(
      seen.map((e) => e.seq),
      all.filter((e) => e.seq <= (seen[0]?.seq ?? 0)).map((e) => e.seq),
    );
    const first = await list('?limit=1');
    const cursor = first.headers.get('x-next-cursor') ?? '';
    const other = await list(`?limit=1&outcome=ok&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(other.status, 400);
    assert.equal((other.body as unknown as { field: string }).field, 'cursor');
  });

  test('a flood of refusals and failed authentications is a handful of rows, every one counted', async () => {
    const earlier = (await list('?limit=1000')).body;
    const before = earlier.length;
    const counted = (entries: Entry[], action: string) =>
      entries.filter((e) => e.action === action).reduce((n, e) => n + e.count, 0);
    const refusedBefore = counted(earlier, 'management_api.use');
    const failedBefore = counted(earlier, 'authentication.failed');
    const calls = 600;
    for (let batch = 0; batch < calls / 50; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          assert.equal((await list('', reader)).status, 403);
          assert.ok([401, 429].includes((await list('', BOGUS)).status));
        }),
      );
    }
    const during = (await list('?limit=1000')).body;
    assert.ok(during.length - before <= 6, `${during.length - before} new rows`);
    // Shutdown writes out what was gathered; after a restart every refusal is counted.
    await server.stop();
    server = await startServerProcess({ dataDir: server.dataDir });
    const entries = (await list('?limit=1000')).body;
    // A database token is refused at the door of the management API, before the audit log's own row.
    const refusals = entries.filter((e) => e.action === 'management_api.use' && e.outcome === 'denied');
    assert.equal(
      refusals.reduce((n, e) => n + e.count, 0),
      calls + refusedBefore,
    );
    assert.ok(refusals.length <= 3);
    const aggregate = refusals.find((e) => e.count > 1) as Entry;
    assert.ok(aggregate.firstTime <= aggregate.lastTime);
    const failures = entries.filter((e) => e.action === 'authentication.failed');
    assert.equal(
      failures.reduce((n, e) => n + e.count, 0),
      calls + failedBefore,
    );
    assert.ok(failures.length <= 6, `${failures.length} failure rows`);
    assert.ok(failures.every((e) => typeof e.details.reason === 'string'));
  });

  test('no token string or token hash anywhere in the stored audit log', async () => {
    const file = new Database(join(server.dataDir, 'catalog.sqlite'), { readonly: true });
    try {
      const stored = JSON.stringify(file.prepare('select * from audit_log').all());
      for (const secret of [operator, reader, BOGUS]) {
        assert.ok(!stored.includes(secret), 'a token string is in the audit log');
        assert.ok(!stored.includes(hashToken(secret)), 'a token hash is in the audit log');
      }
    } finally {
      file.close();
    }
  });

  test('verify says ok, then names an entry edited in the catalog file', async () => {
    const good = await call<Report>(server.url, 'GET', '/api/v0/audit/verify', { token: operator });
    assert.equal(good.status, 200, good.text);
    assert.equal(good.body.ok, true, good.text);
    assert.equal(good.body.anchor, null);
    assert.ok(good.body.checked > 5);
    assert.equal(good.body.problem, undefined);
    const target = (await list('?action=database.create')).body[0] as Entry;
    const file = new Database(join(server.dataDir, 'catalog.sqlite'));
    try {
      file.prepare(`update audit_log set target_name = 'other' where id = ?`).run(Number(target.id));
    } finally {
      file.close();
    }
    const bad = await call<Report>(server.url, 'GET', '/api/v0/audit/verify', { token: operator });
    assert.equal(bad.body.ok, false);
    assert.equal(bad.body.problem?.kind, 'edited');
    assert.equal(bad.body.problem?.id, target.id);
  });
});

test('serve --audit-retention prunes old entries in the background; what stays verifies from the anchor', async () => {
  const server = await startServerProcess({ args: ['--audit-retention', '1s'] });
  try {
    const operator = await bootstrap(server.url);
    const created = await call(server.url, 'POST', '/api/v3/configure/database', {
      token: operator,
      json: { db: 'old' },
    });
    assert.equal(created.status, 201, created.text);
    // The pruner runs every second: wait until it has taken the database's entry too.
    let left: Entry[] = [{} as Entry];
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      left = (await call<Entry[]>(server.url, 'GET', '/api/v0/audit?action=database.create', { token: operator })).body;
    }
    assert.deepEqual(left, [], 'the old entry was not pruned');
    const report = (await call<Report>(server.url, 'GET', '/api/v0/audit/verify', { token: operator })).body;
    assert.ok(report.anchor, 'no anchor after a prune');
    assert.ok(report.anchor.seq >= 2);
    assert.equal(report.ok, true, JSON.stringify(report.problem));
  } finally {
    await server.dispose();
  }
});
