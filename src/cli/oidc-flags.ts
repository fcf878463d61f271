import { type Command, Option } from 'commander';
import { DEFAULT_JWKS_COOLDOWN_MS, type OidcConfig } from '../server/server-config.ts';
import { CliError } from './cli-error.ts';
import { durationFlag } from './flag-parsers.ts';

/** The `serve` flags for sign-ins through an OpenID provider, each with its FLUXGATE_… variable. */
export function addOidcOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--oidc-issuer <url>', 'accept sign-ins from this OpenID provider (its issuer URL)').env(
        'FLUXGATE_OIDC_ISSUER',
      ),
    )
    .addOption(
      new Option('--oidc-audience <aud>', "the audience the provider's access tokens must name").env(
        'FLUXGATE_OIDC_AUDIENCE',
      ),
    )
    .addOption(
      new Option('--oidc-client-id <id>', 'the public client `fluxgate auth login` uses').env(
        'FLUXGATE_OIDC_CLIENT_ID',
      ),
    )
    .addOption(
      new Option('--oidc-group-claim <claim>', 'claim naming a new user’s group: admin, member or auditor').env(
        'FLUXGATE_OIDC_GROUP_CLAIM',
      ),
    )
    .addOption(
      new Option('--oidc-admin-subjects <list>', 'comma list of provider subjects that are Admins').env(
        'FLUXGATE_OIDC_ADMIN_SUBJECTS',
      ),
    )
    .addOption(
      new Option('--oidc-jwks-cooldown <duration>', "least time between refetches of the provider's keys")
        .env('FLUXGATE_OIDC_JWKS_COOLDOWN')
        .argParser(durationFlag('--oidc-jwks-cooldown'))
        .default(DEFAULT_JWKS_COOLDOWN_MS, '30s'),
    );
}

/** The OIDC part of the server configuration; an issuer without an audience (or the reverse) is refused. */
export function oidcConfigFrom(options: Record<string, unknown>): OidcConfig | undefined {
  const issuer = options.oidcIssuer as string | undefined;
  const audience = options.oidcAudience as string | undefined;
  const dependent = ['oidcAudience', 'oidcClientId', 'oidcGroupClaim', 'oidcAdminSubjects'].filter(
    (key) => options[key] !== undefined,
  );
  if (issuer === undefined) {
    if (dependent.length === 0) return undefined;
    throw new CliError(
      `--${kebab(dependent[0]!)} needs --oidc-issuer (the OpenID provider to accept sign-ins from)`,
      2,
    );
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new CliError(`--oidc-issuer '${issuer}' is not a URL`, 2);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError(`--oidc-issuer '${issuer}' must be an http(s) URL`, 2);
  }
  if (audience === undefined || audience.trim() === '') {
    throw new CliError(
      '--oidc-issuer needs --oidc-audience: without it any token the provider issues, for any application, would be accepted',
      2,
    );
  }
  const adminSubjects = ((options.oidcAdminSubjects as string | undefined) ?? '')
    .split(',')
    .map((subject) => subject.trim())
    .filter(Boolean);
  return {
    issuer,
    audience,
    clientId: options.oidcClientId as string | undefined,
    groupClaim: options.oidcGroupClaim as string | undefined,
    adminSubjects: [...new Set(adminSubjects)],
    jwksCooldownMs: options.oidcJwksCooldown as number,
  };
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
