import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../domain/durations.ts';
import { fail } from '../../domain/errors.ts';
import { validatePermission } from '../../domain/permissions.ts';
import type { TokenService } from '../../services/token-service.ts';
import { loopbackRefusal } from '../loopback-request.ts';
import { isLoopback } from '../redact.ts';
import { pageRequest, sendPage } from '../v0/v0-paging.ts';
import { requireJson } from './require-json.ts';
import { expiryFromBody, expiryProperties, issuedTokenJson, tokenViewJson } from './token-json.ts';

/** Tokens per page of `GET /api/v3/configure/token` when no `limit` is given (the most a page holds). */
export const V3_TOKEN_PAGE = 1000;

interface AdminBody {
  name?: string;
  token_name?: string;
  description?: string | null;
  expiry_secs?: number | null;
  expires_at?: string | null;
}

interface DatabaseTokenBody extends AdminBody {
  permissions: unknown[];
}

const nameProperties = {
  name: { type: 'string' },
  token_name: { type: 'string' },
  description: { type: ['string', 'null'], maxLength: 1000 },
  ...expiryProperties,
} as const;

/** The InfluxDB 3 Core/Enterprise token endpoints (`/api/v3/configure/token…`). */
export function registerTokenRoutes(app: FastifyInstance, tokens: TokenService, now: () => number): void {
  app.post<{ Body: AdminBody | undefined }>(
    '/api/v3/configure/token/admin',
    {
      config: { auth: 'optional' },
      schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: nameProperties } },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const name = body.name ?? body.token_name;
      if (name !== undefined && request.principal.kind === 'anonymous') {
        fail(
          'CREDENTIAL_MISSING',
          'the request was not authenticated: creating a named admin token needs an admin token',
          {
            reason: 'missing',
          },
        );
      }
      // Seed 004 documents a named admin token created here with {"name": …}; without a name this is
      // the first-boot creation of the operator token.
      const issued =
        name === undefined
          ? await tokens.bootstrapOperatorToken(
              request.principal,
              // A page in a browser on this machine reaches loopback too (DNS rebinding): it is not local.
              isLoopback(request.ip) && loopbackRefusal(request.raw) === undefined,
            )
          : await tokens.createAdminToken(request.principal, {
              name,
              description: body.description ?? null,
              expiresAt: expiryFromBody(body, now()),
            });
      return reply.code(201).send(issuedTokenJson(issued));
    },
  );

  app.post<{ Querystring: { grace?: string } }>(
    '/api/v3/configure/token/admin/regenerate',
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { grace: { type: 'string' } } },
      },
    },
    async (request, reply) => {
      const grace = request.query.grace === undefined ? 0 : parseDuration(request.query.grace, 'grace');
      const issued = await tokens.regenerateOperatorToken(request.principal, grace);
      return reply.code(201).send(issuedTokenJson(issued));
    },
  );

  app.post<{ Body: AdminBody }>(
    '/api/v3/configure/token/named_admin',
    {
      preValidation: requireJson,
      schema: {
        body: { type: 'object', additionalProperties: false, required: ['token_name'], properties: nameProperties },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const issued = await tokens.createAdminToken(request.principal, {
        name: body.token_name ?? '',
        description: body.description ?? null,
        expiresAt: expiryFromBody(body, now()),
      });
      return reply.code(201).send(issuedTokenJson(issued));
    },
  );

  app.post<{ Body: DatabaseTokenBody }>(
    '/api/v3/enterprise/configure/token',
    {
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['token_name', 'permissions'],
          properties: { ...nameProperties, permissions: { type: 'array' } },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      // The v3 body's contract; the v0 API accepts an empty list (a token to be granted later).
      if (body.permissions.length === 0) {
        fail('INVALID_PERMISSION', 'a database token needs at least one permission', { field: 'permissions' });
      }
      const issued = await tokens.createDatabaseToken(request.principal, {
        name: body.token_name ?? '',
        description: body.description ?? null,
        permissions: body.permissions.map((p, i) => validatePermission(p, `permissions[${i}]`)),
        expiresAt: expiryFromBody(body, now()),
      });
      return reply.code(201).send(issuedTokenJson(issued));
    },
  );

  // Paged by id (ours; InfluxDB 3 answers every token at once): `limit` (1–1000, default 1000) and
  // `cursor`; while more follow, `X-Next-Cursor` and `Link: rel="next"` say where. The body stays the array.
  app.get<{ Querystring: { include_revoked?: string; format?: string; limit?: string; cursor?: string } }>(
    '/api/v3/configure/token',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            include_revoked: { enum: ['true', 'false'] },
            format: { enum: ['json'] },
            limit: { type: 'string' },
            cursor: { type: 'string' },
          },
        },
      },
    },
    async (request, reply) => {
      const page = await tokens.listTokenPage(request.principal, null, {
        includeRevoked: request.query.include_revoked === 'true',
        sort: 'id',
        page: pageRequest(request, V3_TOKEN_PAGE),
      });
      return sendPage(request, reply, page, page.items.map(tokenViewJson));
    },
  );

  app.delete<{ Querystring: { token_name?: string; token_id?: string } }>(
    '/api/v3/configure/token',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { token_name: { type: 'string' }, token_id: { type: 'string', pattern: '^[0-9]+$' } },
        },
      },
    },
    async (request, reply) => {
      const { token_name: name, token_id: id } = request.query;
      if ((name === undefined) === (id === undefined)) {
        fail('INVALID_INPUT', 'give exactly one of the query parameters token_name or token_id', {
          field: 'token_name',
        });
      }
      if (name !== undefined) await tokens.revokeTokenByName(request.principal, name);
      else await tokens.revokeToken(request.principal, Number(id));
      return reply.code(200).send();
    },
  );
}
