/** Longest JWT accepted; a provider's access token is a few kilobytes at most. */
export const MAX_JWT_LENGTH = 16_384;

/**
 * True when a presented string has the shape of a compact JWS: `eyJ…` (a base64url JSON header)
 * and three base64url segments. fluxgate tokens (`fg?_…`, `apiv3_…`) contain no dot, so the two
 * are told apart without any lookup or decoding.
 */
export function looksLikeJwt(token: string): boolean {
  if (token.length > MAX_JWT_LENGTH || !token.startsWith('eyJ')) return false;
  let dots = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === 46 /* . */) {
      dots++;
      continue;
    }
    if (!isBase64Url(c)) return false;
  }
  return dots === 2;
}

function isBase64Url(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 /* - */ || c === 95 /* _ */;
}
