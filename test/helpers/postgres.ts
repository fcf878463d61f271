import { randomBytes } from 'node:crypto';
import pg from 'pg';

// No skipping when PostgreSQL is down: a suite that needs it must fail, so a broken setup cannot pass unnoticed.
export const POSTGRES_ADMIN_URL = process.env.FLUXGATE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throwaway database: created on first use, dropped (connections and all) at the end. */
export class ScratchDatabase {
  readonly name: string;
  readonly url: string;
  #created: Promise<void> | undefined;
  #client: pg.Client | undefined;

  /** `prefix`: whose scratch database this is (a suite's own prefix keeps its databases apart). */
  constructor(prefix = 'fluxgate_test') {
    this.name = `${prefix}_${randomBytes(6).toString('hex')}`;
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${this.name}`;
    this.url = url.toString();
  }

  ensure(): Promise<void> {
    this.#created ??= withAdmin((admin) => admin.query(`create database ${this.name}`)).then(() => {});
    return this.#created;
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    await this.ensure();
    if (this.#client === undefined) {
      this.#client = new pg.Client({ connectionString: this.url });
      await this.#client.connect();
    }
    return (await this.#client.query(sql)).rows;
  }

  async drop(): Promise<void> {
    await this.#client?.end();
    if (this.#created === undefined) return;
    await withAdmin((admin) => admin.query(`drop database if exists ${this.name} with (force)`));
  }
}

/** A database that exists already, for a server process to use as its catalog. */
export async function createScratchDatabase(prefix?: string): Promise<ScratchDatabase> {
  const scratch = new ScratchDatabase(prefix);
  await scratch.ensure();
  return scratch;
}

export async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
