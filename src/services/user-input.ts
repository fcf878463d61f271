import type { UserRole } from '../catalog/catalog.ts';
import { fail } from '../domain/errors.ts';

const GROUPS: readonly UserRole[] = ['admin', 'member', 'auditor'];

/** A subject as the provider sends it: 1 to 255 printable characters (Entra OIDs, `auth0|…`, UUIDs). */
export function validateSubject(value: unknown, field = 'subject'): string {
  if (typeof value !== 'string' || value.trim() === '') fail('INVALID_INPUT', `${field} is required`, { field });
  if (value.length > 255) fail('INVALID_INPUT', `${field} is longer than 255 characters`, { field });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) fail('INVALID_INPUT', `${field} contains control characters`, { field });
  return value;
}

export function parseGroup(value: unknown, field = 'group'): UserRole {
  const group = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (!GROUPS.includes(group as UserRole)) {
    fail('INVALID_INPUT', `${field} '${String(value)}' must be one of admin, member, auditor`, { field });
  }
  return group as UserRole;
}

export function validateEmail(value: unknown, field = 'email'): string | null {
  if (value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(value)) {
    fail('INVALID_INPUT', `${field} '${String(value)}' is not an email address`, { field });
  }
  return value;
}

export function validateText(value: unknown, field: string, max: number): string | null {
  if (value === null || value === '') return null;
  if (typeof value !== 'string') fail('INVALID_INPUT', `${field} must be a string`, { field });
  if (value.length > max) fail('INVALID_INPUT', `${field} is longer than ${max} characters`, { field });
  return value.trim() === '' ? null : value.trim();
}
