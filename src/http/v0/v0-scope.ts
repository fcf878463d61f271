import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClusterIdentity } from '../../catalog/catalog.ts';
import type { ManagementApi } from '../../services/management-api.ts';

/** The two path styles of the management API, with identical behaviour. */
export const V0_PREFIXES = ['/api/v0', '/api/v0/accounts/:accountId/clusters/:clusterId'] as const;

/**
 * Registers `routes` (paths relative to `/api/v0`, such as `/tokens/:tokenId`) under both the
 * Clustered prefix and the Dedicated one. Every request is first let in by the ManagementApi: the
 * Dedicated ids must be this server's (else 404) and the principal must be one the matrix lets use
 * the management API (a database token gets 403).
 */
export function registerV0Routes(
  app: FastifyInstance,
  api: ManagementApi,
  routes: (scope: FastifyInstance) => void,
): void {
  for (const prefix of V0_PREFIXES) {
    app.register(
      async (scope) => {
        scope.addHook('onRequest', async (request) => api.enter(request.principal, pathIds(request)));
        routes(scope);
      },
      { prefix },
    );
  }
}

function pathIds(request: FastifyRequest): Partial<ClusterIdentity> {
  const params = request.params as Partial<ClusterIdentity> | undefined;
  const ids: Partial<ClusterIdentity> = {};
  if (params?.accountId !== undefined) ids.accountId = params.accountId;
  if (params?.clusterId !== undefined) ids.clusterId = params.clusterId;
  return ids;
}
