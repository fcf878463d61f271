import { readFileSync } from 'node:fs';
import { CliError } from './cli-error.ts';
import type { TlsSettings } from './profiles.ts';

type Fetch = typeof fetch;
const cache = new Map<string, Fetch>();

/**
 * A fetch that verifies the server with the profile's CA (or not at all, with `insecure`) and presents
 * its client certificate; undefined when the profile asks for nothing beyond the system defaults.
 */
export function tlsFetch(tls: TlsSettings | undefined): Fetch | undefined {
  if (tls === undefined || !(tls.insecure || tls.ca || tls.cert || tls.key)) return undefined;
  const key = JSON.stringify(tls);
  let send = cache.get(key);
  if (send === undefined) {
    send = makeFetch(tls);
    cache.set(key, send);
  }
  return send;
}

function makeFetch(tls: TlsSettings): Fetch {
  if ((tls.cert === undefined) !== (tls.key === undefined) && (tls.cert || tls.key))
    throw new CliError('[profile.tls] needs both cert and key for a client certificate');
  const connect = {
    rejectUnauthorized: !tls.insecure,
    ca: tls.ca ? pem(tls.ca, 'ca') : undefined,
    cert: tls.cert ? pem(tls.cert, 'cert') : undefined,
    key: tls.key ? pem(tls.key, 'key') : undefined,
  };
  // undici is loaded only for such profiles: every other command uses the global fetch.
  const loaded = import('undici').then((undici) => ({ undici, dispatcher: new undici.Agent({ connect }) }));
  return (async (input: Parameters<Fetch>[0], init?: Parameters<Fetch>[1]) => {
    const { undici, dispatcher } = await loaded;
    return undici.fetch(input as never, { ...(init as object), dispatcher } as never) as unknown as Response;
  }) as Fetch;
}

/** A PEM file named in the profile, read once. */
function pem(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`[profile.tls] ${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
  }
}
