import type { UserRole } from '../../catalog/catalog.ts';

const RANK: Readonly<Record<UserRole, number>> = { auditor: 1, member: 2, admin: 3 };

/**
 * The group a token's group claim names: `admin`, `member` or `auditor`, case-insensitive, in a
 * string or a list (the highest wins). Anything else names no group, and so gives no access.
 */
export function groupFromClaim(value: unknown): UserRole | undefined {
  const values = Array.isArray(value) ? value : [value];
  let best: UserRole | undefined;
  for (const item of values) {
    if (typeof item !== 'string') continue;
    const role = item.trim().toLowerCase();
    if (role !== 'admin' && role !== 'member' && role !== 'auditor') continue;
    if (best === undefined || RANK[role] > RANK[best]) best = role;
  }
  return best;
}
