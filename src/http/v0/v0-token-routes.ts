import type { FastifyInstance } from 'fastify';
import type { ClusterIdentity } from '../../catalog/catalog.ts';
import { parseDuration, toRfc3339 } from '../../domain/durations.ts';
import { fail } from '../../domain/errors.ts';
import { parseExpiry } from '../../domain/expiry.ts';
import { isRole, type Role } from '../../domain/principal.ts';
import type { TokenKind } from '../../domain/token-format.ts';
import { TOKEN_SORTS, type TokenEdit, type TokenService, type TokenSort } from '../../services/token-service.ts';
import type { IssuedToken } from '../../services/token-view.ts';
import { requireJson } from '../v3/require-json.ts';
import { pageRequest, sendPage } from './v0-paging.ts';
import {
  fromV0Permissions,
  V0_EXPIRY_SCHEMA,
  V0_PERMISSION_SCHEMA,
  type V0Permission,
  v0TokenJson,
  withV0Fields,
} from './v0-token-json.ts';

interface ExpiryBody {
  expiresAt?: string | null;
  expiresIn?: string | null;
  expirationType?: string;
}

interface DatabaseTokenBody extends ExpiryBody {
  description: string;
  name?: string;
  permissions?: V0Permission[];
}

interface DatabaseTokenPatch extends ExpiryBody {
  description?: string;
  permissions?: V0Permission[];
  addPermissions?: V0Permission[];
  removeDatabases?: string[];
}

interface ManagementTokenBody extends ExpiryBody {
  description: string;
  name?: string;
  role?: string;
}

interface ManagementTokenPatch extends ExpiryBody {
  description?: string;
  role?: string;
}

type IdParams = { Params: { tokenId: string } };
type ListQuery = { Querystring: { includeRevoked?: string; sort?: string; order?: string } };

const DESCRIPTION = { type: 'string' } as const;

/**
 * `/tokens` (database tokens, the Clustered API) and `/management-tokens` (fluxgate's), relative to
 * a management API prefix. Translation only: every rule is the TokenService's.
 */
export function registerV0TokenRoutes(
  scope: FastifyInstance,
  tokens: TokenService,
  ids: ClusterIdentity,
  now: () => number,
): void {
  registerCommonRoutes(scope, '/tokens', 'database', 'id', tokens, ids);
  registerCommonRoutes(scope, '/management-tokens', 'management', 'created', tokens, ids);

  scope.post<{ Body: DatabaseTokenBody }>(
    '/tokens',
    {
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['description'],
          properties: {
            description: DESCRIPTION,
            name: { type: 'string' },
            permissions: V0_PERMISSION_SCHEMA,
            ...V0_EXPIRY_SCHEMA,
          },
        },
      },
    },
    async (request) => {
      const body = request.body;
      const issued = await withV0Fields(() =>
        tokens.createDatabaseToken(request.principal, {
          ...(body.name === undefined ? {} : { name: body.name }),
          nameField: 'name',
          description: body.description,
          permissions: fromV0Permissions(body.permissions ?? [], 'permissions'),
          expiresAt: parseExpiry(body, now()) ?? null,
        }),
      );
      return issuedJson(issued, ids);
    },
  );

  scope.patch<IdParams & { Body: DatabaseTokenPatch }>(
    '/tokens/:tokenId',
    {
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            description: DESCRIPTION,
            permissions: V0_PERMISSION_SCHEMA,
            addPermissions: V0_PERMISSION_SCHEMA,
            removeDatabases: { type: 'array', maxItems: 1000, items: { type: 'string' } },
            ...V0_EXPIRY_SCHEMA,
          },
        },
      },
    },
    async (request) => {
      const body = request.body;
      const edit: TokenEdit = expiryEdit(body, now());
      if (body.description !== undefined) edit.description = body.description;
      if (body.permissions !== undefined) edit.permissions = fromV0Permissions(body.permissions, 'permissions');
      if (body.addPermissions !== undefined)
        edit.addPermissions = fromV0Permissions(body.addPermissions, 'addPermissions');
      if (body.removeDatabases !== undefined) edit.removeDatabases = body.removeDatabases;
      const view = await withV0Fields(() =>
        tokens.editToken(request.principal, 'database', tokenIdOf(request.params), edit),
      );
      return v0TokenJson(view, ids);
    },
  );

  scope.post<{ Body: ManagementTokenBody }>(
    '/management-tokens',
    {
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['description'],
          properties: {
            description: DESCRIPTION,
            name: { type: 'string' },
            role: { type: 'string' },
            ...V0_EXPIRY_SCHEMA,
          },
        },
      },
    },
    async (request) => {
      const body = request.body;
      const issued = await tokens.createManagementToken(request.principal, {
        ...(body.name === undefined ? {} : { name: body.name }),
        description: body.description,
        role: roleOf(body.role ?? 'admin'),
        expiresAt: parseExpiry(body, now()) ?? null,
      });
      return issuedJson(issued, ids);
    },
  );

  scope.patch<IdParams & { Body: ManagementTokenPatch }>(
    '/management-tokens/:tokenId',
    {
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { description: DESCRIPTION, role: { type: 'string' }, ...V0_EXPIRY_SCHEMA },
        },
      },
    },
    async (request) => {
      const body = request.body;
      const edit: TokenEdit = expiryEdit(body, now());
      if (body.description !== undefined) edit.description = body.description;
      if (body.role !== undefined) edit.role = roleOf(body.role);
      return v0TokenJson(await tokens.editToken(request.principal, 'management', tokenIdOf(request.params), edit), ids);
    },
  );
}

/** List, get, revoke and rotate: the same for both kinds. */
function registerCommonRoutes(
  scope: FastifyInstance,
  path: string,
  kind: TokenKind,
  defaultSort: TokenSort,
  tokens: TokenService,
  ids: ClusterIdentity,
): void {
  scope.get<ListQuery>(path, async (request, reply) => {
    const query = request.query;
    const page = await tokens.listTokenPage(request.principal, kind, {
      includeRevoked: flag(query.includeRevoked, 'includeRevoked'),
      sort: sortOf(query.sort ?? defaultSort),
      page: pageRequest(request, 1000, orderIsDescending(query.order)),
    });
    return sendPage(
      request,
      reply,
      page,
      page.items.map((view) => v0TokenJson(view, ids)),
    );
  });

  scope.get<IdParams & { Querystring: { includeRevoked?: string } }>(`${path}/:tokenId`, async (request) => {
    const options = { includeRevoked: flag(request.query.includeRevoked, 'includeRevoked') };
    return v0TokenJson(await tokens.getToken(request.principal, kind, tokenIdOf(request.params), options), ids);
  });

  scope.delete<IdParams>(`${path}/:tokenId`, async (request, reply) => {
    await tokens.revokeTokenOfKind(request.principal, kind, tokenIdOf(request.params));
    return reply.code(204).send();
  });

  scope.post<IdParams & { Body: { grace?: string } | undefined }>(
    `${path}/:tokenId/rotate`,
    {
      preValidation: async (request) => {
        if (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0')
          await requireJson(request);
      },
      schema: {
        body: { type: ['object', 'null'], additionalProperties: false, properties: { grace: { type: 'string' } } },
      },
    },
    async (request) => {
      const grace = request.body?.grace;
      const graceMs = grace === undefined ? 0 : parseDuration(grace, 'grace');
      const rotated = await tokens.rotateToken(request.principal, kind, tokenIdOf(request.params), graceMs);
      return {
        ...issuedJson(rotated, ids),
        ...(rotated.graceEndsAt === null ? {} : { graceEndsAt: toRfc3339(rotated.graceEndsAt) }),
      };
    },
  );
}

function issuedJson(issued: IssuedToken, ids: ClusterIdentity) {
  return { ...v0TokenJson(issued.token, ids), accessToken: issued.secret };
}

function expiryEdit(body: ExpiryBody, now: number): TokenEdit {
  const expiresAt = parseExpiry(body, now);
  return expiresAt === undefined ? {} : { expiresAt };
}

function tokenIdOf(params: { tokenId: string }): number {
  const id = Number(params.tokenId);
  if (!/^\d{1,15}$/.test(params.tokenId) || !Number.isSafeInteger(id))
    fail('INVALID_INPUT', `tokenId must be decimal digits, not '${params.tokenId}'`, { field: 'tokenId' });
  return id;
}

function roleOf(value: string): Role {
  if (!isRole(value)) fail('INVALID_INPUT', `role must be admin, member or auditor, not '${value}'`, { field: 'role' });
  return value;
}

function sortOf(value: string): TokenSort {
  if (!(TOKEN_SORTS as readonly string[]).includes(value))
    fail('INVALID_INPUT', `sort must be one of ${TOKEN_SORTS.join(', ')}, not '${value}'`, { field: 'sort' });
  return value as TokenSort;
}

function orderIsDescending(order: string | undefined): boolean {
  if (order === undefined || order === 'asc') return false;
  if (order === 'desc') return true;
  fail('INVALID_INPUT', `order must be asc or desc, not '${order}'`, { field: 'order' });
}

function flag(value: string | undefined, field: string): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  fail('INVALID_INPUT', `${field} must be true or false, not '${value}'`, { field });
}
