import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FluxgateError, fail } from '../domain/errors.ts';

const gunzipAsync = promisify(gunzip);

/** Write endpoints take any content type (clients send text/plain, octet-stream or none) as raw bytes. */
export function acceptRawBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}

/** The request body's bytes, gunzipped when `Content-Encoding: gzip`; the size limit applies after it. */
export async function writeBodyBytes(request: FastifyRequest, limit: number): Promise<Buffer> {
  const raw = request.body;
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' || encoding === '') return bytes;
  if (encoding !== 'gzip') {
    fail('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding '${encoding}' is not supported (use gzip or none)`, {
      field: 'Content-Encoding',
    });
  }
  try {
    return await gunzipAsync(bytes, { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FluxgateError('BODY_TOO_LARGE', `the gunzipped body is larger than ${limit} bytes`);
    }
    throw new FluxgateError('INVALID_INPUT', `the body is not valid gzip: ${(error as Error).message}`, {
      field: 'Content-Encoding',
    });
  }
}
