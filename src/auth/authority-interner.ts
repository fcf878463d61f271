import { Authority, type Grant } from '../domain/permissions.ts';
import { ADMIN_AUTHORITY } from './principal.ts';

/** Distinct grant sets remembered; past it the cache starts over (tokens keep what they were given). */
const DEFAULT_MAX_INTERNED = 10_000;

/**
 * Compiles grants into Authority objects, sharing one object between tokens with the same grants.
 * Most tokens repeat a few grant sets, so a shared Authority stays in cache on the verify path and
 * a million tokens do not each carry their own compiled copy.
 */
export class AuthorityInterner {
  private readonly byGrants = new Map<string, Authority>();

  constructor(private readonly maxInterned = DEFAULT_MAX_INTERNED) {}

  /** Distinct grant sets held now. */
  get size(): number {
    return this.byGrants.size;
  }

  intern(grants: readonly Grant[]): Authority {
    if (grants.some((grant) => grant.type === 'admin')) return ADMIN_AUTHORITY;
    const key = grantsKey(grants);
    const known = this.byGrants.get(key);
    if (known !== undefined) return known;
    if (this.byGrants.size >= this.maxInterned) this.byGrants.clear();
    const authority = new Authority(grants);
    this.byGrants.set(key, authority);
    return authority;
  }
}

/** Equal for grant lists that compile alike: same grants in the same order. */
function grantsKey(grants: readonly Grant[]): string {
  return grants
    .map((grant) => {
      if (grant.type === 'admin') return 'a';
      if (grant.type === 'system') return `s${grant.resources}`;
      const databases = grant.databases === '*' ? '*' : grant.databases.join(',');
      return `d${databases}:${grant.actions}`;
    })
    .join(';');
}
