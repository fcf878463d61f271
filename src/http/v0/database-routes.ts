import type { FastifyInstance } from 'fastify';
import type { ClusterIdentity } from '../../catalog/catalog.ts';
import { MAX_PAGE, pageOf } from '../../domain/paging.ts';
import type { DatabaseService, DatabaseStatusFilter, DatabaseView } from '../../services/database-service.ts';
import { requireJson } from '../v3/require-json.ts';
import {
  databaseIdParam,
  databaseJson,
  V0_DATABASE_FIELDS as FIELDS,
  refusePartitionTemplate,
  retentionPeriodInput,
} from './database-json.ts';
import { pageRequest, sendPage } from './v0-paging.ts';

interface CreateBody {
  name: string;
  maxTables?: number;
  maxColumnsPerTable?: number;
  retentionPeriod?: number | string;
  partitionTemplate?: unknown[];
}

interface UpdateBody {
  maxTables?: number;
  maxColumnsPerTable?: number;
  retentionPeriod?: number | string;
}

const LIMIT = { type: 'integer' };
const RETENTION = { type: ['integer', 'string'] };
const LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filterStatus: { enum: ['active', 'deleted'] },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  },
} as const;

/**
 * `/databases`, relative to a management API prefix (both path styles, see v0-scope.ts): the
 * Clustered/Dedicated Management API for databases with the originals' bodies (docs/api.md
 * "Databases"). Translation only: the DatabaseService authorizes and audits.
 */
export function registerV0DatabaseRoutes(
  scope: FastifyInstance,
  databases: DatabaseService,
  ids: ClusterIdentity,
): void {
  const json = (view: DatabaseView) => databaseJson(view, ids);
  type ByName = { Params: { databaseName: string } };

  scope.get<{ Querystring: { filterStatus?: DatabaseStatusFilter } }>(
    '/databases',
    { schema: { querystring: LIST_QUERY } },
    async (request, reply) => {
      const all = await databases.listDatabases(request.principal, request.query.filterStatus);
      const page = pageOf(all, (db) => [db.name, db.id], pageRequest(request, MAX_PAGE));
      return sendPage(request, reply, page, page.items.map(json));
    },
  );

  scope.post<{ Body: CreateBody }>(
    '/databases',
    {
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string' },
            maxTables: LIMIT,
            maxColumnsPerTable: LIMIT,
            retentionPeriod: RETENTION,
            partitionTemplate: { type: 'array' },
          },
        },
      },
    },
    async (request) => {
      const body = request.body;
      refusePartitionTemplate(body.partitionTemplate);
      const input = {
        name: body.name,
        maxTables: body.maxTables,
        maxColumnsPerTable: body.maxColumnsPerTable,
        retentionPeriod: retentionPeriodInput(body.retentionPeriod),
      };
      return json(await databases.createDatabase(request.principal, input, FIELDS));
    },
  );

  scope.get<ByName>('/databases/:databaseName', async (request) =>
    json(await databases.getDatabase(request.principal, request.params.databaseName, FIELDS)),
  );

  scope.patch<ByName & { Body: UpdateBody }>(
    '/databases/:databaseName',
    {
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { maxTables: LIMIT, maxColumnsPerTable: LIMIT, retentionPeriod: RETENTION },
        },
      },
    },
    async (request) => {
      const body = request.body;
      const changes = {
        maxTables: body.maxTables,
        maxColumnsPerTable: body.maxColumnsPerTable,
        retentionPeriod: retentionPeriodInput(body.retentionPeriod),
      };
      return json(await databases.updateDatabase(request.principal, request.params.databaseName, changes, FIELDS));
    },
  );

  scope.delete<ByName>('/databases/:databaseName', async (request, reply) => {
    await databases.deleteDatabase(request.principal, request.params.databaseName, FIELDS);
    return reply.code(204).send();
  });

  scope.put<ByName & { Body: { name: string } }>(
    '/databases/:databaseName/rename',
    {
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string' } },
        },
      },
    },
    async (request) =>
      json(await databases.renameDatabase(request.principal, request.params.databaseName, request.body.name, FIELDS)),
  );

  // The originals address an undelete by the numeric id (the name may belong to a live database by now);
  // the parameter keeps the name of its neighbours' so the router sees one shape.
  scope.put<ByName>('/databases/:databaseName/undelete', async (request) =>
    json(await databases.undeleteDatabase(request.principal, databaseIdParam(request.params.databaseName))),
  );
}
