import * as oidc from 'openid-client';
import { CliError } from './cli-error.ts';

/**
 * How to reach the identity provider: the server's advertised settings, overridden key by key by
 * the profile's `[profile.auth.oauth2]` (client_id, scopes, device_url, token_url, parameters).
 */
export interface OAuthSettings {
  issuer: string;
  clientId: string;
  scopes: string[];
  deviceUrl?: string;
  tokenUrl?: string;
  /** Extra authorization parameters, e.g. Auth0's `audience`. */
  parameters?: Record<string, string>;
}

export interface DeviceLoginResult {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

/**
 * The OAuth 2.0 device authorization flow (RFC 8628) with openid-client: asks the provider for a
 * code, prints where to enter it (opening nothing), and polls at the interval the provider names
 * until the user has confirmed, the code expired, or the user declined.
 */
export async function deviceLogin(settings: OAuthSettings, print: (line: string) => void): Promise<DeviceLoginResult> {
  const config = await configurationFor(settings);
  let authorization: oidc.DeviceAuthorizationResponse;
  try {
    authorization = await oidc.initiateDeviceAuthorization(config, {
      scope: settings.scopes.join(' '),
      ...settings.parameters,
    });
  } catch (error) {
    throw providerError('the provider refused to start a device login', error);
  }
  print(
    `To sign in, open ${authorization.verification_uri} in a browser and enter the code ${authorization.user_code}`,
  );
  if (authorization.verification_uri_complete !== undefined)
    print(`(or open ${authorization.verification_uri_complete}, which carries the code)`);
  print(
    `Waiting for the sign-in to be confirmed (the code expires in ${Math.round(authorization.expires_in / 60)} min)…`,
  );
  let tokens: oidc.TokenEndpointResponse;
  try {
    tokens = await oidc.pollDeviceAuthorizationGrant(config, authorization);
  } catch (error) {
    throw providerError('the sign-in did not complete', error);
  }
  const expiresIn = tokens.expires_in ?? 3600;
  return { accessToken: tokens.access_token, expiresAt: Date.now() + expiresIn * 1000 };
}

async function configurationFor(settings: OAuthSettings): Promise<oidc.Configuration> {
  const insecure = new URL(settings.issuer).protocol === 'http:';
  const execute = insecure ? [oidc.allowInsecureRequests] : [];
  let discovered: oidc.ServerMetadata = { issuer: settings.issuer };
  if (settings.deviceUrl === undefined || settings.tokenUrl === undefined) {
    try {
      discovered = (
        await oidc.discovery(new URL(settings.issuer), settings.clientId, undefined, oidc.None(), {
          execute,
        })
      ).serverMetadata();
    } catch (error) {
      throw providerError(`cannot read the identity provider's discovery document at ${settings.issuer}`, error);
    }
  }
  const metadata: oidc.ServerMetadata = {
    ...discovered,
    device_authorization_endpoint: settings.deviceUrl ?? discovered.device_authorization_endpoint,
    token_endpoint: settings.tokenUrl ?? discovered.token_endpoint,
  };
  if (metadata.device_authorization_endpoint === undefined) {
    throw new CliError(
      `the identity provider ${settings.issuer} has no device authorization endpoint; set device_url in [profile.auth.oauth2]`,
    );
  }
  const config = new oidc.Configuration(metadata, settings.clientId, undefined, oidc.None());
  for (const step of execute) step(config);
  return config;
}

function providerError(what: string, error: unknown): CliError {
  const e = error as { error?: string; error_description?: string; message?: string; cause?: { code?: string } };
  const detail = e.error_description ?? e.error ?? e.cause?.code ?? e.message ?? String(error);
  return new CliError(`${what}: ${detail}`);
}
