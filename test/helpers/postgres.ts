import { randomBytes } from 'node:crypto';
import pg from 'pg';

// No skipping when PostgreSQL is down: a suite that needs it must fail.
export const POSTGRES_ADMIN_URL = process.env.FLUXGATE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  url: string;
  query(sql: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

/** A throwaway PostgreSQL database for one test file; `drop()` removes it, connections and all. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `fluxgate_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`create database ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  let client: pg.Client | undefined;
  return {
    url: url.toString(),
    async query(sql) {
      if (client === undefined) {
        client = new pg.Client({ connectionString: url.toString() });
        await client.connect();
      }
      return (await client.query(sql)).rows;
    },
    async drop() {
      await client?.end();
      await withAdmin((admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
