import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AuditEntry, Catalog, NewDatabase, NewToken } from '../../../src/catalog/catalog.ts';
import { type ErrorCode, FluxgateError } from '../../../src/domain/errors.ts';

export type Row = Record<string, unknown>;

/** What a catalog suite needs from an adapter's test file. */
export interface CatalogHarness {
  /** Opens a new catalog instance on the suite's one store (a file, a database). */
  open(): Promise<Catalog>;
  /** Runs raw SQL on the store, for what the port cannot show: stored bytes, row counts. */
  query(sql: string): Promise<Row[]>;
  /** Removes the store; runs once after every test of the suite. */
  cleanup(): Promise<void>;
}

/** The suite's state: `catalog` is replaced when a test restarts it. */
export interface ContractContext {
  harness: CatalogHarness;
  catalog: Catalog;
}

let counter = 0;
/** A name no other test of the run uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

export function audit(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: 1_700_000_000_000,
    actorTokenId: null,
    actorName: 'bootstrap',
    action: 'test.action',
    targetKind: 'token',
    targetId: null,
    targetName: null,
    outcome: 'ok',
    sourceIp: '127.0.0.1',
    details: {},
    ...overrides,
  };
}

export function newDatabase(overrides: Partial<NewDatabase> = {}): NewDatabase {
  return {
    name: uniqueName('db'),
    createdAt: 1_700_000_000_000,
    maxTables: 100,
    maxColumnsPerTable: 200,
    retentionPeriodMs: null,
    ...overrides,
  };
}

export function newToken(overrides: Partial<NewToken> = {}): NewToken {
  return {
    kind: 'database',
    name: uniqueName('token'),
    description: 'a test token',
    hint: 'fgd_AbCd…',
    createdAt: 1_700_000_000_000,
    createdBy: null,
    expiresAt: null,
    grants: [{ type: 'db', databases: '*', actions: 48 }],
    ...overrides,
  };
}

/** The SHA-512 (hex) of a secret no other test uses. */
export function uniqueHash(): string {
  return createHash('sha512').update(uniqueName('secret')).digest('hex');
}

export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof FluxgateError, `expected a FluxgateError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** Resolves when `condition` holds, polling; fails after `ms`. */
export async function eventually(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Row counts of every catalog table, to show a failed mutation wrote nothing. */
export async function rowCounts(harness: CatalogHarness): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [
    'databases',
    'tokens',
    'token_secrets',
    'token_grants',
    'audit_log',
    'catalog_changes',
    'users',
  ]) {
    const [row] = await harness.query(`select count(*) as n from ${table}`);
    counts[table] = Number(row?.n);
  }
  return counts;
}
