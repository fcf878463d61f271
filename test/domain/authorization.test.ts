import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ACTIONS, MANAGEMENT_ACTIONS, tokenAction } from '../../src/domain/actions.ts';
import {
  classOf,
  decide,
  expiryCeilingOf,
  mayEver,
  PERMISSION_MATRIX,
  PRINCIPAL_CLASSES,
  type PrincipalClass,
  refusal,
} from '../../src/domain/authorization.ts';
import { renderPermissionMatrix } from '../../src/domain/permission-matrix-doc.ts';
import { Authority, dbActionBits } from '../../src/domain/permissions.ts';
import {
  anonymousPrincipal,
  type Principal,
  type Role,
  roleWithin,
  systemPrincipal,
} from '../../src/domain/principal.ts';
import type { TokenKind } from '../../src/domain/token-format.ts';

function token(kind: TokenKind, role: Role | null = null, grants = new Authority([])): Principal {
  return {
    kind: 'token',
    tokenId: 9,
    tokenKind: kind,
    role,
    name: `${kind}-probe`,
    authority: kind === 'operator' || kind === 'admin' ? new Authority([{ type: 'admin' }]) : grants,
    expiresAt: Number.POSITIVE_INFINITY,
    sourceIp: '127.0.0.1',
  };
}

function user(role: Role): Principal {
  return {
    kind: 'user',
    tokenId: null,
    tokenKind: null,
    role,
    subject: 'sub-1',
    name: 'dana',
    authority: new Authority([]),
    expiresAt: Number.POSITIVE_INFINITY,
    sourceIp: null,
  };
}

/** One principal of each class, as the services receive them. */
const PRINCIPALS: Record<PrincipalClass, Principal> = {
  operator: token('operator'),
  admin: token('admin'),
  'role:admin': token('management', 'admin'),
  'role:member': token('management', 'member'),
  'role:auditor': token('management', 'auditor'),
  database: token('database', null, new Authority([{ type: 'db', databases: [1], actions: dbActionBits('read') }])),
  system: systemPrincipal('test'),
  anonymous: anonymousPrincipal('127.0.0.1'),
};

describe('the permission matrix', () => {
  test('docs/permissions.md prints exactly the matrix the services enforce', () => {
    const docs = readFileSync(new URL('../../docs/permissions.md', import.meta.url), 'utf8');
    assert.ok(
      docs.includes(renderPermissionMatrix()),
      'docs/permissions.md is out of date: run `node --import tsx scripts/permissions-doc.ts`',
    );
  });

  test('every action has a rule for every class of principal, and nothing else is in the table', () => {
    assert.deepEqual(Object.keys(PERMISSION_MATRIX).sort(), [...ACTIONS].sort());
    for (const action of ACTIONS) {
      assert.deepEqual(Object.keys(PERMISSION_MATRIX[action]).sort(), [...PRINCIPAL_CLASSES].sort(), action);
    }
  });

  test('each principal falls in its column; a management token by its role, a user by their group', () => {
    for (const [cls, principal] of Object.entries(PRINCIPALS)) assert.equal(classOf(principal), cls);
    assert.equal(classOf(user('auditor')), 'role:auditor');
    assert.equal(classOf(token('management', null)), 'role:admin', 'a management token without a role is Admin');
  });

  test('decide follows the table cell by cell for every action and every class', () => {
    for (const action of ACTIONS) {
      for (const cls of PRINCIPAL_CLASSES) {
        const rule = PERMISSION_MATRIX[action][cls];
        const verdict = decide(PRINCIPALS[cls], action);
        // A grant cell without a need to check is refused: the services always pass the need.
        assert.equal(verdict.allowed, rule.kind === 'allow', `${action} × ${cls}`);
        if (!verdict.allowed) {
          assert.equal(verdict.code, rule.kind === 'refuse' ? rule.code : 'PERMISSION_DENIED', `${action} × ${cls}`);
        }
      }
    }
  });

  test('the rules the issue names hold', () => {
    const allowed = (cls: PrincipalClass, action: (typeof MANAGEMENT_ACTIONS)[number]) =>
      decide(PRINCIPALS[cls], action).allowed;
    // Database tokens: data only, never management.
    for (const action of MANAGEMENT_ACTIONS) {
      if (action === 'database.list' || action === 'database.get' || action === 'database.create') continue;
      assert.equal(allowed('database', action), false, action);
    }
    assert.equal(allowed('database', 'management_api.use'), false);
    // Admin tokens: everything except touching _admin; only _admin regenerates _admin.
    for (const action of MANAGEMENT_ACTIONS) {
      if (action.startsWith('operator_token.') && action !== 'operator_token.list' && action !== 'operator_token.get')
        continue;
      // The server alone purges a deleted database (its recovery window ended) and retired secrets.
      if (action === 'database.purge' || action === 'token_secret.purge') continue;
      assert.equal(allowed('admin', action), true, action);
    }
    for (const cls of PRINCIPAL_CLASSES) assert.equal(allowed(cls, 'database.purge'), cls === 'system', cls);
    for (const cls of PRINCIPAL_CLASSES) assert.equal(allowed(cls, 'token_secret.purge'), cls === 'system', cls);
    assert.equal(allowed('admin', 'operator_token.rotate'), false);
    assert.equal(allowed('operator', 'operator_token.rotate'), true);
    for (const verb of ['update', 'revoke', 'delete'] as const) {
      const verdict = decide(PRINCIPALS.operator, tokenAction('operator', verb));
      assert.deepEqual(verdict.allowed ? undefined : verdict.code, 'OPERATOR_TOKEN_UNDELETABLE');
    }
    // Only an admin token or the Admin role may create management tokens; Auditors read, Members mint database tokens.
    assert.equal(allowed('role:admin', 'management_token.create'), true);
    assert.equal(allowed('role:member', 'management_token.create'), false);
    assert.equal(allowed('role:member', 'database_token.create'), true);
    assert.equal(allowed('role:auditor', 'database_token.create'), false);
    assert.equal(allowed('role:auditor', 'audit.read'), true);
    assert.equal(allowed('role:member', 'audit.read'), false);
    assert.equal(allowed('role:member', 'database.create'), false);
    // Nobody anonymous manages anything but the first operator token.
    for (const action of MANAGEMENT_ACTIONS) {
      assert.equal(allowed('anonymous', action), action === 'operator_token.create', action);
    }
  });

  test('grant cells check the grants: a database token writes where it may, a management token never', () => {
    const reader = PRINCIPALS.database;
    const read1 = { kind: 'db', dbId: 1, actions: dbActionBits('read') } as const;
    const write1 = { kind: 'db', dbId: 1, actions: dbActionBits('write') } as const;
    assert.equal(decide(reader, 'data.query', read1).allowed, true);
    const denied = decide(reader, 'data.write', write1, 'sensors');
    assert.deepEqual(denied, { allowed: false, code: 'PERMISSION_DENIED', reason: 'it needs db:sensors:write' });
    const management = PRINCIPALS['role:admin'];
    assert.equal(mayEver(management, 'data.write'), false);
    assert.equal(mayEver(reader, 'data.write'), true);
    const never = decide(management, 'data.write', write1, 'sensors');
    assert.equal(never.allowed, false);
    assert.match(never.allowed ? '' : never.reason, /can never write or query data/);
    const creator = token(
      'database',
      null,
      new Authority([{ type: 'db', databases: '*', actions: dbActionBits('create') }]),
    );
    const create = { kind: 'db', dbId: null, actions: dbActionBits('create') } as const;
    assert.equal(decide(creator, 'database.create', create).allowed, true);
    assert.equal(decide(reader, 'database.create', create).allowed, false);
  });

  test('every refusal has one shape: who, what, and what it would need', () => {
    const member = PRINCIPALS['role:member'];
    const verdict = decide(member, 'management_token.create');
    assert.equal(verdict.allowed, false);
    if (verdict.allowed) return;
    const error = refusal(member, 'management_token.create', verdict, "'ci'");
    assert.equal(error.code, 'PERMISSION_DENIED');
    assert.equal(
      error.message,
      "the management token 'management-probe' (role member) may not create management tokens 'ci': that needs the operator token, an admin token or the Admin role",
    );
    assert.deepEqual(error.details, { action: 'management_token.create' });
    const dataOnly = decide(PRINCIPALS.database, 'management_api.use');
    assert.match(
      dataOnly.allowed ? '' : refusal(PRINCIPALS.database, 'management_api.use', dataOnly).message,
      /^the database token 'database-probe' may not use the management API: database tokens are for data only/,
    );
    const anonymous = decide(PRINCIPALS.anonymous, 'audit.read');
    assert.match(
      anonymous.allowed ? '' : refusal(PRINCIPALS.anonymous, 'audit.read', anonymous).message,
      /^a request without a token may not read the audit log: that needs/,
    );
  });

  test('a token made by a token expires no later than it; one made by a signed-in user is not held to the session', () => {
    const inAnHour = Date.now() + 3_600_000;
    assert.equal(expiryCeilingOf({ ...token('admin'), expiresAt: inAnHour }), inAnHour);
    assert.equal(expiryCeilingOf(token('management', 'admin')), Number.POSITIVE_INFINITY);
    assert.equal(expiryCeilingOf({ ...user('admin'), expiresAt: inAnHour }), Number.POSITIVE_INFINITY);
  });

  test('roles are ordered Admin > Member > Auditor', () => {
    assert.equal(roleWithin('auditor', 'member'), true);
    assert.equal(roleWithin('member', 'member'), true);
    assert.equal(roleWithin('admin', 'member'), false);
    assert.equal(roleWithin('member', 'auditor'), false);
  });
});
