import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from './identifiers.ts';

const NO_EXTENSIONS = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
} as const;

export interface SandboxOptions {
  /** The one directory the instance may read and write besides its own database file. */
  allowedDirectory?: string;
  /** DuckDB's `memory_limit` for this instance, e.g. `64MB`; DuckDB's default (80 % of RAM) when unset. */
  memoryLimit?: string;
  /** DuckDB's `threads` for this instance (each instance runs `threads - 1` background threads). */
  threads?: number;
}

/**
 * Opens a DuckDB instance that cannot read or write any file but its own database (and
 * `allowedDirectory` when given), cannot install or load extensions, runs in UTC, and refuses
 * any later configuration change. `lock_configuration` is set right after opening instead of in
 * the create options because the time zone (an ICU option, unknown at create time) must be set
 * first.
 */
export async function openSandboxedInstance(path: string, options: SandboxOptions = {}): Promise<DuckDBInstance> {
  const { allowedDirectory } = options;
  const sizing = {
    ...(options.memoryLimit === undefined ? {} : { memory_limit: options.memoryLimit }),
    ...(options.threads === undefined ? {} : { threads: String(options.threads) }),
  };
  const instance = await DuckDBInstance.create(
    path,
    allowedDirectory === undefined
      ? { ...NO_EXTENSIONS, ...sizing, enable_external_access: 'false' }
      : { ...NO_EXTENSIONS, ...sizing },
  );
  try {
    const connection = await instance.connect();
    try {
      if (allowedDirectory !== undefined) {
        const directory = allowedDirectory.endsWith('/') ? allowedDirectory : `${allowedDirectory}/`;
        await connection.run(`SET GLOBAL allowed_directories = [${quoteLiteral(directory)}]`);
        await connection.run('SET GLOBAL enable_external_access = false');
      }
      await connection.run("SET GLOBAL TimeZone = 'UTC'");
      await connection.run('SET GLOBAL lock_configuration = true');
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    instance.closeSync();
    throw error;
  }
  return instance;
}
