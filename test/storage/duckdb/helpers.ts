import fs from 'node:fs';
import os from 'node:os';
import { DuckDbStorage } from '../../../src/storage/duckdb/duckdb-storage.ts';
import type { FieldValue, ParsedLine } from '../../../src/storage/lineprotocol/types.ts';
import type { DatabaseLimits, StorageDatabase } from '../../../src/storage/storage.ts';

export const T0 = 1_732_496_523_000_000_000n; // 2024-11-25T01:02:03Z

export function tempDir(): string {
  return fs.mkdtempSync(`${os.tmpdir()}/fg-`);
}

export function database(id: number, limits: Partial<DatabaseLimits> = {}): StorageDatabase {
  return {
    id,
    name: `db${id}`,
    limits: { maxTables: 100, maxColumnsPerTable: 200, retentionPeriodMs: null, ...limits },
  };
}

type FieldInput = number | bigint | string | boolean | FieldValue;

/** A parsed line: numbers are floats, bigints integers, unless a typed FieldValue is given. */
export function line(
  lineNumber: number,
  measurement: string,
  tags: Record<string, string>,
  fields: Record<string, FieldInput>,
  timestampNs: bigint | null = T0,
): ParsedLine {
  return {
    lineNumber,
    point: {
      measurement,
      tags: Object.entries(tags),
      fields: Object.entries(fields).map(([name, value]) => [name, toField(value)]),
      timestampNs,
    },
  };
}

function toField(value: FieldInput): FieldValue {
  if (typeof value === 'number') return { type: 'float', value };
  if (typeof value === 'bigint') return { type: 'integer', value };
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'boolean') return { type: 'boolean', value };
  return value;
}

/** A storage in a fresh temp dir; `cleanup` closes it and removes the dir. */
export function openStorage(): { storage: DuckDbStorage; dir: string; cleanup: () => Promise<void> } {
  const dir = tempDir();
  const storage = new DuckDbStorage(dir);
  return {
    storage,
    dir,
    cleanup: async () => {
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts the promise rejects with a FluxgateError of this code whose message contains `fragment`. */
export async function rejectsWith(promise: Promise<unknown>, code: string, fragment: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  const error = caught as { code?: string; message?: string } | undefined;
  if (error?.code !== code || !error.message?.includes(fragment)) {
    throw new Error(
      `expected ${code} containing "${fragment}", got ${error ? `${error.code}: ${error.message}` : 'success'}`,
    );
  }
}
