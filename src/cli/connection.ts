import { ApiError, FluxgateClient } from './client.ts';
import { dropLogin, readLogin } from './login-cache.ts';
import { defaultConfigPath, type Profile, readProfileFile, selectProfile, type TlsSettings } from './profiles.ts';

export interface GlobalOptions {
  host?: string;
  token?: string;
  profile?: string;
  config?: string;
  account?: string;
  cluster?: string;
}

/** Which token of a profile a command needs: `mgmt_token` to manage, `token` to write and query. */
export type CredentialUse = 'management' | 'data';

export interface Connection {
  host: string;
  token: string | undefined;
  tls: TlsSettings | undefined;
  /** The Dedicated path style (`/api/v0/accounts/{a}/clusters/{c}/…`) when both are known. */
  accountId: string | undefined;
  clusterId: string | undefined;
  database: string | undefined;
  profile: Profile | undefined;
}

export const DEFAULT_HOST = 'http://127.0.0.1:8181';

/**
 * Flags first, then the environment (FLUXGATE_MGMT_TOKEN for management commands, FLUXGATE_*, and
 * the InfluxDB 3 CLI's own variables), then the profile (`--profile`, FLUXGATE_PROFILE, or `default`), then the default host.
 */
export function resolveConnection(
  options: GlobalOptions,
  use: CredentialUse,
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const file = readProfileFile(options.config ?? defaultConfigPath(env));
  const profile = selectProfile(file, options.profile ?? nonEmpty(env.FLUXGATE_PROFILE), options.config !== undefined);
  const host = options.host ?? nonEmpty(env.FLUXGATE_HOST) ?? nonEmpty(env.INFLUXDB3_HOST_URL) ?? profileHost(profile);
  const profileToken = use === 'management' ? profile?.mgmt_token : profile?.token;
  // FLUXGATE_MGMT_TOKEN lets one shell hold a management token beside a database token in FLUXGATE_TOKEN.
  const managementEnv = use === 'management' ? nonEmpty(env.FLUXGATE_MGMT_TOKEN) : undefined;
  const token =
    options.token ??
    managementEnv ??
    nonEmpty(env.FLUXGATE_TOKEN) ??
    nonEmpty(env.INFLUXDB3_AUTH_TOKEN) ??
    nonEmpty(profileToken);
  return {
    host: host ?? DEFAULT_HOST,
    token: token === '' ? undefined : token,
    tls: profile?.tls,
    accountId: options.account ?? nonEmpty(profile?.account_id),
    clusterId: options.cluster ?? nonEmpty(profile?.cluster_id),
    database: nonEmpty(profile?.database),
    profile,
  };
}

/**
 * A client for `use`. Management commands given no token by flag, environment or profile use the
 * session `auth login` cached for the host; a 401 to it drops it and says to log in again.
 */
export function clientFrom(
  options: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
  use: CredentialUse = 'management',
): FluxgateClient {
  const { host, token, tls } = resolveConnection(options, use, env);
  const login = token === undefined && use === 'management' ? readLogin(host, env) : undefined;
  if (login === undefined) return new FluxgateClient({ host, token, tls });
  return new FluxgateClient({
    host,
    token: login.accessToken,
    tls,
    onUnauthorized: (error) => {
      dropLogin(host, env);
      return new ApiError(
        error.status,
        error.code,
        `${error.message}; the cached sign-in was removed: run \`fluxgate auth login\` again`,
        error.data,
      );
    },
  });
}

/**
 * influxctl's `host` is a bare name (`cluster-id.a.influxdb.io`) with `port` beside it and TLS unless
 * `[profile.tls] disable`; a full URL is taken as it is.
 */
function profileHost(profile: Profile | undefined): string | undefined {
  const host = nonEmpty(profile?.host);
  if (host === undefined || profile === undefined) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return host;
  const scheme = profile.tls?.disable ? 'http' : 'https';
  const port = nonEmpty(profile.port);
  return `${scheme}://${host}${port === undefined ? '' : `:${port}`}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
