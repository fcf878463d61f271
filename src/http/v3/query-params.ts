import { fail } from '../../domain/errors.ts';

/** `params` binds `$name` placeholders: a JSON object, given as an object (POST) or a JSON string. */
export function parseQueryParams(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      fail('INVALID_INPUT', 'params must be a JSON object such as {"host":"a"}', { field: 'params' });
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail('INVALID_INPUT', 'params must be a JSON object such as {"host":"a"}', { field: 'params' });
  }
  return parsed as Record<string, unknown>;
}
