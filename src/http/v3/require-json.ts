import type { FastifyRequest } from 'fastify';
import { fail } from '../../domain/errors.ts';

/** InfluxDB 3 answers 415 when a JSON endpoint gets another content type; so do we, before validation. */
export async function requireJson(request: FastifyRequest): Promise<void> {
  const type = request.headers['content-type'];
  if (type === undefined || !/^application\/json\b/i.test(type)) {
    fail(
      'UNSUPPORTED_MEDIA_TYPE',
      `expected Content-Type: application/json, got ${type === undefined ? 'none' : `'${type}'`}`,
      {
        field: 'Content-Type',
      },
    );
  }
}
