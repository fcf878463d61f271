import * as oidc from 'openid-client';
import { FluxgateError } from '../domain/errors.ts';

export interface CodeFlowSettings {
  issuer: string;
  /** The provider's public client; it must allow the authorization code grant and the console's redirect URI. */
  clientId: string;
  timeoutMs: number;
}

/** What the server keeps between sending the browser to the provider and its coming back. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

/**
 * The OAuth 2.0 authorization code flow with PKCE (S256) for the console, with openid-client: the
 * server builds the provider's authorization URL and later redeems the code itself, so the access
 * token never reaches the browser. Which rights the token carries is decided where every request's
 * JWT is decided (the session authenticator); this only obtains it.
 */
export class OidcCodeFlow {
  #config: Promise<oidc.Configuration> | undefined;

  constructor(private readonly settings: CodeFlowSettings) {}

  async begin(redirectUri: string): Promise<{ url: string; pending: PendingSignIn }> {
    const config = await this.#configuration();
    const pending: PendingSignIn = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      redirectUri,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid email profile',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /** Redeems the code the provider sent back (checking state, nonce and PKCE); the provider's access token. */
  async finish(pending: PendingSignIn, callbackUrl: URL): Promise<string> {
    const config = await this.#configuration();
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      return tokens.access_token;
    } catch (error) {
      throw new FluxgateError(
        'IDENTITY_PROVIDER_UNAVAILABLE',
        `the sign-in could not be completed: ${reasonOf(error)}`,
      );
    }
  }

  /** Discovery once; a failure is not kept, so a provider that comes back is used at the next sign-in. */
  #configuration(): Promise<oidc.Configuration> {
    this.#config ??= oidc
      .discovery(new URL(this.settings.issuer), this.settings.clientId, undefined, oidc.None(), {
        execute: new URL(this.settings.issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        timeout: Math.ceil(this.settings.timeoutMs / 1000),
      })
      .catch((error: unknown) => {
        this.#config = undefined;
        throw new FluxgateError(
          'IDENTITY_PROVIDER_UNAVAILABLE',
          `the identity provider ${this.settings.issuer} cannot be reached: ${reasonOf(error)}`,
        );
      });
    return this.#config;
  }
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const described = error as Error & { error?: string; error_description?: string; cause?: { code?: string } };
  if (typeof described.error === 'string') {
    return described.error_description === undefined
      ? described.error
      : `${described.error}: ${described.error_description}`;
  }
  return described.cause?.code ?? error.message;
}
