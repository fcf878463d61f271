import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Page, type PageRequest, parseLimit } from '../../domain/paging.ts';

/**
 * The page a list request asks for: `limit` (1–1000, `fallback` when absent) and `cursor`, bound to
 * the request's other query parameters so a cursor cannot be replayed against another filter or sort.
 */
export function pageRequest(request: FastifyRequest, fallback: number, descending = false): PageRequest {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const rest = Object.entries(query)
    .filter(([key]) => key !== 'limit' && key !== 'cursor')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const cursor = typeof query.cursor === 'string' ? query.cursor : undefined;
  return { limit: parseLimit(query.limit, fallback), cursor, query: JSON.stringify(rest), descending };
}

/** Sends a page as the originals' JSON array, with `X-Next-Cursor` and a `Link: rel="next"` while more follow. */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, page: Page<unknown>, items: T[]): T[] {
  if (page.next !== undefined) {
    const url = new URL(request.url, 'http://fluxgate.invalid');
    url.searchParams.set('cursor', page.next);
    reply.header('X-Next-Cursor', page.next).header('Link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return items;
}
