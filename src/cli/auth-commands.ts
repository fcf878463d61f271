import type { Command } from 'commander';
import { decodeJwt } from 'jose';
import { CliError } from './cli-error.ts';
import { ApiError, FluxgateClient } from './client.ts';
import { type GlobalOptions, resolveConnection } from './connection.ts';
import { deviceLogin, type OAuthSettings } from './device-login.ts';
import { type CachedLogin, dropLogin, readLogin, writeLogin } from './login-cache.ts';

interface AuthConfigJson {
  issuer: string;
  audience: string;
  clientId?: string;
}

interface SessionJson {
  subject: string;
  group: string;
  displayName: string;
  email: string | null;
  expiresAt: string;
}

const DEFAULT_SCOPES = ['openid', 'profile', 'email'];

function hostOf(options: GlobalOptions): string {
  return new URL(resolveConnection(options, 'management').host).origin;
}

/**
 * `auth login|status|logout`: the OAuth 2.0 device flow against the server's identity provider,
 * the session cached per server (0600), and what the server makes of it.
 */
export function addAuthCommands(program: Command, globals: () => GlobalOptions): void {
  const auth = program.command('auth').description('sign in through the identity provider');

  auth
    .command('login')
    .description('sign in with the device flow: prints a URL and a code, opens nothing, caches the session')
    .action(async () => {
      const connection = resolveConnection(globals(), 'management');
      const host = new URL(connection.host).origin;
      const anonymous = new FluxgateClient({ host, token: undefined, tls: connection.tls });
      const advertised = await anonymous.json<AuthConfigJson>('GET', '/api/v0/auth/config', undefined, { auth: false });
      // The profile's [profile.auth.oauth2] overrides what the server advertises, key by key, as influxctl's does.
      const overrides = connection.profile?.auth?.oauth2 ?? {};
      const clientId = overrides.client_id ?? advertised.clientId;
      if (clientId === undefined) {
        throw new CliError(
          `the server at ${host} names no OAuth client for the CLI (serve --oidc-client-id); set client_id in [profile.auth.oauth2]`,
        );
      }
      const settings: OAuthSettings = {
        issuer: advertised.issuer,
        clientId,
        scopes: overrides.scopes ?? DEFAULT_SCOPES,
        ...(overrides.device_url === undefined ? {} : { deviceUrl: overrides.device_url }),
        ...(overrides.token_url === undefined ? {} : { tokenUrl: overrides.token_url }),
        ...(overrides.parameters === undefined ? {} : { parameters: overrides.parameters }),
      };
      const result = await deviceLogin(settings, (line) => console.log(line));
      let claims: Record<string, unknown>;
      try {
        claims = decodeJwt(result.accessToken);
      } catch {
        throw new CliError(
          `the identity provider issued an opaque access token; fluxgate needs a JWT access token for the audience '${advertised.audience}'`,
        );
      }
      // Ask the server before caching: a sign-in it refuses is no login.
      const session = await new FluxgateClient({
        host,
        token: result.accessToken,
        tls: connection.tls,
      }).json<SessionJson>('GET', '/api/v0/auth/session');
      const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : result.expiresAt;
      const file = writeLogin({
        host,
        issuer: advertised.issuer,
        clientId,
        accessToken: result.accessToken,
        expiresAt: new Date(expiresAt).toISOString(),
        subject: session.subject,
        name: session.displayName,
      });
      console.log(
        `Logged in to ${host} as ${session.displayName} (${session.subject}), group ${session.group}; the session expires at ${new Date(expiresAt).toISOString()}.`,
      );
      console.log(`Session cached in ${file}`);
    });

  auth
    .command('status')
    .description('who the cached sign-in is, their group, and when the session expires')
    .action(async () => {
      const host = hostOf(globals());
      const login = readLogin(host);
      if (login === undefined) throw new CliError(`not logged in to ${host}: run \`fluxgate auth login\``);
      if (Date.parse(login.expiresAt) <= Date.now()) {
        dropLogin(host);
        throw new CliError(`the session for ${host} expired at ${login.expiresAt}: run \`fluxgate auth login\` again`);
      }
      const session = await sessionOf(host, login);
      console.log(`Logged in to ${host}`);
      console.log(`  user:     ${session.displayName} (${session.subject})`);
      console.log(`  group:    ${session.group}`);
      if (session.email !== null) console.log(`  email:    ${session.email}`);
      console.log(`  expires:  ${login.expiresAt} (in ${minutesUntil(login.expiresAt)} min)`);
      console.log(`  provider: ${login.issuer}`);
    });

  auth
    .command('logout')
    .description('remove the cached sign-in for this server')
    .action(() => {
      const host = hostOf(globals());
      console.log(dropLogin(host) ? `Logged out of ${host}.` : `Not logged in to ${host}; nothing to remove.`);
    });
}

async function sessionOf(host: string, login: CachedLogin): Promise<SessionJson> {
  try {
    return await new FluxgateClient({ host, token: login.accessToken }).json<SessionJson>(
      'GET',
      '/api/v0/auth/session',
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      dropLogin(host);
      throw new CliError(`the server refused the cached session (${error.message}); run \`fluxgate auth login\` again`);
    }
    throw error;
  }
}

function minutesUntil(iso: string): number {
  return Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 60_000));
}
