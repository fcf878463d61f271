import { fail } from './errors.ts';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export const OPERATOR_TOKEN_NAME = '_admin';
export const INTERNAL_DATABASE = '_internal';

/**
 * Token and database names: 1 to 64 of `[A-Za-z0-9_.-]`. A leading `_` is reserved for the
 * system (`_admin`, `_internal`). Throws INVALID_NAME naming `field`.
 */
export function validateName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    fail('INVALID_NAME', `${field} is required`, { field });
  }
  if (!NAME.test(name)) {
    fail('INVALID_NAME', `${field} '${printable(name)}' must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '.' or '-'`, {
      field,
    });
  }
  if (name.startsWith('_')) {
    fail('INVALID_NAME', `${field} '${name}' starts with '_', which is reserved for system names`, { field });
  }
  return name;
}

function printable(text: string): string {
  const clipped = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(clipped).slice(1, -1);
}
