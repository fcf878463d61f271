import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Action } from '../../src/domain/actions.ts';
import { decide } from '../../src/domain/authorization.ts';
import { NO_AUTHORITY, type Principal, type Role } from '../../src/domain/principal.ts';
import { bootstrap, call } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

interface Issued {
  id: string;
  accessToken: string;
}

interface V0Error {
  fluxgateCode?: string;
  code?: number | string;
  message?: string;
  error?: string;
}

/** The matrix column a management token of `role` falls in, as the domain sees it. */
function managementToken(role: Role): Principal {
  return {
    kind: 'token',
    tokenId: 1,
    tokenKind: 'management',
    role,
    name: role,
    authority: NO_AUTHORITY,
    expiresAt: Number.POSITIVE_INFINITY,
    sourceIp: null,
  };
}

type Request = { method: string; path: string; json?: unknown; body?: string };

/**
 * Every matrix cell of a management role, over HTTP against a real server: each role's real token
 * (fgm_…) tries each action; the answer must be what `decide` over PERMISSION_MATRIX says: 2xx when
 * allowed, 403 naming the role when not. Targets are made fresh by the operator for each attempt.
 */
describe('the permission matrix, cell by cell, for management tokens of each role', () => {
  let server: ServerProcess;
  let operator: string;
  const secrets: string[] = [];
  let counter = 0;

  const asOperator = async <T>(method: string, path: string, json?: unknown) => {
    const response = await call<T>(server.url, method, path, { token: operator, json });
    assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
    return response.body;
  };
  const databaseToken = async () =>
    asOperator<Issued>('POST', '/api/v0/tokens', {
      description: `target ${++counter}`,
      permissions: [{ action: 'read', resource: 'matrix' }],
    });
  const mgmtToken = async (role: Role = 'auditor') =>
    asOperator<Issued>('POST', '/api/v0/management-tokens', { description: `target ${++counter}`, role });

  /** The request that exercises `action`, with whatever target it needs created by the operator. */
  const CASES: Partial<Record<Action, () => Promise<Request>>> = {
    'database_token.list': async () => ({ method: 'GET', path: '/api/v0/tokens' }),
    'database_token.get': async () => ({ method: 'GET', path: `/api/v0/tokens/${(await databaseToken()).id}` }),
    'database_token.create': async () => ({
      method: 'POST',
      path: '/api/v0/tokens',
      json: { description: `made ${++counter}`, permissions: [{ action: 'write', resource: 'matrix' }] },
    }),
    'database_token.update': async () => ({
      method: 'PATCH',
      path: `/api/v0/tokens/${(await databaseToken()).id}`,
      json: { description: 'edited' },
    }),
    'database_token.rotate': async () => ({
      method: 'POST',
      path: `/api/v0/tokens/${(await databaseToken()).id}/rotate`,
    }),
    'database_token.revoke': async () => ({ method: 'DELETE', path: `/api/v0/tokens/${(await databaseToken()).id}` }),
    'management_token.list': async () => ({ method: 'GET', path: '/api/v0/management-tokens' }),
    'management_token.get': async () => ({
      method: 'GET',
      path: `/api/v0/management-tokens/${(await mgmtToken()).id}`,
    }),
    'management_token.create': async () => ({
      method: 'POST',
      path: '/api/v0/management-tokens',
      json: { description: `made ${++counter}`, role: 'auditor' },
    }),
    'management_token.update': async () => ({
      method: 'PATCH',
      path: `/api/v0/management-tokens/${(await mgmtToken()).id}`,
      json: { description: 'edited' },
    }),
    'management_token.rotate': async () => ({
      method: 'POST',
      path: `/api/v0/management-tokens/${(await mgmtToken()).id}/rotate`,
    }),
    'management_token.revoke': async () => ({
      method: 'DELETE',
      path: `/api/v0/management-tokens/${(await mgmtToken()).id}`,
    }),
    'admin_token.create': async () => ({
      method: 'POST',
      path: '/api/v3/configure/token/named_admin',
      json: { token_name: `admin-${++counter}` },
    }),
    'admin_token.list': async () => ({ method: 'GET', path: '/api/v3/configure/token' }),
    'database.list': async () => ({ method: 'GET', path: '/api/v0/databases' }),
    'database.create': async () => ({ method: 'POST', path: '/api/v0/databases', json: { name: `db${++counter}` } }),
    'audit.read': async () => ({ method: 'GET', path: '/api/v0/audit' }),
    'audit.verify': async () => ({ method: 'GET', path: '/api/v0/audit/verify' }),
    'management_api.use': async () => ({ method: 'GET', path: '/api/v0/whoami' }),
    'data.write': async () => ({ method: 'POST', path: '/api/v3/write_lp?db=matrix', body: 'cpu v=1' }),
    'data.query': async () => ({ method: 'GET', path: '/api/v3/query_sql?db=matrix&q=select+1' }),
  };

  const roles: Record<Role, string> = { admin: '', member: '', auditor: '' };

  before(async () => {
    server = await startServerProcess();
    operator = await bootstrap(server.url);
    secrets.push(operator);
    await asOperator('POST', '/api/v3/configure/database', { db: 'matrix' });
    for (const role of Object.keys(roles) as Role[]) {
      const issued = await mgmtToken(role);
      roles[role] = issued.accessToken;
      secrets.push(issued.accessToken);
    }
  });
  after(async () => {
    await server?.dispose();
  });

  for (const role of ['admin', 'member', 'auditor'] as const) {
    test(`role ${role}: every action answers as the matrix says`, async () => {
      const mismatches: string[] = [];
      for (const [action, make] of Object.entries(CASES) as Array<[Action, () => Promise<Request>]>) {
        const expected = decide(managementToken(role), action).allowed;
        const request = await make();
        const response = await call<V0Error & Partial<Issued>>(server.url, request.method, request.path, {
          token: roles[role],
          json: request.json,
          body: request.body,
        });
        if (typeof response.body?.accessToken === 'string') secrets.push(response.body.accessToken);
        const allowed = response.status >= 200 && response.status < 300;
        if (allowed !== expected) {
          mismatches.push(
            `${action}: expected ${expected ? 'allowed' : '403'}, got ${response.status} ${response.text}`,
          );
          continue;
        }
        if (!expected) {
          const code = response.body?.fluxgateCode ?? response.body?.code;
          const message = response.body?.message ?? response.body?.error ?? '';
          if (response.status !== 403 || code !== 'PERMISSION_DENIED' || !message.includes(`role ${role}`)) {
            mismatches.push(`${action}: refused as ${response.status} ${response.text}`);
          }
        }
      }
      assert.deepEqual(mismatches, []);
    });
  }

  test('no secret of the matrix run reached the server log', () => {
    const log = server.output();
    for (const secret of secrets) assert.ok(!log.includes(secret), 'a secret is in the log');
  });
});
