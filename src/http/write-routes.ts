import type { FastifyInstance } from 'fastify';
import { FluxgateError, fail } from '../domain/errors.ts';
import type { WriteResult, WriteService } from '../services/write-service.ts';
import { parsePrecision } from '../storage/lineprotocol/parse.ts';
import type { Precision } from '../storage/lineprotocol/types.ts';
import { acceptRawBodies, writeBodyBytes } from './write-body.ts';

type Query = Record<string, string | undefined>;

const V1_PRECISIONS: Record<string, Precision> = { n: 'ns', ns: 'ns', u: 'us', us: 'us', µ: 'us', ms: 'ms', s: 's' };

/**
 * The three write endpoints of InfluxDB: `/api/v3/write_lp` (v3), `/api/v2/write` (v2 clients, Telegraf)
 * and `/write` (v1). All answer 204 once the points are in the database's write-ahead log and synced
 * (v3's `no_sync=true`: before the sync); each reports bad lines its own way.
 */
export function registerWriteRoutes(app: FastifyInstance, writes: WriteService, bodyLimit: number): void {
  app.register(async (scope) => {
    acceptRawBodies(scope);

    scope.post<{ Querystring: Query }>('/api/v3/write_lp', { config: { family: 'v3' } }, async (request, reply) => {
      const q = request.query;
      // Checked before the write, so a bad value stores nothing.
      const noSync = flag(q.no_sync, 'no_sync', false);
      const result = await writes.write(request.principal, {
        database: required(q.db, 'db'),
        body: await writeBodyBytes(request, bodyLimit),
        // InfluxDB 3's default: the unit is guessed from each timestamp's magnitude.
        precision: parsePrecision(q.precision, 'auto'),
        acceptPartial: flag(q.accept_partial, 'accept_partial', true),
        noSync,
      });
      if (result.errors.length > 0) throw v3Failure(result);
      return reply.code(204).send();
    });

    scope.post<{ Querystring: Query }>('/api/v2/write', { config: { family: 'v2' } }, async (request, reply) => {
      const q = request.query;
      const result = await writes.write(request.principal, {
        database: required(q.bucket, 'bucket'),
        body: await writeBodyBytes(request, bodyLimit),
        precision: parsePrecision(q.precision),
        acceptPartial: true,
      });
      if (result.errors.length > 0) throw legacyFailure(result);
      return reply.code(204).send();
    });

    scope.post<{ Querystring: Query }>(
      '/write',
      { config: { family: 'v1', v1Password: true } },
      async (request, reply) => {
        const q = request.query;
        const result = await writes.write(request.principal, {
          database: required(q.db, 'db'),
          body: await writeBodyBytes(request, bodyLimit),
          precision: v1Precision(q.precision),
          acceptPartial: true,
        });
        if (result.errors.length > 0) throw legacyFailure(result);
        return reply.code(204).send();
      },
    );
  });
}

function required(value: string | undefined, field: string): string {
  if (value === undefined || value === '')
    fail('INVALID_INPUT', `the query parameter '${field}' is required`, { field });
  return value;
}

function flag(value: string | undefined, field: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  fail('INVALID_INPUT', `the query parameter '${field}' must be true or false, not '${value}'`, { field });
}

function v1Precision(value: string | undefined): Precision {
  if (value === undefined || value === '') return 'ns';
  const precision = Object.hasOwn(V1_PRECISIONS, value) ? V1_PRECISIONS[value] : undefined;
  if (precision === undefined)
    fail('INVALID_INPUT', `precision '${value}' is not one of n, ns, u, us, ms, s`, { field: 'precision' });
  return precision;
}

function v3Failure(result: WriteResult): FluxgateError {
  const data = result.errors.map((e) => ({
    original_line: e.originalLine,
    line_number: e.lineNumber,
    error_message: e.message,
  }));
  const rejected = `${result.errors.length} line${result.errors.length === 1 ? ' was' : 's were'} rejected`;
  const message =
    result.written > 0
      ? 'partial write of line protocol occurred' // InfluxDB 3's words, which clients match
      : result.refusedWhole
        ? `no lines were written: ${rejected} and accept_partial=false refuses the whole batch`
        : `no lines were written: ${rejected}`;
  return new FluxgateError('LINE_PROTOCOL_INVALID', message, { data, written: result.written });
}

function legacyFailure(result: WriteResult): FluxgateError {
  const shown = result.errors.slice(0, 10).map((e) => `line ${e.lineNumber}: ${e.message}`);
  const more = result.errors.length > 10 ? `; and ${result.errors.length - 10} more` : '';
  return new FluxgateError(
    'LINE_PROTOCOL_INVALID',
    `partial write: ${shown.join('; ')}${more} dropped=${result.errors.length}`,
    {
      written: result.written,
    },
  );
}
