import { Authority } from '../domain/permissions.ts';
import type { TokenKind } from '../domain/token-format.ts';

/** Who is asking. Services take a principal with every call and decide from it alone. */
export interface Principal {
  /** `token`: a presented token; `system`: the server itself (--without-auth, recovery, startup); `anonymous`: nothing presented. */
  kind: 'token' | 'system' | 'anonymous';
  tokenId: number | null;
  tokenKind: TokenKind | null;
  /** Display name for logs and the audit trail: a token name, `bootstrap`, `recovery`, `anonymous`. */
  name: string;
  authority: Authority;
  /** Epoch ms; Infinity when the principal never expires. */
  expiresAt: number;
  sourceIp: string | null;
}

export const ADMIN_AUTHORITY = new Authority([{ type: 'admin' }]);
export const NO_AUTHORITY = new Authority([]);

export function systemPrincipal(name: string, sourceIp: string | null = null): Principal {
  return {
    kind: 'system',
    tokenId: null,
    tokenKind: null,
    name,
    authority: ADMIN_AUTHORITY,
    expiresAt: Number.POSITIVE_INFINITY,
    sourceIp,
  };
}

/** A caller that presented nothing; it may only reach what needs no right. */
export function anonymousPrincipal(sourceIp: string | null): Principal {
  return { ...systemPrincipal('anonymous', sourceIp), kind: 'anonymous', authority: NO_AUTHORITY };
}
