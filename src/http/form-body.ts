import type { FastifyInstance } from 'fastify';
import { FluxgateError } from '../domain/errors.ts';

/**
 * `application/x-www-form-urlencoded` bodies become objects: a form (`db=a&q=…`), or the JSON that
 * `curl --data '{"db":…}'` sends under the form content type. Routes that need JSON still check
 * the content type themselves.
 */
export function acceptFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (/^\s*\{/.test(text)) {
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        done(
          new FluxgateError('INVALID_JSON', `the request body is not valid JSON: ${(error as Error).message}`),
          undefined,
        );
      }
      return;
    }
    done(null, Object.fromEntries(new URLSearchParams(text)));
  });
}
