import { Option } from 'commander';
import { ApiError } from './client.ts';
import { collect } from './v0-api.ts';

/**
 * The `--read-database`/`--write-database` flags of the influxctl-shape token commands, the v0
 * permissions they become, and the way back: the server names a bad grant by its body field
 * (`addPermissions[1].resource`), but the user typed a flag, so a refusal is reworded in its terms.
 */
export type Permission = { action: 'read' | 'write'; resource: string };

export interface PermissionFlags {
  permissions: Permission[];
  /** The flag and value each permission came from, in the same order: `--add-write-database logs`. */
  typed: string[];
}

export function permissionFlags(
  read: string[] | undefined,
  write: string[] | undefined,
  flags: { read: string; write: string },
): PermissionFlags {
  const reads = (read ?? []).map((resource) => ({ action: 'read' as const, resource }));
  const writes = (write ?? []).map((resource) => ({ action: 'write' as const, resource }));
  return {
    permissions: [...reads, ...writes],
    typed: [...reads.map((p) => `${flags.read} ${p.resource}`), ...writes.map((p) => `${flags.write} ${p.resource}`)],
  };
}

export const databaseOption = (flag: string, what: string) =>
  new Option(`${flag} <database>`, `${what} (repeatable; '*' is every database)`).argParser(collect);

const GRANT_FIELD = /\b(permissions|addPermissions)\[(\d+)\](?:\.resource|\.action)?/;

/** `error` with a grant field it names replaced by the flag it came from; other errors unchanged. */
export function inFlagTerms(error: unknown, byField: Record<string, PermissionFlags | undefined>): unknown {
  if (!(error instanceof ApiError)) return error;
  const reworded = error.message.replace(
    GRANT_FIELD,
    (field, name: string, index: string) => byField[name]?.typed[Number(index)] ?? field,
  );
  return reworded === error.message ? error : new ApiError(error.status, error.code, reworded, error.data);
}
