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

/** Device names Windows reserves in every directory, with or without an extension (`CON`, `nul.txt`). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * Database names: the rules of `validateName`, and not a name a file system gives a meaning to (`.`,
 * `..`, or only dots) nor a Windows device name (`CON`, `nul.db`), so a name can never become a path
 * that means something else. Throws INVALID_NAME naming `field`.
 */
export function validateDatabaseName(name: unknown, field: string): string {
  const valid = validateName(name, field);
  if (/^\.+$/.test(valid)) {
    fail('INVALID_NAME', `${field} '${valid}' is only dots, which file systems reserve`, { field });
  }
  if (WINDOWS_RESERVED.test(valid)) {
    fail('INVALID_NAME', `${field} '${valid}' is a device name Windows reserves (CON, PRN, AUX, NUL, COM1, LPT1, …)`, {
      field,
    });
  }
  return valid;
}

function printable(text: string): string {
  const clipped = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(clipped).slice(1, -1);
}
