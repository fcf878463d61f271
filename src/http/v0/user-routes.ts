import type { FastifyInstance } from 'fastify';
import { toRfc3339 } from '../../domain/durations.ts';
import type { AddUserInput, UpdateUserInput, UserService, UserView } from '../../services/user-service.ts';
import { requireJson } from '../v3/require-json.ts';

/** A user as the v0 API shows them: camelCase, RFC3339, the subject as the id. */
export function userJson(user: UserView) {
  return {
    id: user.subject,
    subject: user.subject,
    group: user.group,
    source: user.source,
    status: user.status,
    ...(user.email === null ? {} : { email: user.email }),
    ...(user.displayName === null ? {} : { displayName: user.displayName }),
    createdAt: toRfc3339(user.createdAt),
    ...(user.updatedAt === null ? {} : { updatedAt: toRfc3339(user.updatedAt) }),
    ...(user.lastSeenAt === null ? {} : { lastSeenAt: toRfc3339(user.lastSeenAt) }),
  };
}

const nullableString = { type: ['string', 'null'] };
const USER_FIELDS = {
  group: { type: 'string' },
  email: nullableString,
  displayName: nullableString,
  disabled: { type: 'boolean' },
};

/** `/api/v0/users`: the people who sign in through the identity provider, and their groups. */
export function registerUserRoutes(app: FastifyInstance, users: UserService): void {
  app.get('/api/v0/users', async (request) => (await users.list(request.principal)).map(userJson));

  app.post<{ Body: AddUserInput }>(
    '/api/v0/users',
    {
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['subject', 'group'],
          properties: { subject: { type: 'string' }, ...USER_FIELDS },
        },
      },
    },
    async (request) => userJson(await users.add(request.principal, request.body)),
  );

  app.get<{ Params: { subject: string } }>('/api/v0/users/:subject', async (request) =>
    userJson(await users.get(request.principal, request.params.subject)),
  );

  app.patch<{ Params: { subject: string }; Body: UpdateUserInput }>(
    '/api/v0/users/:subject',
    {
      preValidation: requireJson,
      schema: { body: { type: 'object', additionalProperties: false, properties: USER_FIELDS } },
    },
    async (request) => userJson(await users.update(request.principal, request.params.subject, request.body)),
  );

  app.delete<{ Params: { subject: string } }>('/api/v0/users/:subject', async (request, reply) => {
    await users.remove(request.principal, request.params.subject);
    return reply.code(204).send();
  });
}
