import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decide } from '../../src/domain/authorization.ts';
import { NO_AUTHORITY, type Principal, type Role } from '../../src/domain/principal.ts';
import { bootstrap } from '../helpers/http.ts';
import { ManagementActions, refusalOf } from '../helpers/management-actions.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

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

/**
 * Every matrix cell of a management role, over HTTP against a real server: each role's real token
 * (fgm_…) tries each action; the answer must be what `decide` over PERMISSION_MATRIX says: 2xx when
 * allowed, the verdict's code (and its status) naming the role when not. Targets are made fresh by
 * the operator for each attempt (test/helpers/management-actions.ts, shared with the group matrix).
 */
describe('the permission matrix, cell by cell, for management tokens of each role', () => {
  let server: ServerProcess;
  let actions: ManagementActions;
  const roles: Record<Role, string> = { admin: '', member: '', auditor: '' };

  before(async () => {
    server = await startServerProcess();
    actions = new ManagementActions(server.url, await bootstrap(server.url));
    await actions.prepare();
    for (const role of Object.keys(roles) as Role[]) roles[role] = await actions.managementToken(role);
  });
  after(async () => {
    await server?.dispose();
  });

  for (const role of ['admin', 'member', 'auditor'] as const) {
    test(`role ${role}: every action answers as the matrix says`, async () => {
      const mismatches = await actions.mismatches(roles[role], (action) => {
        const verdict = decide(managementToken(role), action);
        return verdict.allowed ? verdict : refusalOf(verdict, `role ${role}`);
      });
      assert.deepEqual(mismatches, []);
    });
  }

  test('no secret of the matrix run reached the server log', () => {
    const log = server.output();
    for (const secret of actions.secrets) assert.ok(!log.includes(secret), 'a secret is in the log');
  });
});
