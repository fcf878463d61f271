import type { FastifyInstance } from 'fastify';
import { toRfc3339 } from '../../domain/durations.ts';
import type { DatabaseService, DatabaseView } from '../../services/database-service.ts';
import { requireJson } from './require-json.ts';

interface CreateBody {
  db: string;
  retention_period?: string | null;
  max_tables?: number;
  max_columns_per_table?: number;
}

function databaseJson(db: DatabaseView) {
  return {
    'iox::database': db.name,
    id: db.id,
    created_at: toRfc3339(db.createdAt),
    retention_period_ms: db.retentionPeriodMs,
    max_tables: db.maxTables,
    max_columns_per_table: db.maxColumnsPerTable,
  };
}

/** `/api/v3/configure/database`: create, list and delete, as InfluxDB 3 Core/Enterprise. */
export function registerDatabaseRoutes(app: FastifyInstance, databases: DatabaseService): void {
  app.post<{ Body: CreateBody }>(
    '/api/v3/configure/database',
    {
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['db'],
          properties: {
            db: { type: 'string' },
            retention_period: { type: ['string', 'null'] },
            max_tables: { type: 'integer' },
            max_columns_per_table: { type: 'integer' },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const retention = body.retention_period;
      const db = await databases.createDatabase(request.principal, {
        name: body.db,
        ...(retention === undefined || retention === null
          ? {}
          : { retentionPeriod: { text: retention, syntax: 'duration' as const } }),
        maxTables: body.max_tables,
        maxColumnsPerTable: body.max_columns_per_table,
      });
      return reply.code(201).send(databaseJson(db));
    },
  );

  app.get<{ Querystring: { format?: string; show_deleted?: string } }>(
    '/api/v3/configure/database',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { enum: ['json'] }, show_deleted: { enum: ['false'] } },
        },
      },
    },
    async (request) => (await databases.listDatabases(request.principal)).map(databaseJson),
  );

  app.delete<{ Querystring: { db: string } }>(
    '/api/v3/configure/database',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['db'],
          properties: { db: { type: 'string' } },
        },
      },
    },
    async (request, reply) => {
      await databases.deleteDatabase(request.principal, request.query.db);
      return reply.code(200).send();
    },
  );
}
