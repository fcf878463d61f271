import type { FastifyInstance } from 'fastify';
import type { SystemService } from '../services/system-service.ts';
import type { ServerMetrics } from './metrics.ts';

export const SERVER_VERSION = '3.0.0-fluxgate-0.1.0';

/** /health, /api/v1/health, /ping, /ready and /metrics: probes, authorized by `system:<name>:read` unless exempted. */
export function registerSystemRoutes(app: FastifyInstance, system: SystemService, metrics: ServerMetrics): void {
  const health = async (request: { principal: Parameters<SystemService['checkAccess']>[0] }) => {
    await system.checkHealth(request.principal);
    return 'OK';
  };
  app.get('/health', { config: { auth: { system: 'health' }, family: 'plain' } }, health);
  app.get('/api/v1/health', { config: { auth: { system: 'health' }, family: 'plain' } }, health);

  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: '/ping',
      config: { auth: { system: 'ping' }, family: 'plain' },
      handler: async (request, reply) => {
        system.checkAccess(request.principal, 'ping');
        reply.header('X-Influxdb-Version', SERVER_VERSION).header('X-Influxdb-Build', 'fluxgate');
        return { version: SERVER_VERSION, revision: 'fluxgate', process_id: String(process.pid) };
      },
    });
  }

  // Routes answer only once the server listens, so reaching this means ready (InfluxDB 2's shape).
  const started = new Date();
  app.get('/ready', { config: { auth: { system: 'ready' }, family: 'plain' } }, async (request) => {
    system.checkAccess(request.principal, 'ready');
    const up = Math.round((Date.now() - started.getTime()) / 1000);
    return { status: 'ready', started: started.toISOString(), up: `${up}s` };
  });

  app.get('/metrics', { config: { auth: { system: 'metrics' }, family: 'plain' } }, async (request, reply) => {
    system.checkAccess(request.principal, 'metrics');
    reply.type(metrics.contentType);
    return metrics.render();
  });
}
