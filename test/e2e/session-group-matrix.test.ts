import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { writeLogin } from '../../src/cli/login-cache.ts';
import { decide } from '../../src/domain/authorization.ts';
import { NO_AUTHORITY, type Role, type UserPrincipal } from '../../src/domain/principal.ts';
import { bootstrap, call } from '../helpers/http.ts';
import { type Expectation, ManagementActions, refusalOf } from '../helpers/management-actions.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { TestIdp } from '../helpers/test-idp.ts';

/** The matrix column a signed-in user of `group` falls in, as the domain sees it. */
function userOf(group: Role): UserPrincipal {
  return {
    kind: 'user',
    tokenId: null,
    tokenKind: null,
    role: group,
    subject: group,
    name: group,
    authority: NO_AUTHORITY,
    expiresAt: Number.POSITIVE_INFINITY,
    sourceIp: null,
  };
}

/** Every piece of a JWT long enough to be recognised in a log line or a stored row. */
function jwtParts(jwts: string[]): string[] {
  return jwts.flatMap((jwt) => [jwt, ...jwt.split('.').filter((part) => part.length > 16)]);
}

function readCatalog<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Who signs in, the group the server gives them and the name the audit trail must show. */
const PEOPLE = [
  { sub: 'root', group: 'admin', name: 'Root Admin' },
  { sub: 'mia', group: 'member', name: 'Mia' },
  { sub: 'ada', group: 'auditor', name: 'Ada' },
] as const;

/**
 * The permission matrix, cell by cell, for people signed in through a real OpenID provider
 * (node-oidc-provider on a loopback port, the device flow completed on its own pages): each group's
 * real JWT tries every management action; the answer must be what `decide` over PERMISSION_MATRIX
 * says for the group's column, the refusal with the verdict's exact code naming the group. A subject
 * whose claim names no group gets 401 for every action.
 */
describe('the permission matrix, cell by cell, for signed-in users of each group', () => {
  let idp: TestIdp;
  let server: ServerProcess;
  let operator: string;
  let actions: ManagementActions;
  const jwts = new Map<string, string>();

  before(async () => {
    idp = await TestIdp.start();
    idp.setAccount({ sub: 'root', name: 'Root Admin' });
    idp.setAccount({ sub: 'mia', groups: ['Member'], name: 'Mia', email: 'mia@example.com' });
    idp.setAccount({ sub: 'ada', groups: 'auditor', name: 'Ada' });
    idp.setAccount({ sub: 'nobody', groups: ['engineering'], name: 'Nobody' });
    server = await startServerProcess({
      args: [
        '--oidc-issuer',
        idp.issuer,
        '--oidc-audience',
        idp.audience,
        '--oidc-client-id',
        idp.clientId,
        '--oidc-group-claim',
        'groups',
        '--oidc-admin-subjects',
        'root',
        '--auth-failure-limit',
        '1000',
      ],
    });
    operator = await bootstrap(server.url);
    actions = new ManagementActions(server.url, operator);
    await actions.prepare();
    for (const sub of ['root', 'mia', 'ada', 'nobody']) jwts.set(sub, await idp.signIn(sub));
  });
  after(async () => {
    await server?.dispose();
    await idp?.stop();
  });

  for (const person of PEOPLE) {
    test(`group ${person.group} (${person.sub}): every action answers as the matrix says`, async () => {
      const mismatches = await actions.mismatches(jwts.get(person.sub)!, (action) => {
        const verdict = decide(userOf(person.group), action);
        return verdict.allowed ? verdict : refusalOf(verdict, `the user '${person.name}' (group ${person.group})`);
      });
      assert.deepEqual(mismatches, []);
    });
  }

  test('a subject in no group: every action is refused with 401 and the reason', async () => {
    const noAccess: Expectation = { allowed: false, status: 401, code: 'USER_NOT_ALLOWED', reason: 'session_no_group' };
    assert.deepEqual(await actions.mismatches(jwts.get('nobody')!, () => noAccess), []);
  });

  test('`fluxgate management create --description CI` as a signed-in Admin, from the cached login; a profile mgmt_token comes first', async () => {
    const home = mkdtempSync(join(tmpdir(), 'fluxgate-group-matrix-'));
    try {
      const env = { HOME: home, XDG_CACHE_HOME: join(home, 'cache'), FLUXGATE_HOST: server.url };
      writeLogin(
        {
          host: new URL(server.url).origin,
          issuer: idp.issuer,
          clientId: idp.clientId,
          accessToken: jwts.get('root')!,
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          subject: 'root',
          name: 'Root Admin',
        },
        env,
      );
      const made = await runCli(['management', 'create', '--description', 'CI', '--format', 'json'], { env });
      assert.equal(made.code, 0, made.stderr);
      const issued = JSON.parse(made.stdout) as {
        id: string;
        description: string;
        accessToken?: string;
        token?: string;
      };
      assert.equal(issued.description, 'CI');
      actions.secrets.push(String(issued.accessToken ?? issued.token));
      const audit = await call<Array<{ targetId?: string; actorName?: string; details: Record<string, unknown> }>>(
        server.url,
        'GET',
        '/api/v0/audit?action=management_token.create&outcome=ok',
        { token: operator },
      );
      const entry = audit.body.find((e) => e.targetId === String(issued.id));
      assert.deepEqual([entry?.actorName, entry?.details.actorSubject], ['Root Admin', 'root'], audit.text);
      // The profile's mgmt_token (a database token here, which may not manage) is used before the login.
      const reader = await call<{ accessToken: string }>(server.url, 'POST', '/api/v0/tokens', {
        token: operator,
        json: { description: 'reader', permissions: [{ action: 'read', resource: 'matrix' }] },
      });
      actions.secrets.push(reader.body.accessToken);
      const config = join(home, 'config.toml');
      writeFileSync(config, `[[profile]]\nname = "default"\nmgmt_token = "${reader.body.accessToken}"\n`, {
        mode: 0o600,
      });
      const refused = await runCli(['--config', config, 'management', 'create', '--description', 'CI 2'], { env });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /403/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("each user's actions, done and refused, are audited under their display name and subject", async () => {
    // Shutdown writes out the refusals the audit log was still gathering (repeats become one entry).
    assert.equal(await server.stop(), 0);
    const entries = readCatalog(server.dataDir, (db) =>
      (
        db
          .prepare("select actor_kind, actor_name, action, outcome, details from audit_log where actor_kind = 'user'")
          .all() as Array<{ actor_kind: string; actor_name: string; action: string; outcome: string; details: string }>
      ).map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> })),
    );
    const expected: Array<[sub: string, name: string, action: string, outcome: string]> = [
      ['root', 'Root Admin', 'management_token.create', 'ok'],
      ['root', 'Root Admin', 'management_token.revoke', 'ok'],
      ['root', 'Root Admin', 'database_token.create', 'ok'],
      ['root', 'Root Admin', 'database.create', 'ok'],
      ['root', 'Root Admin', 'database.rename', 'ok'],
      ['root', 'Root Admin', 'user.add', 'ok'],
      ['root', 'Root Admin', 'user.remove', 'ok'],
      ['root', 'Root Admin', 'operator_token.revoke', 'denied'],
      ['mia', 'Mia', 'database_token.create', 'ok'],
      ['mia', 'Mia', 'database_token.rotate', 'ok'],
      ['mia', 'Mia', 'management_token.create', 'denied'],
      ['mia', 'Mia', 'user.add', 'denied'],
      ['ada', 'Ada', 'database_token.create', 'denied'],
      ['ada', 'Ada', 'user.remove', 'denied'],
    ];
    const missing = expected.filter(
      ([sub, name, action, outcome]) =>
        !entries.some(
          (e) =>
            e.actor_name === name && e.action === action && e.outcome === outcome && e.details.actorSubject === sub,
        ),
    );
    assert.deepEqual(missing, []);
    // Every entry a user is the actor of names them by subject too, whatever service wrote it.
    const unnamed = entries.filter((e) => typeof e.details.actorSubject !== 'string');
    assert.deepEqual(
      unnamed.map((e) => `${e.actor_name} ${e.action} ${e.outcome}`),
      [],
    );
  });

  test('no JWT (nor a piece of one) in the server log, the audit log or any catalog table', () => {
    const parts = jwtParts([...jwts.values()]);
    const log = server.output();
    for (const part of parts) assert.ok(!log.includes(part), 'a JWT (or a piece of one) is in the server log');
    readCatalog(server.dataDir, (db) => {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
      assert.ok(tables.some((t) => t.name === 'audit_log') && tables.some((t) => t.name === 'users'));
      for (const { name } of tables) {
        const stored = JSON.stringify(db.prepare(`select * from "${name}"`).all());
        for (const part of parts) assert.ok(!stored.includes(part), `a JWT (or a piece of one) is in ${name}`);
      }
    });
  });
});
