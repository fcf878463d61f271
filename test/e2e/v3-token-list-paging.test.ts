import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bootstrap } from '../helpers/http.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { Api, assertNoSecretsLogged, dbPermission, type TokenViewJson } from '../http/support.ts';

interface V3Error {
  code: string;
  field?: string;
}

/** Issue 12 item 14: `GET /api/v3/configure/token` answered 10,000 tokens in one body. */
describe('GET /api/v3/configure/token pages (limit, cursor, X-Next-Cursor, Link) and keeps its array body', () => {
  let server: ServerProcess;
  let api: Api;
  let operator: string;
  const TOTAL = 1_010; // more than one default page (1000) with the operator token

  before(async () => {
    server = await startServerProcess();
    api = new Api(server.url);
    operator = await bootstrap(server.url);
    api.remember(operator);
    await api.createDatabase(operator, 'paged');
    const permissions = [dbPermission(['paged'], ['read'])];
    for (let start = 0; start < TOTAL - 1; start += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, TOTAL - 1 - start) }, (_, i) =>
          api.createDatabaseToken(operator, `paged-${start + i}`, permissions),
        ),
      );
    }
  });
  after(async () => {
    await server?.dispose();
  });

  test('without limit: the first 1000 by id and a next link; following it gives the rest, once each', async () => {
    const first = await api.call<TokenViewJson[]>('GET', '/api/v3/configure/token', { token: operator });
    assert.equal(first.status, 200, first.text);
    assert.ok(Array.isArray(first.body));
    assert.equal(first.body.length, 1000);
    const cursor = first.headers.get('x-next-cursor');
    assert.ok(cursor, 'a next cursor while more follow');
    assert.equal(first.headers.get('link'), `</api/v3/configure/token?cursor=${cursor}>; rel="next"`);
    const next = await api.call<TokenViewJson[]>('GET', `/api/v3/configure/token?cursor=${cursor}`, {
      token: operator,
    });
    assert.equal(next.status, 200, next.text);
    assert.equal(next.body.length, TOTAL - 1000);
    assert.equal(next.headers.get('x-next-cursor'), null, 'the last page has no cursor');
    assert.equal(next.headers.get('link'), null);
    const ids = [...first.body, ...next.body].map((t) => t.id);
    assert.equal(new Set(ids).size, TOTAL);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
  });

  test('a small limit walks the same list; a cursor for another query or a bad limit is a 400 naming it', async () => {
    const seen: number[] = [];
    let path = '/api/v3/configure/token?include_revoked=true&limit=300';
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await api.call<TokenViewJson[]>('GET', path, { token: operator });
      assert.equal(page.status, 200, page.text);
      assert.ok(page.body.length <= 300);
      seen.push(...page.body.map((t) => t.id));
      cursor = page.headers.get('x-next-cursor');
      if (cursor === null) break;
      const link = page.headers.get('link') ?? '';
      path = /^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? assert.fail(`no next link: ${link}`);
      assert.match(path, /include_revoked=true/);
      assert.match(path, /limit=300/);
    }
    assert.equal(seen.length, TOTAL);
    const withCursor = await api.call<TokenViewJson[]>('GET', '/api/v3/configure/token?limit=1', { token: operator });
    const replayed = await api.call<V3Error>(
      'GET',
      `/api/v3/configure/token?include_revoked=true&limit=1&cursor=${withCursor.headers.get('x-next-cursor')}`,
      { token: operator },
    );
    assert.deepEqual([replayed.status, replayed.body.code, replayed.body.field], [400, 'INVALID_INPUT', 'cursor']);
    for (const limit of ['0', '1001', 'many']) {
      const bad = await api.call<V3Error>('GET', `/api/v3/configure/token?limit=${limit}`, { token: operator });
      assert.deepEqual([bad.status, bad.body.field], [400, 'limit'], limit);
    }
  });

  test('`fluxgate show tokens` follows the pages and lists every token', async () => {
    const shown = await runCli(['show', 'tokens', '--format', 'json'], {
      env: { FLUXGATE_HOST: server.url, FLUXGATE_TOKEN: operator },
    });
    assert.equal(shown.code, 0, shown.stderr);
    const tokens = JSON.parse(shown.stdout) as Array<{ id: number }>;
    assert.equal(tokens.length, TOTAL);
    await assertNoSecretsLogged(server, api.secrets);
  });
});
