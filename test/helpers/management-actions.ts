import type { Action } from '../../src/domain/actions.ts';
import { errorCodes } from '../../src/domain/errors.ts';
import { call } from './http.ts';

/** One HTTP request that exercises one action of the permission matrix. */
export interface ActionRequest {
  method: string;
  path: string;
  json?: unknown;
  body?: string;
}

/** What a caller must get for one action: a 2xx, or this status and error code (and message text). */
export type Expectation =
  | { allowed: true }
  | { allowed: false; status: number; code: string; reason?: string; messageIncludes?: string };

/** The refusal a matrix verdict stands for: the code's own status, and the message naming the caller. */
export function refusalOf(verdict: { code: keyof typeof errorCodes }, messageIncludes?: string): Expectation {
  return {
    allowed: false,
    status: errorCodes[verdict.code].status,
    code: verdict.code,
    ...(messageIncludes === undefined ? {} : { messageIncludes }),
  };
}

/** Every API family's error body shape, and the secrets a creation answers. */
interface Answer {
  fluxgateCode?: string;
  code?: number | string;
  message?: string;
  error?: string;
  reason?: string;
  accessToken?: string;
  token?: string;
}

interface Issued {
  id: string;
  accessToken: string;
}

/**
 * The requests of every management action a face answers (and the two data actions), each with the
 * target it needs made fresh by the operator, so one attempt never depends on another's outcome.
 * Not here, as no face asks for them: the operator token's get, update and delete, admin tokens'
 * get, update, rotate and delete, the hard deletes of tokens, and the server's own purges.
 * The server must hold a database `matrix`. Shared by the role matrix and the group matrix tests.
 */
export class ManagementActions {
  #counter = 0;
  /** Every secret the operator's setup and the attempts were answered with (for the "never logged" checks). */
  readonly secrets: string[] = [];

  constructor(
    private readonly base: string,
    private readonly operator: string,
  ) {
    this.secrets.push(operator);
  }

  /** Creates what every case assumes exists: the database `matrix`. */
  async prepare(): Promise<void> {
    await this.#asOperator('POST', '/api/v3/configure/database', { db: 'matrix' });
  }

  readonly requests: Readonly<Partial<Record<Action, () => Promise<ActionRequest>>>> = {
    // Once _admin exists, asking for it again is operator_token.create, refused to everyone but the matrix's.
    'operator_token.create': async () => ({ method: 'POST', path: '/api/v3/configure/token/admin' }),
    // The v3 list shows every kind, the operator token included.
    'operator_token.list': async () => ({ method: 'GET', path: '/api/v3/configure/token' }),
    'operator_token.rotate': async () => ({ method: 'POST', path: '/api/v3/configure/token/admin/regenerate' }),
    'operator_token.revoke': async () => ({ method: 'DELETE', path: '/api/v3/configure/token?token_name=_admin' }),
    'admin_token.create': async () => ({
      method: 'POST',
      path: '/api/v3/configure/token/named_admin',
      json: { token_name: `admin-${this.#next()}` },
    }),
    'admin_token.list': async () => ({ method: 'GET', path: '/api/v3/configure/token' }),
    'admin_token.revoke': async () => ({
      method: 'DELETE',
      path: `/api/v3/configure/token?token_name=${await this.#adminToken()}`,
    }),
    'management_token.list': async () => ({ method: 'GET', path: '/api/v0/management-tokens' }),
    'management_token.get': async () => ({
      method: 'GET',
      path: `/api/v0/management-tokens/${(await this.#managementToken()).id}`,
    }),
    'management_token.create': async () => ({
      method: 'POST',
      path: '/api/v0/management-tokens',
      json: { description: `made ${this.#next()}`, role: 'auditor' },
    }),
    'management_token.update': async () => ({
      method: 'PATCH',
      path: `/api/v0/management-tokens/${(await this.#managementToken()).id}`,
      json: { description: 'edited' },
    }),
    'management_token.rotate': async () => ({
      method: 'POST',
      path: `/api/v0/management-tokens/${(await this.#managementToken()).id}/rotate`,
    }),
    'management_token.revoke': async () => ({
      method: 'DELETE',
      path: `/api/v0/management-tokens/${(await this.#managementToken()).id}`,
    }),
    'database_token.list': async () => ({ method: 'GET', path: '/api/v0/tokens' }),
    'database_token.get': async () => ({ method: 'GET', path: `/api/v0/tokens/${(await this.#databaseToken()).id}` }),
    'database_token.create': async () => ({
      method: 'POST',
      path: '/api/v0/tokens',
      json: { description: `made ${this.#next()}`, permissions: [{ action: 'write', resource: 'matrix' }] },
    }),
    'database_token.update': async () => ({
      method: 'PATCH',
      path: `/api/v0/tokens/${(await this.#databaseToken()).id}`,
      json: { description: 'edited' },
    }),
    'database_token.rotate': async () => ({
      method: 'POST',
      path: `/api/v0/tokens/${(await this.#databaseToken()).id}/rotate`,
    }),
    'database_token.revoke': async () => ({
      method: 'DELETE',
      path: `/api/v0/tokens/${(await this.#databaseToken()).id}`,
    }),
    'database.list': async () => ({ method: 'GET', path: '/api/v0/databases' }),
    'database.get': async () => ({ method: 'GET', path: '/api/v0/databases/matrix' }),
    'database.create': async () => ({ method: 'POST', path: '/api/v0/databases', json: { name: `db${this.#next()}` } }),
    'database.update': async () => ({
      method: 'PATCH',
      path: `/api/v0/databases/${(await this.#database()).name}`,
      json: { maxTables: 50 },
    }),
    'database.rename': async () => ({
      method: 'PUT',
      path: `/api/v0/databases/${(await this.#database()).name}/rename`,
      json: { name: `renamed${this.#next()}` },
    }),
    'database.delete': async () => ({ method: 'DELETE', path: `/api/v0/databases/${(await this.#database()).name}` }),
    'database.undelete': async () => {
      const db = await this.#database();
      await this.#asOperator('DELETE', `/api/v0/databases/${db.name}`);
      return { method: 'PUT', path: `/api/v0/databases/${db.id}/undelete` };
    },
    'audit.read': async () => ({ method: 'GET', path: '/api/v0/audit' }),
    'audit.verify': async () => ({ method: 'GET', path: '/api/v0/audit/verify' }),
    'user.list': async () => ({ method: 'GET', path: '/api/v0/users' }),
    'user.get': async () => ({ method: 'GET', path: `/api/v0/users/${await this.#user()}` }),
    'user.add': async () => ({
      method: 'POST',
      path: '/api/v0/users',
      json: { subject: `made-${this.#next()}`, group: 'auditor' },
    }),
    'user.update': async () => ({
      method: 'PATCH',
      path: `/api/v0/users/${await this.#user()}`,
      json: { displayName: 'Edited' },
    }),
    'user.remove': async () => ({ method: 'DELETE', path: `/api/v0/users/${await this.#user()}` }),
    'management_api.use': async () => ({ method: 'GET', path: '/api/v0/whoami' }),
    'data.write': async () => ({ method: 'POST', path: '/api/v3/write_lp?db=matrix', body: 'cpu v=1' }),
    'data.query': async () => ({ method: 'GET', path: '/api/v3/query_sql?db=matrix&q=select+1' }),
  };

  /**
   * Every action of `requests`, tried with `token`; returns one line per action whose answer is not
   * `expect(action)` (an empty list when the whole row matches).
   */
  async mismatches(token: string, expect: (action: Action) => Expectation): Promise<string[]> {
    const found: string[] = [];
    for (const [action, make] of Object.entries(this.requests) as Array<[Action, () => Promise<ActionRequest>]>) {
      const expected = expect(action);
      const request = await make();
      const response = await call<Answer>(this.base, request.method, request.path, {
        token,
        json: request.json,
        body: request.body,
      });
      for (const secret of [response.body?.accessToken, response.body?.token])
        if (typeof secret === 'string') this.secrets.push(secret);
      const allowed = response.status >= 200 && response.status < 300;
      if (expected.allowed) {
        if (!allowed) found.push(`${action}: expected allowed, got ${response.status} ${response.text}`);
        continue;
      }
      const code = response.body?.fluxgateCode ?? response.body?.code;
      const message = response.body?.message ?? response.body?.error ?? '';
      const wrong =
        response.status !== expected.status ||
        code !== expected.code ||
        (expected.reason !== undefined && response.body?.reason !== expected.reason) ||
        (expected.messageIncludes !== undefined && !message.includes(expected.messageIncludes));
      if (wrong)
        found.push(`${action}: expected ${expected.status} ${expected.code}, got ${response.status} ${response.text}`);
    }
    return found;
  }

  #next(): number {
    return ++this.#counter;
  }

  async #asOperator<T>(method: string, path: string, json?: unknown): Promise<T> {
    const response = await call<T>(this.base, method, path, { token: this.operator, json });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
    return response.body;
  }

  async #databaseToken(): Promise<Issued> {
    const issued = await this.#asOperator<Issued>('POST', '/api/v0/tokens', {
      description: `target ${this.#next()}`,
      permissions: [{ action: 'read', resource: 'matrix' }],
    });
    this.secrets.push(issued.accessToken);
    return issued;
  }

  async #managementToken(): Promise<Issued> {
    const issued = await this.#asOperator<Issued>('POST', '/api/v0/management-tokens', {
      description: `target ${this.#next()}`,
      role: 'auditor',
    });
    this.secrets.push(issued.accessToken);
    return issued;
  }

  /** A management token of `role`, for a caller of the role matrix. */
  async managementToken(role: string): Promise<string> {
    const issued = await this.#asOperator<Issued>('POST', '/api/v0/management-tokens', {
      description: `caller ${role}`,
      role,
    });
    this.secrets.push(issued.accessToken);
    return issued.accessToken;
  }

  async #adminToken(): Promise<string> {
    const name = `target-admin-${this.#next()}`;
    const issued = await this.#asOperator<{ token: string }>('POST', '/api/v3/configure/token/named_admin', {
      token_name: name,
    });
    this.secrets.push(issued.token);
    return name;
  }

  async #database(): Promise<{ id: number; name: string }> {
    return this.#asOperator<{ id: number; name: string }>('POST', '/api/v0/databases', {
      name: `target${this.#next()}`,
    });
  }

  async #user(): Promise<string> {
    const subject = `target-user-${this.#next()}`;
    await this.#asOperator('POST', '/api/v0/users', { subject, group: 'auditor' });
    return subject;
  }
}
