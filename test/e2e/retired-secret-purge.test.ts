import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { hashToken } from '../../src/domain/token-format.ts';
import { bootstrap, call } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

interface Rotated {
  id: string;
  accessToken: string;
  graceEndsAt?: string;
}

const query = (server: ServerProcess, token: string) =>
  call<{ reason?: string }>(server.url, 'GET', '/api/v3/query_sql?db=purged&q=select+1', { token });

async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Issue 7 part 7: rotated-out secrets are purged once their grace (and the retention after it) is over. */
describe('retired secrets are purged after their grace and the retention', () => {
  let server: ServerProcess;
  let operator: string;
  let catalog: Database.Database;

  before(async () => {
    server = await startServerProcess({ args: ['--retired-secret-retention', '1s'] });
    operator = await bootstrap(server.url);
    catalog = new Database(join(server.dataDir, 'catalog.sqlite'), { readonly: true });
    const db = await call(server.url, 'POST', '/api/v3/configure/database', {
      token: operator,
      json: { db: 'purged' },
    });
    assert.equal(db.status, 201, db.text);
  });
  after(async () => {
    catalog?.close();
    await server?.dispose();
  });

  test('the old secret works in its grace, answers revoked after it, and its row is gone after the retention', async () => {
    const created = await call<{ id: string; accessToken: string }>(server.url, 'POST', '/api/v0/tokens', {
      token: operator,
      json: { description: 'purge me', permissions: [{ action: 'read', resource: 'purged' }] },
    });
    assert.equal(created.status, 200, created.text);
    const old = created.body.accessToken;
    const rotated = await call<Rotated>(server.url, 'POST', `/api/v0/tokens/${created.body.id}/rotate`, {
      token: operator,
      json: { grace: '1s' },
    });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal((await query(server, old)).status, 200, 'the old secret works inside its grace');
    assert.equal((await query(server, rotated.body.accessToken)).status, 200);
    const rows = () =>
      (catalog.prepare('select count(*) as n from token_secrets where hash = ?').get(hashToken(old)) as { n: number })
        .n;
    assert.equal(rows(), 1, 'kept while it is in its grace');

    await until(async () => (await query(server, old)).status === 401, 5_000, 'the old secret was refused');
    assert.equal((await query(server, old)).body.reason, 'revoked');
    await until(() => rows() === 0, 10_000, 'the retired secret was purged');
    const refused = await query(server, old);
    assert.deepEqual([refused.status, refused.body.reason], [401, 'revoked'], 'this node still says revoked');
    assert.equal((await query(server, rotated.body.accessToken)).status, 200, 'the new secret is untouched');

    const audit = catalog
      .prepare("select target_id, details from audit_log where action = 'token_secret.purge'")
      .all() as Array<{ target_id: number; details: string }>;
    assert.deepEqual(
      audit.map((a) => [String(a.target_id), (JSON.parse(a.details) as { secrets: number }).secrets]),
      [[created.body.id, 1]],
    );
    const everything = `${JSON.stringify(catalog.prepare('select * from audit_log').all())}${server.output()}`;
    for (const secret of [old, rotated.body.accessToken]) {
      assert.ok(!everything.includes(secret), 'no secret in the audit log or the server log');
      assert.ok(!everything.includes(hashToken(secret)), 'no hash in the audit log or the server log');
    }
    assert.ok(!readFileSync(join(server.dataDir, 'catalog.sqlite')).includes(Buffer.from(old)));
  });

  test('a secret that still works is never purged, whatever its age', async () => {
    const created = await call<{ accessToken: string }>(server.url, 'POST', '/api/v0/tokens', {
      token: operator,
      json: { description: 'kept', permissions: [{ action: 'read', resource: 'purged' }] },
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal((await query(server, created.body.accessToken)).status, 200);
    assert.equal((await query(server, operator)).status, 200);
  });
});
