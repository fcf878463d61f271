import type { FastifyInstance } from 'fastify';
import type { ServerStats } from '../../services/server-stats.ts';

/** The Overview's readings: `GET /api/v0/stats/databases` and `GET /api/v0/stats/requests` (fluxgate's own). */
export function registerStatsRoutes(app: FastifyInstance, stats: ServerStats): void {
  app.get('/api/v0/stats/databases', async (request) => stats.databaseStats(request.principal));

  app.get('/api/v0/stats/requests', async (request) => ({
    minutes: stats.requestsPerMinute(request.principal).map((minute) => ({
      start: new Date(minute.start).toISOString(),
      ok: minute.ok,
      unauthorized: minute.unauthorized,
      forbidden: minute.forbidden,
      throttled: minute.throttled,
      other: minute.other,
    })),
  }));
}
