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

/** `base`, else `base-2`, `base-3`, … : the first that `taken` says is free. */
export async function firstFreeName(base: string, taken: (name: string) => Promise<boolean>): Promise<string> {
  if (!(await taken(base))) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!(await taken(candidate))) return candidate;
  }
}
