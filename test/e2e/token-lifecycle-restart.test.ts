import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/postgres.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

interface Catalogs {
  name: string;
  args: () => string[];
  /** Every byte the catalog keeps, as text, to search for secrets. */
  dump: (server: ServerProcess) => Promise<string>;
  cleanup: () => Promise<void>;
}

let scratch: ScratchDatabase | undefined;
const catalogs: Catalogs[] = [
  {
    name: 'SQLite',
    args: () => [],
    dump: async (server) =>
      filesUnder(server.dataDir)
        .map((f) => readFileSync(f).toString('latin1'))
        .join('\n'),
    cleanup: async () => {},
  },
  {
    name: 'PostgreSQL',
    args: () => ['--catalog', scratch!.url],
    dump: async () => {
      const tables = await scratch!.query(`select tablename from pg_tables where schemaname = 'public'`);
      const parts = await Promise.all(tables.map((t) => scratch!.query(`select * from "${t.tablename}"`)));
      return JSON.stringify(parts);
    },
    cleanup: async () => scratch?.drop(),
  },
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

for (const catalog of catalogs) {
  describe(`token lifecycle across a restart on ${catalog.name}`, () => {
    after(() => catalog.cleanup());
    const secrets: string[] = [];

    test('tokens and their state survive a restart, and no secret is stored or logged', async () => {
      if (catalog.name === 'PostgreSQL') scratch = await createScratchDatabase();
      let server = await startServerProcess({ args: catalog.args() });
      const dataDir = server.dataDir;
      const firstOperator = await bootstrap(server.url);
      secrets.push(firstOperator);
      const base = server.url;
      assert.equal(
        (await call(base, 'POST', '/api/v3/configure/database', { token: firstOperator, json: { db: 'sensors' } }))
          .status,
        201,
      );
      const issue = async (path: string, json: unknown) => {
        const response = await call<IssuedToken>(server.url, 'POST', path, { token: operator, json });
        assert.equal(response.status, 201, response.text);
        secrets.push(response.body.token);
        return response.body.token;
      };
      let operator = firstOperator;
      const ci = await issue('/api/v3/configure/token/named_admin', { token_name: 'ci', expiry_secs: 3600 });
      const writer = await issue('/api/v3/enterprise/configure/token', {
        token_name: 'writer',
        permissions: [{ resource_type: 'db', resource_names: ['sensors'], actions: ['read', 'write'] }],
      });
      const doomed = await issue('/api/v3/enterprise/configure/token', {
        token_name: 'doomed',
        permissions: [{ resource_type: 'system', resource_names: ['health'], actions: ['read'] }],
      });
      assert.equal((await call(base, 'GET', '/health', { token: doomed })).status, 200);
      assert.equal(
        (await call(base, 'DELETE', '/api/v3/configure/token?token_name=doomed', { token: operator })).status,
        200,
      );
      const regenerated = await call<IssuedToken>(base, 'POST', '/api/v3/configure/token/admin/regenerate', {
        token: operator,
      });
      assert.equal(regenerated.status, 201);
      operator = regenerated.body.token;
      secrets.push(operator);
      // a token used in a query string must not reach the log either
      await call(base, 'GET', `/api/v3/configure/token?p=${writer}`, { token: operator });
      const logBefore = server.output();
      assert.equal(await server.stop(), 0, 'clean shutdown on SIGTERM');

      server = await startServerProcess({ dataDir, args: catalog.args() });
      try {
        assert.equal((await call(server.url, 'GET', '/api/v3/configure/token', { token: operator })).status, 200);
        assert.equal((await call(server.url, 'GET', '/api/v3/configure/token', { token: ci })).status, 200);
        assert.equal((await call(server.url, 'GET', '/api/v3/configure/token', { token: writer })).status, 403);
        const dead = await call<{ reason: string }>(server.url, 'GET', '/health', { token: doomed });
        assert.equal(dead.status, 401);
        assert.equal((await call(server.url, 'GET', '/api/v3/configure/token', { token: firstOperator })).status, 401);
        const list = await call<Array<{ name: string; status: string; last_used_at: string | null }>>(
          server.url,
          'GET',
          '/api/v3/configure/token?include_revoked=true',
          { token: operator },
        );
        const byName = new Map(list.body.map((t) => [t.name, t]));
        assert.equal(byName.get('doomed')?.status, 'revoked');
        assert.equal(byName.get('writer')?.status, 'active');
        assert.ok(byName.get('doomed')?.last_used_at, 'last use was flushed before shutdown');
        const stored = await catalog.dump(server);
        const logs = logBefore + server.output();
        for (const secret of secrets) {
          assert.ok(!stored.includes(secret), `the ${catalog.name} catalog holds a token string`);
          assert.ok(!stored.includes(secret.slice(8, 40)), `the ${catalog.name} catalog holds part of a token string`);
          assert.ok(!logs.includes(secret.slice(8, 40)), 'the server log holds a token string');
        }
      } finally {
        await server.dispose();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
