import { hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Token strings are `<prefix><body><checksum>`: a prefix per kind, 43 base62 characters from the
 * CSPRNG (256 bits) and a CRC32 over prefix and body in 6 base62 characters. Anyone can check a
 * string offline; the server rejects malformed strings before any lookup. Strings from InfluxDB 3
 * (`apiv3_` + base64url) are accepted as a legacy format without a checksum.
 */
export type TokenKind = 'operator' | 'admin' | 'management' | 'database';

export const TOKEN_PREFIXES: Readonly<Record<TokenKind, string>> = {
  operator: 'fgo_',
  admin: 'fga_',
  management: 'fgm_',
  database: 'fgd_',
};

export const LEGACY_PREFIX = 'apiv3_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43; // 43 * log2(62) = 256.03 bits
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32
const PREFIX_LENGTH = 4;
export const TOKEN_LENGTH = PREFIX_LENGTH + BODY_LENGTH + CHECKSUM_LENGTH;
/** A legacy body shorter than this carries under 128 bits and is refused on import. */
export const LEGACY_MIN_BODY_LENGTH = 22;
const LEGACY_MAX_LENGTH = 512;

const kindByPrefix = new Map<string, TokenKind>(
  Object.entries(TOKEN_PREFIXES).map(([kind, prefix]) => [prefix, kind as TokenKind]),
);
const VALID = Object.fromEntries(
  Object.keys(TOKEN_PREFIXES).map((kind) => [kind, { valid: true, kind } as const]),
) as Record<TokenKind, TokenShape>;

export function generateToken(kind: TokenKind): string {
  let body = '';
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(64)) {
      const sixBits = byte & 63;
      if (sixBits < 62) body += BASE62[sixBits];
      if (body.length === BODY_LENGTH) break;
    }
  }
  const head = TOKEN_PREFIXES[kind] + body;
  return head + checksumOf(head);
}

export function checksumOf(head: string): string {
  let value = crc32(head);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export type TokenShape =
  | { valid: true; kind: TokenKind | 'legacy' }
  | { valid: false; reason: 'unknown_prefix' | 'bad_length' | 'bad_characters' | 'bad_checksum' };

/** Checks a presented string without any lookup: prefix, length, alphabet and checksum. */
export function inspectToken(token: string): TokenShape {
  if (token.startsWith(LEGACY_PREFIX)) return inspectLegacy(token);
  const kind = kindByPrefix.get(token.slice(0, PREFIX_LENGTH));
  if (kind === undefined) return { valid: false, reason: 'unknown_prefix' };
  if (token.length !== TOKEN_LENGTH) return { valid: false, reason: 'bad_length' };
  for (let i = PREFIX_LENGTH; i < token.length; i++) {
    if (!isBase62(token.charCodeAt(i))) return { valid: false, reason: 'bad_characters' };
  }
  // Compare the checksum digit by digit, from the last, without building a string (the hot path).
  let value = crc32(token.slice(0, PREFIX_LENGTH + BODY_LENGTH));
  for (let i = TOKEN_LENGTH - 1; i >= PREFIX_LENGTH + BODY_LENGTH; i--) {
    if (token.charCodeAt(i) !== BASE62.charCodeAt(value % 62)) return { valid: false, reason: 'bad_checksum' };
    value = Math.floor(value / 62);
  }
  return VALID[kind];
}

function inspectLegacy(token: string): TokenShape {
  const bodyLength = token.length - LEGACY_PREFIX.length;
  if (bodyLength < 1 || token.length > LEGACY_MAX_LENGTH) return { valid: false, reason: 'bad_length' };
  for (let i = LEGACY_PREFIX.length; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (!isBase62(c) && c !== 45 /* - */ && c !== 95 /* _ */) return { valid: false, reason: 'bad_characters' };
  }
  return { valid: true, kind: 'legacy' };
}

/** 1 at the char codes of base62 digits: one load instead of three range tests that random digits mispredict. */
const BASE62_CODES = new Uint8Array(128);
for (let i = 0; i < BASE62.length; i++) BASE62_CODES[BASE62.charCodeAt(i)] = 1;

function isBase62(c: number): boolean {
  return c < 128 && BASE62_CODES[c] === 1;
}

/** SHA-512 of the whole string, hex: the InfluxDB 3 scheme, so hashes of imported tokens match. */
export function hashToken(token: string): string {
  return hash('sha512', token, 'hex');
}

/** A non-secret hint for display: the prefix and the first four characters of the body. */
export function tokenHint(token: string): string {
  const prefixLength = token.startsWith(LEGACY_PREFIX) ? LEGACY_PREFIX.length : PREFIX_LENGTH;
  return `${token.slice(0, prefixLength + 4)}…`;
}
