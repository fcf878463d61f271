import { parseExpiry } from '../domain/expiry.ts';
import { CliError, oneLine } from './cli-error.ts';
import type { FluxgateClient } from './client.ts';
import { clientFrom, type GlobalOptions, resolveConnection } from './connection.ts';

/**
 * The Management API v0 as the influxctl-shaped commands use it: the path style of the profile
 * (Dedicated `/api/v0/accounts/{a}/clusters/{c}/…` when both ids are known, Clustered `/api/v0/…`
 * otherwise), lists that follow `X-Next-Cursor` to the end, and the expiry flags checked before
 * any request by the domain's own rules.
 */
export interface V0 {
  client: FluxgateClient;
  /** `path('/tokens/42')` → `/api/v0/tokens/42` or `/api/v0/accounts/…/clusters/…/tokens/42`. */
  path(resource: string, query?: Record<string, string | undefined>): string;
}

export function v0From(globals: GlobalOptions): V0 {
  const { accountId, clusterId } = resolveConnection(globals, 'management');
  const base =
    accountId !== undefined && clusterId !== undefined
      ? `/api/v0/accounts/${encodeURIComponent(accountId)}/clusters/${encodeURIComponent(clusterId)}`
      : '/api/v0';
  return {
    client: clientFrom(globals),
    path: (resource, query) => `${base}${resource}${queryString(query)}`,
  };
}

function queryString(query: Record<string, string | undefined> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Most pages a list follows: 1,000 pages of up to 1,000 items is far beyond any real catalog. */
const MAX_PAGES = 1000;

/** Every item of a paged list: the first page, then each `X-Next-Cursor` until there is none. */
export async function listAll<T>(
  v0: V0,
  resource: string,
  query: Record<string, string | undefined> = {},
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await v0.client.request('GET', v0.path(resource, { ...query, cursor }), undefined);
    const body = (await response.json()) as T[];
    if (!Array.isArray(body)) throw new CliError(`the server answered ${resource} with something other than a list`);
    items.push(...body);
    cursor = response.headers.get('x-next-cursor') ?? undefined;
    if (cursor === undefined || cursor === '') return items;
  }
  throw new CliError(`${resource}: the server kept sending pages (more than ${MAX_PAGES}); giving up`);
}

export interface ExpiryOptions {
  expiresAt?: string;
  expiresIn?: string;
  noExpiry?: boolean;
}

const EXPIRY_FLAGS = { at: '--expires-at', in: '--expires-in', never: '--no-expiry' };

/**
 * The expiry fields of a v0 body. The flags are checked here with the domain's rules (one flag at
 * most, a real RFC3339 time in the future, a positive duration) so the error names the flag; the
 * server checks them again, against its own clock and the caller's own expiry.
 */
export function expiryBody(options: ExpiryOptions): Record<string, string | null> {
  parseExpiry(
    { expiresAt: options.expiresAt, expiresIn: options.expiresIn, never: options.noExpiry },
    Date.now(),
    EXPIRY_FLAGS,
  );
  if (options.noExpiry) return { expiresAt: null };
  if (options.expiresAt !== undefined) return { expiresAt: options.expiresAt };
  if (options.expiresIn !== undefined) return { expiresIn: options.expiresIn };
  return {};
}

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Runs `each` for every argument, reporting failures one line each; fails at the end if any did. */
export async function forEachArgument(
  items: string[],
  noun: string,
  each: (item: string) => Promise<void>,
): Promise<void> {
  let failed = 0;
  for (const item of items) {
    try {
      await each(item);
    } catch (error) {
      failed++;
      console.error(`Error: ${item}: ${oneLine((error as Error).message)}`);
    }
  }
  if (failed > 0) {
    throw new CliError(`${failed} of ${items.length} ${noun} failed`);
  }
}
