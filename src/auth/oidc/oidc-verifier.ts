import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
  type RemoteJWKSet,
} from 'jose';
import { SessionFailure } from './session-failure.ts';

/**
 * Signature algorithms a provider's access token may use: asymmetric only. `none` and the HS*
 * family (a shared secret, which a public JWKS must never be mistaken for) are refused before any
 * key is looked up.
 */
export const ALLOWED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
const ALLOWED = new Set<string>(ALLOWED_ALGORITHMS);

export interface OidcVerifierOptions {
  issuer: string;
  audience: string;
  /** Least time between two JWKS fetches caused by an unknown `kid` (a rotation, or a forger's guess). */
  jwksCooldownMs: number;
  /** Least time between two discovery attempts while the provider cannot be reached. */
  discoveryRetryMs: number;
  /** Each request to the provider gives up after this long. */
  timeoutMs: number;
  /** Leeway for `exp` and `nbf`, for clocks that drift apart. */
  clockToleranceSeconds: number;
  now: () => number;
}

export interface VerifiedSession {
  subject: string;
  /** Epoch ms. */
  expiresAt: number;
  claims: JWTPayload;
}

/** What the provider's discovery document says, as far as fluxgate and its CLI need it. */
export interface ProviderMetadata {
  issuer: string;
  jwksUri: string;
  deviceAuthorizationEndpoint: string | undefined;
  tokenEndpoint: string | undefined;
}

type Discovery =
  | { ok: true; metadata: ProviderMetadata; keys: RemoteJWKSet }
  | { ok: false; error: string; at: number };

/**
 * Verifies the identity provider's JWT access tokens: discovery once (retried, rate-limited,
 * while the provider is down), the key set cached and refetched on an unknown `kid` at most once
 * per cooldown, then signature, `iss`, `aud`, `exp`, `nbf` and the algorithm allow-list.
 * Never throws anything but a SessionFailure, whose message never holds the token.
 */
export class OidcVerifier {
  #discovery: Discovery | undefined;
  #discovering: Promise<Discovery> | undefined;

  constructor(private readonly options: OidcVerifierOptions) {}

  /** Tries discovery once; a provider that is down is reported, not fatal. */
  async start(): Promise<{ ok: true } | { ok: false; error: string }> {
    const discovery = await this.#discover();
    return discovery.ok ? { ok: true } : { ok: false, error: discovery.error };
  }

  /** The provider's metadata when discovery has succeeded (for the CLI's login). */
  get metadata(): ProviderMetadata | undefined {
    return this.#discovery?.ok ? this.#discovery.metadata : undefined;
  }

  async verify(jwt: string): Promise<VerifiedSession> {
    // Cheap, offline checks first: a token of another issuer or a refused algorithm costs no key lookup.
    const { alg } = decodeHeaderOrFail(jwt);
    if (alg === undefined || !ALLOWED.has(alg)) {
      throw new SessionFailure(
        'bad_algorithm',
        `the token is signed with '${alg ?? 'none'}'; only asymmetric algorithms are accepted`,
      );
    }
    const unverified = decodeClaimsOrFail(jwt);
    if (unverified.iss !== this.options.issuer) {
      throw new SessionFailure('wrong_issuer', `the token was not issued by ${this.options.issuer}`);
    }
    const discovery = await this.#ready();
    try {
      const { payload } = await jwtVerify(jwt, discovery.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...ALLOWED_ALGORITHMS],
        requiredClaims: ['sub', 'exp'],
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: new Date(this.options.now()),
      });
      return { subject: payload.sub as string, expiresAt: (payload.exp as number) * 1000, claims: payload };
    } catch (error) {
      throw this.#failureOf(error);
    }
  }

  async #ready(): Promise<Extract<Discovery, { ok: true }>> {
    const current = this.#discovery;
    if (current?.ok) return current;
    const retry = current === undefined || this.options.now() - current.at >= this.options.discoveryRetryMs;
    const discovery = retry ? await this.#discover() : current;
    if (discovery.ok) return discovery;
    throw new SessionFailure('provider_unavailable', `the identity provider is unavailable: ${discovery.error}`);
  }

  /** One discovery at a time; every caller waiting meanwhile shares its outcome. */
  #discover(): Promise<Discovery> {
    this.#discovering ??= this.#fetchDiscovery().then((discovery) => {
      this.#discovering = undefined;
      this.#discovery = discovery;
      return discovery;
    });
    return this.#discovering;
  }

  async #fetchDiscovery(): Promise<Discovery> {
    const url = `${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headers: { accept: 'application/json' },
      });
      if (!response.ok) return this.#discoveryFailed(`${url} answered ${response.status}`);
      const document = (await response.json()) as Record<string, unknown>;
      if (document.issuer !== this.options.issuer) {
        return this.#discoveryFailed(
          `the discovery document names the issuer '${String(document.issuer)}', not '${this.options.issuer}'`,
        );
      }
      if (typeof document.jwks_uri !== 'string') return this.#discoveryFailed(`${url} has no jwks_uri`);
      const metadata: ProviderMetadata = {
        issuer: this.options.issuer,
        jwksUri: document.jwks_uri,
        deviceAuthorizationEndpoint: stringOrUndefined(document.device_authorization_endpoint),
        tokenEndpoint: stringOrUndefined(document.token_endpoint),
      };
      const keys = createRemoteJWKSet(new URL(metadata.jwksUri), {
        cooldownDuration: this.options.jwksCooldownMs,
        timeoutDuration: this.options.timeoutMs,
      });
      return { ok: true, metadata, keys };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return this.#discoveryFailed(`cannot read ${url} (${cause ?? (error as Error).message})`);
    }
  }

  #discoveryFailed(error: string): Discovery {
    return { ok: false, error, at: this.options.now() };
  }

  #failureOf(error: unknown): SessionFailure {
    if (error instanceof SessionFailure) return error;
    if (error instanceof errors.JWTExpired) return new SessionFailure('expired', 'the session token has expired');
    if (error instanceof errors.JWTClaimValidationFailed) {
      switch (error.claim) {
        case 'aud':
          return new SessionFailure(
            'wrong_audience',
            `the token is not meant for the audience '${this.options.audience}'`,
          );
        case 'iss':
          return new SessionFailure('wrong_issuer', `the token was not issued by ${this.options.issuer}`);
        case 'nbf':
          return new SessionFailure('not_yet_valid', 'the session token is not valid yet (nbf is in the future)');
        case 'iat':
          return new SessionFailure('not_yet_valid', 'the session token was issued in the future (iat)');
        default:
          return new SessionFailure('missing_claim', `the token's '${error.claim}' claim is missing or invalid`);
      }
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      return new SessionFailure(
        'unknown_key',
        "the token's signing key (kid) is not in the identity provider's key set",
      );
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return new SessionFailure('bad_signature', 'the token signature does not verify');
    }
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
      return new SessionFailure('bad_algorithm', "the token's algorithm is not accepted");
    }
    if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
      return new SessionFailure('malformed_jwt', 'the session token is not a well-formed JWT');
    }
    if (error instanceof errors.JWKSTimeout) {
      return new SessionFailure('provider_unavailable', "the identity provider's key set could not be fetched in time");
    }
    if (error instanceof errors.JOSEError) {
      return new SessionFailure('unknown_key', "the identity provider's key set has no usable key for the token");
    }
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return new SessionFailure(
      'provider_unavailable',
      `the identity provider's key set cannot be read (${cause ?? (error as Error).message})`,
    );
  }
}

function decodeHeaderOrFail(jwt: string): { alg: string | undefined } {
  try {
    const header = decodeProtectedHeader(jwt);
    return { alg: header.alg };
  } catch {
    throw new SessionFailure('malformed_jwt', 'the session token is not a well-formed JWT');
  }
}

function decodeClaimsOrFail(jwt: string): JWTPayload {
  try {
    return decodeJwt(jwt);
  } catch {
    throw new SessionFailure('malformed_jwt', 'the session token is not a well-formed JWT');
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
