import type { FastifyInstance } from 'fastify';
import { toRfc3339 } from '../../domain/durations.ts';
import type { ManagementApi } from '../../services/management-api.ts';

/** `GET /whoami`: which account and cluster this is, and who the caller is. */
export function registerWhoamiRoute(scope: FastifyInstance, api: ManagementApi): void {
  scope.get('/whoami', async (request) => {
    const { tokenId, expiresAt, ...rest } = api.whoami(request.principal);
    return {
      ...rest,
      ...(tokenId === undefined ? {} : { tokenId: String(tokenId) }),
      ...(expiresAt === null ? {} : { expiresAt: toRfc3339(expiresAt) }),
    };
  });
}
