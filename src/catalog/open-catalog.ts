import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { fail } from '../domain/errors.ts';
import type { Catalog } from './catalog.ts';
import { openPostgresCatalog } from './postgres/open-postgres-catalog.ts';
import { openSqliteCatalog } from './sqlite/open-sqlite-catalog.ts';

export type CatalogSpec = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** Connects, migrates, and returns a ready catalog. */
export function openCatalog(spec: CatalogSpec): Promise<Catalog> {
  return spec.kind === 'sqlite' ? openSqliteCatalog(spec.file) : openPostgresCatalog(spec.url);
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;
const ANY_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The `--catalog` option: a postgres:// or postgresql:// URL selects PostgreSQL, anything else is
 * a SQLite file path; without one, `<dataDir>/catalog.sqlite`. The SQLite file's directory is created
 * unless `create` is false. Any other URL throws INVALID_INPUT.
 */
export function catalogSpecFrom(option: string | undefined, dataDir: string, { create = true } = {}): CatalogSpec {
  const value = option?.trim();
  if (value && POSTGRES_URL.test(value)) return { kind: 'postgres', url: value };
  // Better than a SQLite file in a directory named `mysql:`.
  if (value && ANY_URL.test(value)) {
    fail('INVALID_INPUT', `catalog '${value.split('://')[0]}://…' is neither a postgres:// URL nor a file path`, {
      field: 'catalog',
    });
  }
  const file = value || join(dataDir, 'catalog.sqlite');
  if (create && file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return { kind: 'sqlite', file };
}

/**
 * Whether a catalog is already there, without creating one: the SQLite file exists, or the PostgreSQL
 * database holds the migration table. For tools that must not start an empty catalog by mistake.
 */
export async function catalogExists(spec: CatalogSpec): Promise<boolean> {
  if (spec.kind === 'sqlite') return spec.file !== ':memory:' && existsSync(spec.file);
  const client = new pg.Client({ connectionString: spec.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ present: boolean }>(
      "select to_regclass('catalog_migration') is not null as present",
    );
    return rows[0]?.present === true;
  } finally {
    await client.end();
  }
}
