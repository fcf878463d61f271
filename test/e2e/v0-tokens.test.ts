import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const ACCOUNT = '11111111-2222-4333-8444-555555555555';
const CLUSTER = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const DEDICATED = `/api/v0/accounts/${ACCOUNT}/clusters/${CLUSTER}`;

interface V0Token {
  accountId: string;
  clusterId: string;
  id: string;
  name: string;
  description: string;
  role?: string;
  permissions?: Array<{ action: string; resource: string }>;
  status: string;
  tokenPrefix: string;
  createdAt: string;
  createdBy?: string;
  expiresAt?: string;
  revokedAt?: string;
  accessToken?: string;
  graceEndsAt?: string;
}

interface V0Error {
  code: number;
  message: string;
  fluxgateCode: string;
  field?: string;
  reason?: string;
}

const write = (server: ServerProcess, token: string, db = 'sensors') =>
  call(server.url, 'POST', `/api/v3/write_lp?db=${db}`, { token, body: 'cpu v=1 1700000000000000000' });

describe('the v0 management API for database and management tokens, both path styles', () => {
  let server: ServerProcess;
  let operator: string;
  const secrets: string[] = [];

  before(async () => {
    server = await startServerProcess({ args: ['--account-id', ACCOUNT, '--cluster-id', CLUSTER] });
    operator = await bootstrap(server.url);
    secrets.push(operator);
    for (const db of ['sensors', 'logs']) {
      const created = await call(server.url, 'POST', '/api/v3/configure/database', { token: operator, json: { db } });
      assert.equal(created.status, 201, created.text);
    }
  });
  after(async () => {
    await server?.dispose();
  });

  test('whoami names the account, the cluster and the caller on both path styles; a wrong id is 404', async () => {
    for (const prefix of ['/api/v0', DEDICATED]) {
      const me = await call<Record<string, string>>(server.url, 'GET', `${prefix}/whoami`, { token: operator });
      assert.equal(me.status, 200, me.text);
      assert.deepEqual(
        [me.body.accountId, me.body.clusterId, me.body.kind, me.body.name],
        [ACCOUNT, CLUSTER, 'operator', '_admin'],
      );
    }
    const wrong = await call<V0Error>(
      server.url,
      'GET',
      `/api/v0/accounts/${ACCOUNT}/clusters/00000000-0000-4000-8000-000000000000/whoami`,
      { token: operator },
    );
    assert.equal(wrong.status, 404);
    assert.equal(wrong.body.code, 404);
    assert.equal(wrong.body.fluxgateCode, 'NOT_FOUND');
    assert.match(wrong.body.message, /no cluster/);
  });

  test('a database token is created as Clustered answers it, works at once, and the list shows no secret', async () => {
    const created = await call<V0Token>(server.url, 'POST', `${DEDICATED}/tokens`, {
      token: operator,
      json: {
        description: 'ingest bot',
        permissions: [
          { action: 'read', resource: 'sensors' },
          { action: 'write', resource: 'sensors' },
        ],
        expiresIn: '7d',
      },
    });
    assert.equal(created.status, 200, created.text);
    const token = created.body;
    assert.ok(token.accessToken?.startsWith('fgd_'));
    secrets.push(token.accessToken!);
    assert.deepEqual(
      [token.accountId, token.clusterId, token.name, token.status],
      [ACCOUNT, CLUSTER, 'ingest-bot', 'active'],
    );
    assert.match(token.id, /^\d+$/);
    assert.deepEqual(token.permissions, [
      { action: 'read', resource: 'sensors' },
      { action: 'write', resource: 'sensors' },
    ]);
    assert.ok(token.expiresAt !== undefined && Date.parse(token.expiresAt) > Date.now() + 6 * 86_400_000);
    assert.equal((await write(server, token.accessToken!)).status, 204, 'works the moment it exists');

    const again = await call<V0Token>(server.url, 'POST', '/api/v0/tokens', {
      token: operator,
      json: { description: 'ingest bot', permissions: [] },
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.name, 'ingest-bot-2', 'a taken derived name gets a suffix');
    assert.equal(again.body.expiresAt, undefined, 'no expiry: no expiresAt field, never 1970');
    secrets.push(again.body.accessToken!);

    const list = await call<V0Token[]>(server.url, 'GET', '/api/v0/tokens', { token: operator });
    assert.equal(list.status, 200);
    assert.ok(list.body.some((t) => t.id === token.id));
    assert.ok(list.body.every((t) => t.accessToken === undefined));
    const got = await call<V0Token>(server.url, 'GET', `/api/v0/tokens/${token.id}`, { token: operator });
    assert.equal(got.status, 200);
    assert.equal(got.body.accessToken, undefined);
  });

  test('bad input names the field and writes nothing', async () => {
    const before = (await call<V0Token[]>(server.url, 'GET', '/api/v0/tokens', { token: operator })).body.length;
    const cases: Array<[unknown, string, number]> = [
      [{ description: '  ' }, 'description', 400],
      [{ permissions: [] }, 'description', 400],
      [{ description: 'x', permissions: [{ action: 'read', resource: 'nope' }] }, 'permissions[0].resource', 400],
      [{ description: 'x', permissions: [{ action: 'delete', resource: 'sensors' }] }, 'permissions[0].action', 400],
      [{ description: 'x', bogus: 1 }, 'bogus', 400],
      [{ description: 'x', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt', 400],
      [{ description: 'x', expiresAt: '2031-01-01T00:00:00Z', expiresIn: '1d' }, 'expiresIn', 400],
    ];
    for (const [json, field, status] of cases) {
      const r = await call<V0Error>(server.url, 'POST', '/api/v0/tokens', { token: operator, json });
      assert.equal(r.status, status, `${JSON.stringify(json)}: ${r.text}`);
      assert.equal(r.body.field, field, JSON.stringify(json));
      assert.equal(r.body.code, status);
    }
    const notJson = await call<V0Error>(server.url, 'POST', '/api/v0/tokens', {
      token: operator,
      body: 'description=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(notJson.status, 415);
    const badId = await call<V0Error>(server.url, 'GET', '/api/v0/tokens/abc', { token: operator });
    assert.deepEqual([badId.status, badId.body.field], [400, 'tokenId']);
    const after = (await call<V0Token[]>(server.url, 'GET', '/api/v0/tokens', { token: operator })).body.length;
    assert.equal(after, before, 'nothing was written');
  });

  test('PATCH replaces permissions, adds and removes them, and the next request sees the change', async () => {
    const created = await call<V0Token>(server.url, 'POST', '/api/v0/tokens', {
      token: operator,
      json: { description: 'editable', permissions: [{ action: 'write', resource: 'sensors' }] },
    });
    const { id, accessToken } = created.body;
    secrets.push(accessToken!);
    assert.equal((await write(server, accessToken!, 'logs')).status, 403);

    const added = await call<V0Token>(server.url, 'PATCH', `/api/v0/tokens/${id}`, {
      token: operator,
      json: { addPermissions: [{ action: 'write', resource: 'logs' }] },
    });
    assert.equal(added.status, 200, added.text);
    assert.equal((await write(server, accessToken!, 'logs')).status, 204, 'the added grant works at once');

    const removed = await call<V0Token>(server.url, 'PATCH', `/api/v0/tokens/${id}`, {
      token: operator,
      json: { removeDatabases: ['sensors'], description: 'logs only' },
    });
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual(removed.body.permissions, [{ action: 'write', resource: 'logs' }]);
    assert.equal(removed.body.description, 'logs only');
    assert.equal((await write(server, accessToken!, 'sensors')).status, 403, 'the cut grant is gone at once');

    const replaced = await call<V0Token>(server.url, 'PATCH', `/api/v0/tokens/${id}`, {
      token: operator,
      json: { permissions: [{ action: 'read', resource: '*' }], expiresIn: '30d' },
    });
    assert.deepEqual(replaced.body.permissions, [{ action: 'read', resource: '*' }]);
    assert.ok(replaced.body.expiresAt !== undefined);
    assert.equal((await write(server, accessToken!, 'logs')).status, 403, 'replaced: no write any more');
    const cleared = await call<V0Token>(server.url, 'PATCH', `/api/v0/tokens/${id}`, {
      token: operator,
      json: { expiresAt: null },
    });
    assert.equal(cleared.body.expiresAt, undefined);
  });

  test('rotation with grace keeps the old secret until graceEndsAt; without grace it dies at once; revoke is 204 then 409', async () => {
    const created = await call<V0Token>(server.url, 'POST', '/api/v0/tokens', {
      token: operator,
      json: { description: 'rotating', permissions: [{ action: 'write', resource: 'sensors' }] },
    });
    const { id, accessToken: first } = created.body;
    secrets.push(first!);
    const graced = await call<V0Token>(server.url, 'POST', `/api/v0/tokens/${id}/rotate`, {
      token: operator,
      json: { grace: '1h' },
    });
    assert.equal(graced.status, 200, graced.text);
    const second = graced.body.accessToken!;
    secrets.push(second);
    assert.equal(graced.body.id, id, 'same id');
    assert.ok(graced.body.graceEndsAt !== undefined);
    assert.notEqual(second, first);
    assert.equal((await write(server, first!)).status, 204, 'the old secret inside its grace');
    assert.equal((await write(server, second)).status, 204, 'the new secret');

    const hard = await call<V0Token>(server.url, 'POST', `/api/v0/tokens/${id}/rotate`, { token: operator });
    assert.equal(hard.status, 200, hard.text);
    secrets.push(hard.body.accessToken!);
    const dead = await write(server, second);
    assert.equal(dead.status, 401, 'no grace: the replaced secret dies on its next request');

    const revoked = await call(server.url, 'DELETE', `/api/v0/tokens/${id}`, { token: operator });
    assert.equal(revoked.status, 204);
    assert.equal(revoked.text, '');
    const next = await call<{ reason?: string }>(server.url, 'POST', '/api/v3/write_lp?db=sensors', {
      token: hard.body.accessToken!,
      body: 'cpu v=1',
    });
    assert.equal(next.status, 401);
    const twice = await call<V0Error>(server.url, 'DELETE', `/api/v0/tokens/${id}`, { token: operator });
    assert.deepEqual([twice.status, twice.body.fluxgateCode], [409, 'TOKEN_INACTIVE']);
    const rotateRevoked = await call<V0Error>(server.url, 'POST', `/api/v0/tokens/${id}/rotate`, { token: operator });
    assert.deepEqual([rotateRevoked.status, rotateRevoked.body.fluxgateCode], [409, 'TOKEN_INACTIVE']);
    const hidden = await call(server.url, 'GET', `/api/v0/tokens/${id}`, { token: operator });
    assert.equal(hidden.status, 404);
    const shown = await call<V0Token>(server.url, 'GET', `/api/v0/tokens/${id}?includeRevoked=true`, {
      token: operator,
    });
    assert.deepEqual([shown.status, shown.body.status], [200, 'revoked']);
  });

  test('management tokens: roles, the role ceiling, never data, and a database token is kept out of /api/v0', async () => {
    const member = await call<V0Token>(server.url, 'POST', `${DEDICATED}/management-tokens`, {
      token: operator,
      json: { description: 'deploy bot', role: 'member', expiresIn: '30d' },
    });
    assert.equal(member.status, 200, member.text);
    assert.ok(member.body.accessToken?.startsWith('fgm_'));
    assert.deepEqual(
      [member.body.role, member.body.name, member.body.permissions],
      ['member', 'deploy-bot', undefined],
    );
    const memberSecret = member.body.accessToken!;
    secrets.push(memberSecret);

    const me = await call<Record<string, string>>(server.url, 'GET', '/api/v0/whoami', { token: memberSecret });
    assert.deepEqual([me.body.kind, me.body.role, me.body.tokenId], ['management', 'member', member.body.id]);

    const higher = await call<V0Error>(server.url, 'POST', '/api/v0/management-tokens', {
      token: memberSecret,
      json: { description: 'escalate', role: 'admin' },
    });
    assert.equal(higher.status, 403, higher.text);
    assert.ok(['ROLE_EXCEEDS_OWN', 'PERMISSION_DENIED'].includes(higher.body.fluxgateCode), higher.text);

    const minted = await call<V0Token>(server.url, 'POST', '/api/v0/tokens', {
      token: memberSecret,
      json: { description: 'by a member', permissions: [{ action: 'write', resource: 'sensors' }], expiresIn: '1d' },
    });
    assert.equal(minted.status, 200, minted.text);
    const outliving = await call<V0Error>(server.url, 'POST', '/api/v0/tokens', {
      token: memberSecret,
      json: { description: 'outlives', permissions: [] },
    });
    assert.deepEqual([outliving.status, outliving.body.fluxgateCode], [403, 'EXPIRY_EXCEEDS_OWN']);
    secrets.push(minted.body.accessToken!);
    assert.equal(minted.body.createdBy, member.body.id);

    const data = await write(server, memberSecret);
    assert.equal(data.status, 403, 'a management token never writes data');
    assert.match(data.text, /never write or query data/);

    const dbToken = minted.body.accessToken!;
    for (const path of ['/api/v0/tokens', '/api/v0/management-tokens', '/api/v0/whoami', `${DEDICATED}/tokens`]) {
      const r = await call<V0Error>(server.url, 'GET', path, { token: dbToken });
      assert.equal(r.status, 403, path);
      assert.match(r.body.message, /database tokens are for data only/);
    }

    const auditor = await call<V0Token>(server.url, 'POST', '/api/v0/management-tokens', {
      token: operator,
      json: { description: 'auditor', role: 'auditor' },
    });
    secrets.push(auditor.body.accessToken!);
    const refused = await call<V0Error>(server.url, 'POST', '/api/v0/tokens', {
      token: auditor.body.accessToken!,
      json: { description: 'no', permissions: [] },
    });
    assert.equal(refused.status, 403);

    const demoted = await call<V0Token>(server.url, 'PATCH', `/api/v0/management-tokens/${member.body.id}`, {
      token: operator,
      json: { role: 'auditor' },
    });
    assert.equal(demoted.body.role, 'auditor');
    const afterDemotion = await call(server.url, 'POST', '/api/v0/tokens', {
      token: memberSecret,
      json: { description: 'no longer', permissions: [] },
    });
    assert.equal(afterDemotion.status, 403, 'the new role holds on the next request');

    const gone = await call(server.url, 'DELETE', `/api/v0/management-tokens/${member.body.id}`, { token: operator });
    assert.equal(gone.status, 204);
    const revoked = await call<V0Error>(server.url, 'GET', '/api/v0/whoami', { token: memberSecret });
    assert.deepEqual([revoked.status, revoked.body.reason], [401, 'revoked']);
    const wrongKind = await call(server.url, 'GET', `/api/v0/management-tokens/${minted.body.id}`, { token: operator });
    assert.equal(wrongKind.status, 404, 'a database token is not a management token');
  });

  test('lists page with limit and cursor, and a cursor from another query is refused', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await call<V0Token>(server.url, 'POST', '/api/v0/tokens', {
        token: operator,
        json: { description: `paged ${i}`, permissions: [] },
      });
      secrets.push(r.body.accessToken!);
    }
    const all = await call<V0Token[]>(server.url, 'GET', '/api/v0/tokens?sort=description', { token: operator });
    const seen: string[] = [];
    let path: string | undefined = '/api/v0/tokens?sort=description&limit=2';
    let pages = 0;
    while (path !== undefined) {
      const page: Awaited<ReturnType<typeof call<V0Token[]>>> = await call<V0Token[]>(server.url, 'GET', path, {
        token: operator,
      });
      assert.equal(page.status, 200, page.text);
      assert.ok(page.body.length <= 2);
      seen.push(...page.body.map((t) => t.id));
      pages++;
      const link = page.headers.get('link');
      path = link === null ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
      if (link !== null) assert.ok(page.headers.get('x-next-cursor'));
    }
    assert.deepEqual(
      seen,
      all.body.map((t) => t.id),
      'the pages together are the whole list, in order',
    );
    assert.ok(pages >= 3);
    const first = await call(server.url, 'GET', '/api/v0/tokens?sort=description&limit=2', { token: operator });
    const cursor = first.headers.get('x-next-cursor')!;
    const misused = await call<V0Error>(server.url, 'GET', `/api/v0/tokens?sort=created&cursor=${cursor}`, {
      token: operator,
    });
    assert.deepEqual([misused.status, misused.body.field], [400, 'cursor']);
    const desc = await call<V0Token[]>(server.url, 'GET', '/api/v0/tokens?sort=id&order=desc', { token: operator });
    const ids = desc.body.map((t) => Number(t.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
  });

  test('no secret reaches the log or the catalog', async () => {
    await server.stop();
    const log = server.output();
    const catalog = readFileSync(join(server.dataDir, 'catalog.sqlite')).toString('latin1');
    for (const secret of secrets) {
      assert.ok(!log.includes(secret), 'a token string is in the log');
      assert.ok(!catalog.includes(secret), 'a token string is in the catalog file');
    }
  });
});
