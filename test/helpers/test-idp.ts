import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { FormBrowser } from './form-browser.ts';
import { freePort } from './free-port.ts';

/** A person the test identity provider knows; `groups` goes into every access token it issues them. */
export interface TestAccount {
  sub: string;
  groups?: string | string[];
  email?: string;
  name?: string;
}

export interface TestIdpOptions {
  /** Listen here (to bring a provider up where a server already expects one); a free port otherwise. */
  port?: number;
  audience?: string;
  clientId?: string;
  /** Name of the claim carrying the groups. */
  groupClaim?: string;
  accessTokenTtlSeconds?: number;
  /** The device flow's polling interval, in seconds, announced to the client. */
  pollIntervalSeconds?: number;
}

interface SigningKey {
  kid: string;
  privateJwk: JWK;
  privateKey: CryptoKey;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** The scope the resource server (fluxgate) grants; an access token for it is a JWT. */
export const RESOURCE_SCOPE = 'fluxgate';

interface GrantContext {
  oidc: {
    provider: Provider & { Grant: { find(id: string): Promise<unknown> } };
    client: { clientId: string };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
  };
}

/**
 * A real OpenID provider (node-oidc-provider) on a loopback port, for tests: discovery, JWKS, the
 * device authorization flow with its own sign-in pages, and JWT access tokens for one resource
 * (the audience). Keys can be rotated while it runs; it can be stopped and started on the same port.
 */
export class TestIdp {
  readonly issuer: string;
  readonly audience: string;
  readonly clientId: string;
  readonly groupClaim: string;
  readonly port: number;
  readonly #accounts = new Map<string, TestAccount>();
  readonly #requests = new Map<string, number>();
  readonly #redirectUris: string[] = [];
  readonly #options: TestIdpOptions;
  #keys: SigningKey[] = [];
  #provider: Provider | undefined;
  #server: Server | undefined;

  private constructor(port: number, options: TestIdpOptions) {
    this.port = port;
    this.issuer = `http://127.0.0.1:${port}`;
    this.audience = options.audience ?? 'urn:fluxgate:test';
    this.clientId = options.clientId ?? 'fluxgate-cli';
    this.groupClaim = options.groupClaim ?? 'groups';
    this.#options = options;
  }

  /** A provider at a fixed address that is not listening yet (see `listen`). */
  static async reserve(options: TestIdpOptions = {}): Promise<TestIdp> {
    const idp = new TestIdp(options.port ?? (await freePort()), options);
    idp.#keys = [await newSigningKey()];
    return idp;
  }

  static async start(options: TestIdpOptions = {}): Promise<TestIdp> {
    const idp = await TestIdp.reserve(options);
    await idp.listen();
    return idp;
  }

  setAccount(account: TestAccount): void {
    this.#accounts.set(account.sub, account);
  }

  /**
   * Lets the client use the authorization code flow back to `uri` (the console's callback), as an
   * operator registers a redirect URI with their provider.
   */
  allowRedirect(uri: string): void {
    if (!this.#redirectUris.includes(uri)) this.#redirectUris.push(uri);
    if (this.#provider !== undefined) this.#provider = this.#createProvider();
  }

  /** The key the provider signs with now (the newest). */
  get currentKid(): string {
    return this.#keys[0]!.kid;
  }

  async listen(): Promise<void> {
    if (this.#server !== undefined) return;
    this.#provider = this.#createProvider();
    const server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Publishes a new signing key and signs with it from now on; the previous key stays in the JWKS
   * (as providers keep it while tokens signed with it live) unless `dropOld`.
   */
  async rotateKeys(options: { dropOld?: boolean } = {}): Promise<void> {
    const key = await newSigningKey();
    this.#keys = options.dropOld ? [key] : [key, ...this.#keys];
    this.#provider = this.#createProvider();
  }

  /**
   * The device flow as a user completes it: starts the authorization, confirms the code on the
   * provider's pages with plain form posts, signs in as `sub`, then redeems the device code.
   */
  async signIn(sub: string): Promise<string> {
    const started = await this.#post('/device/auth', { client_id: this.clientId, scope: 'openid email profile' });
    const authorization = (await started.json()) as { device_code: string; verification_uri_complete: string };
    await this.confirmDevice(authorization.verification_uri_complete, sub);
    const response = await this.#post('/token', {
      client_id: this.clientId,
      grant_type: DEVICE_GRANT,
      device_code: authorization.device_code,
    });
    const body = (await response.json()) as { access_token?: string; error?: string };
    if (body.access_token === undefined) throw new Error(`the provider issued no token: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /** What a person does in a browser with the verification URL: confirm the code, sign in as `sub`. */
  async confirmDevice(verificationUri: string, sub: string): Promise<void> {
    const browser = new FormBrowser();
    let page = await browser.open(verificationUri);
    for (let step = 0; step < 10; step++) {
      if (page.text.includes('Sign-in Success')) return;
      const form = page.form();
      if (form === undefined) throw new Error(`the provider page has no form to submit:\n${page.text}`);
      if (form.fields.has('user_code') && !form.fields.get('user_code')) {
        const code = new URL(verificationUri).searchParams.get('user_code');
        if (code === null) throw new Error('the verification URL has no user_code');
        form.fields.set('user_code', code);
      }
      if (form.fields.has('login')) {
        form.fields.set('login', sub);
        form.fields.set('password', 'any');
      }
      page = await browser.submit(form);
    }
    throw new Error(`the device flow did not finish:\n${page.text}`);
  }

  /** Standard claims of an access token for `sub`, as this provider would issue it. */
  claimsFor(sub: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const account = this.#accounts.get(sub);
    return {
      iss: this.issuer,
      aud: this.audience,
      sub,
      iat: now,
      exp: now + 3600,
      jti: randomBytes(8).toString('hex'),
      client_id: this.clientId,
      scope: RESOURCE_SCOPE,
      ...(account?.groups === undefined ? {} : { [this.groupClaim]: account.groups }),
      ...extra,
    };
  }

  /**
   * A JWT signed with the provider's current private key, with claims and header of the test's
   * choosing (for the bad-token cases a real provider would not issue).
   */
  sign(claims: Record<string, unknown>, header: { alg?: string; kid?: string; typ?: string } = {}): Promise<string> {
    const key = this.#keys[0]!;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt', ...header })
      .sign(key.privateKey);
  }

  /** How many requests reached `path` (the JWKS at `/jwks`, discovery, …) since the start. */
  requestCount(path: string): number {
    return this.#requests.get(path) ?? 0;
  }

  /** A JWT signed with a key this provider never published (a forger's, or a key from elsewhere). */
  async signWithUnpublishedKey(claims: Record<string, unknown>): Promise<string> {
    const key = await newSigningKey();
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
  }

  /** The public half of the current signing key, as the JWKS shows it. */
  get currentPublicJwk(): JWK {
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = this.#keys[0]!.privateJwk;
    return publicJwk;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.issuer).pathname;
    this.#requests.set(path, (this.#requests.get(path) ?? 0) + 1);
    // The provider of the moment: a key rotation swaps it without closing the port.
    this.#provider!.callback()(req, res);
  }

  async #post(path: string, form: Record<string, string>): Promise<Response> {
    return fetch(new URL(path, this.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
  }

  #createProvider(): Provider {
    const audience = this.audience;
    const accounts = this.#accounts;
    const groupClaim = this.groupClaim;
    const ttl = this.#options.accessTokenTtlSeconds ?? 3600;
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.clientId,
          token_endpoint_auth_method: 'none',
          grant_types: [
            DEVICE_GRANT,
            'refresh_token',
            ...(this.#redirectUris.length > 0 ? ['authorization_code'] : []),
          ],
          response_types: this.#redirectUris.length > 0 ? ['code'] : [],
          redirect_uris: [...this.#redirectUris],
        },
      ],
      jwks: { keys: this.#keys.map((key) => key.privateJwk) },
      cookies: { keys: ['fluxgate-test-idp'] },
      scopes: ['openid', 'email', 'profile', 'offline_access'],
      claims: { email: ['email'], profile: ['name'] },
      findAccount: (_ctx: unknown, sub: string) => ({
        accountId: sub,
        claims: () => ({ sub, email: accounts.get(sub)?.email, name: accounts.get(sub)?.name }),
      }),
      extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) => {
        const account = token.accountId === undefined ? undefined : accounts.get(token.accountId);
        if (account === undefined) return undefined;
        return {
          ...(account.groups === undefined ? {} : { [groupClaim]: account.groups }),
          ...(account.email === undefined ? {} : { email: account.email }),
          ...(account.name === undefined ? {} : { name: account.name }),
        };
      },
      // Every sign-in is consented to at once, so the flow is: confirm the code, sign in.
      loadExistingGrant: async (ctx: GrantContext) => {
        const { client, session, result } = ctx.oidc;
        const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
        if (grantId !== undefined) return ctx.oidc.provider.Grant.find(grantId);
        const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
        grant.addOIDCScope('openid email profile offline_access');
        grant.addResourceScope(audience, RESOURCE_SCOPE);
        await grant.save();
        return grant;
      },
      ttl: { AccessToken: ttl, DeviceCode: 600, Grant: 3600, Session: 3600, Interaction: 600, IdToken: 3600 },
      features: {
        devInteractions: { enabled: true },
        deviceFlow: { enabled: true },
        revocation: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, indicator: string) => {
            if (indicator !== audience) throw new errors.InvalidTarget();
            return {
              scope: RESOURCE_SCOPE,
              audience,
              accessTokenFormat: 'jwt',
              accessTokenTTL: ttl,
              jwt: { sign: { alg: 'RS256' } },
            };
          },
        },
      },
    });
    const interval = this.#options.pollIntervalSeconds;
    if (interval !== undefined) {
      provider.use(async (ctx, next) => {
        await next();
        if (ctx.oidc?.route === 'device_authorization' && typeof ctx.body === 'object' && ctx.body !== null)
          (ctx.body as Record<string, unknown>).interval = interval;
      });
    }
    return provider;
  }
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(8).toString('hex');
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateJwk, privateKey };
}
