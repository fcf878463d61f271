import { createHash } from 'node:crypto';
import { fail } from './errors.ts';

/** A sort key: a value (null sorts first) and the id that breaks ties, so every item has one place. */
export type SortKey = readonly [string | number | null, number];

export interface PageRequest {
  /** 1 to 1000. */
  limit: number;
  cursor?: string | undefined;
  /** The filters and sort the cursor was made for: a cursor for another query is refused. */
  query: string;
  descending: boolean;
}

export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  next?: string;
}

export const MAX_PAGE = 1000;

/** Parses the `limit` query parameter: absent gives `fallback`. */
export function parseLimit(raw: unknown, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const limit = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE)
    fail('INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_PAGE}, not '${String(raw)}'`, {
      field: 'limit',
    });
  return limit;
}

/**
 * One page of `items` in (key, id) order (ascending, or descending when asked). The cursor is opaque
 * to clients: the last key served and a digest of the query, so it keeps its place when items are
 * added or removed before it and cannot be replayed against another filter or sort.
 */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => SortKey, request: PageRequest): Page<T> {
  const direction = request.descending ? -1 : 1;
  const sorted = [...items].sort((a, b) => direction * compareKeys(keyOf(a), keyOf(b)));
  let start = 0;
  if (request.cursor !== undefined && request.cursor !== '') {
    const after = decodeCursor(request.cursor, digest(request.query));
    start = sorted.findIndex((item) => direction * compareKeys(keyOf(item), after) > 0);
    if (start === -1) start = sorted.length;
  }
  const page = sorted.slice(start, start + request.limit);
  const last = page.at(-1);
  if (last === undefined || start + page.length >= sorted.length) return { items: page };
  return { items: page, next: encodeCursor(keyOf(last), digest(request.query)) };
}

function compareKeys(a: SortKey, b: SortKey): number {
  const byValue = compareValues(a[0], b[0]);
  return byValue !== 0 ? byValue : a[1] - b[1];
}

function compareValues(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

function digest(query: string): string {
  return createHash('sha256').update(query).digest('base64url').slice(0, 16);
}

function encodeCursor(key: SortKey, query: string): string {
  return Buffer.from(JSON.stringify({ q: query, k: key })).toString('base64url');
}

function decodeCursor(cursor: string, query: string): SortKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const value = parsed as { q?: unknown; k?: unknown } | undefined;
  const key = value?.k;
  const valid =
    Array.isArray(key) &&
    key.length === 2 &&
    (key[0] === null || typeof key[0] === 'string' || typeof key[0] === 'number') &&
    Number.isSafeInteger(key[1]);
  if (!valid) fail('INVALID_INPUT', 'cursor is not one this server gave out', { field: 'cursor' });
  if (value?.q !== query)
    fail('INVALID_INPUT', 'cursor was made for another query: pass it back with the same filters and sort', {
      field: 'cursor',
    });
  return key as unknown as SortKey;
}
