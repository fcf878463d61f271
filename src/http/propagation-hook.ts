import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Propagation } from '../services/node-registry.ts';

export interface PropagationWaiter {
  confirm(): Promise<Propagation>;
}

/** Paths whose successful changes take rights away: a revoke, a rotation, a permission cut, a removal. */
const MANAGEMENT = /^\/api\/v[03]\//;
const TAKES_AWAY_BY_POST = /(regenerate|rotate|revoke)/;

function takesRightsAway(request: FastifyRequest, status: number): boolean {
  if (status < 200 || status >= 300) return false;
  const path = request.url.split('?')[0] ?? '';
  if (!MANAGEMENT.test(path)) return false;
  if (request.method === 'DELETE' || request.method === 'PATCH' || request.method === 'PUT') return true;
  return request.method === 'POST' && TAKES_AWAY_BY_POST.test(path);
}

/**
 * "Dies the instant it is revoked", on every node: a change that takes rights away is answered only
 * once every other live node has applied it, or once the wait times out, and the answer says which
 * nodes had not (`X-Fluxgate-Unconfirmed-Nodes`), so a caller knows the promise did not hold there.
 */
export function awaitPropagation(app: FastifyInstance, waiter: PropagationWaiter): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!takesRightsAway(request, reply.statusCode)) return payload;
    try {
      const { confirmed, unconfirmed } = await waiter.confirm();
      reply.header('X-Fluxgate-Confirmed-Nodes', String(confirmed.length));
      if (unconfirmed.length > 0) {
        reply.header('X-Fluxgate-Unconfirmed-Nodes', unconfirmed.join(','));
        request.log.warn({ unconfirmed }, 'a change was not acknowledged by every live node in time');
      }
    } catch (error) {
      reply.header('X-Fluxgate-Unconfirmed-Nodes', 'unknown');
      request.log.warn({ err: error }, 'could not confirm that every node applied a change');
    }
    return payload;
  });
}
