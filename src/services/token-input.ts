import { randomBytes } from 'node:crypto';
import { fail } from '../domain/errors.ts';

const MAX_DESCRIPTION = 1000;
const NAME_LENGTH = 60;

/** A description as the management API takes it: not empty or blank (influxctl 2.10's rule), at most 1,000 characters. */
export function validateDescription(description: unknown, field = 'description'): string {
  if (typeof description !== 'string' || description.trim() === '')
    fail('INVALID_INPUT', `${field} is required and must not be blank`, { field });
  if (description.length > MAX_DESCRIPTION)
    fail('INVALID_INPUT', `${field} is longer than ${MAX_DESCRIPTION} characters`, { field });
  return description;
}

/** The name a description suggests: `"Deploy bot #2"` → `deploy-bot-2`; `token` when nothing usable is left. */
export function nameFromDescription(description: string): string {
  const slug = description
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_.]+|[-.]+$/g, '')
    .slice(0, NAME_LENGTH)
    .replace(/[-.]+$/, '');
  return slug === '' || /^\.+$/.test(slug) ? 'token' : slug;
}

/** Names tried in sequence before a random suffix: `deploy-bot`, `deploy-bot-2` … `deploy-bot-20`. */
const SEQUENTIAL_NAMES = 20;
const RANDOM_NAME_TRIES = 10;

/**
 * `base`, else `base-2` … `base-20`, else `base-` and six random hex digits: the first that `taken`
 * says is free. Bounded, so a thousand tokens with one description cost no more lookups than twenty.
 */
export async function firstFreeName(base: string, taken: (name: string) => Promise<boolean>): Promise<string> {
  if (!(await taken(base))) return base;
  for (let n = 2; n <= SEQUENTIAL_NAMES; n++) {
    const candidate = `${base}-${n}`;
    if (!(await taken(candidate))) return candidate;
  }
  for (let i = 0; i < RANDOM_NAME_TRIES; i++) {
    const candidate = `${base}-${randomBytes(3).toString('hex')}`;
    if (!(await taken(candidate))) return candidate;
  }
  return fail('TOKEN_NAME_TAKEN', `no free name derived from '${base}'; give the token a name of its own`);
}
