import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from './identifiers.ts';
import { checkPlan } from './plan-check.ts';

/** Statements of one database whose plan check passed, remembered up to this many. */
const CHECKED_STATEMENTS = 256;

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
  /** Where DuckDB spills what does not fit in `memoryLimit` (DuckDB's default when unset). */
  tempDirectory?: string;
  /** Whether errors may suggest similar names from other catalogs ("Did you mean …"); default true. */
  catalogSuggestions?: boolean;
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
    ...(options.tempDirectory === undefined ? {} : { temp_directory: options.tempDirectory }),
    ...(options.catalogSuggestions === false ? { catalog_error_max_schemas: '0' } : {}),
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

/** One database file as an engine uses it: connections whose unqualified names are its own, and closing it. */
export interface SandboxedDatabase {
  /** A connection for the engine's own statements (applies, retention, the registry). */
  connect(): Promise<DuckDBConnection>;
  /** A connection for users' queries: each statement it prepares must read this database only. */
  connectForQueries(): Promise<DuckDBConnection>;
  /** Closes the database (its connections must be closed first); DuckDB checkpoints it. */
  close(): Promise<void>;
  /**
   * Closes and opens the file again (its connections must be closed first), so nothing DuckDB held in
   * memory for it survives; throws, leaving this one open as it was, if the close fails (a checkpoint
   * on a full disk). Use the returned database from then on.
   */
  reopen(): Promise<SandboxedDatabase>;
}

/** A database in an instance of its own, which holds nothing else (about 2.7 MB of memory each). */
export async function openOwnDatabase(
  file: string,
  sizing: Pick<SandboxOptions, 'memoryLimit' | 'threads'> = {},
): Promise<SandboxedDatabase> {
  const instance = await openSandboxedInstance(file, sizing);
  return {
    connect: () => instance.connect(),
    connectForQueries: () => instance.connect(),
    close: async () => instance.closeSync(),
    reopen: async () => {
      instance.closeSync();
      return openOwnDatabase(file, sizing);
    },
  };
}

/**
 * One sandboxed DuckDB instance holding many database files, each ATTACHed under a catalog name of
 * its own: an instance costs about 2.7 MB (DuckDB's catalog of ~3,000 built-in functions, which no
 * setting shrinks) and a thread per `threads - 1`, an attached database about 0.2 MB and none.
 * The instance may only touch files in `directory` (the databases' directory), loads no
 * extension, runs in UTC and refuses configuration changes. A database's connections use its
 * catalog by default; a query connection also checks every statement's bound plan (see
 * plan-check.ts): it may scan only its own catalog's tables, whatever the SQL said, so a query
 * that got past the validator still cannot reach another database's tables or any file.
 */
export class SharedInstance {
  private attached = 0;
  /** Files whose DETACH failed, by file: the next attach of the file tries again or uses them as they are. */
  private readonly undetached = new Map<string, string>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly directory: string,
  ) {}

  static async open(
    directory: string,
    sizing: Pick<SandboxOptions, 'memoryLimit' | 'threads'> = {},
  ): Promise<SharedInstance> {
    const resolved = path.resolve(directory);
    const instance = await openSandboxedInstance(':memory:', {
      ...sizing,
      allowedDirectory: resolved,
      tempDirectory: path.join(resolved, 'spill.tmp'),
      // A binder error must not name another database's tables.
      catalogSuggestions: false,
    });
    return new SharedInstance(instance, resolved);
  }

  /** Attaches a database file of the directory (created if need be) under a catalog name never used before. */
  async attach(file: string): Promise<SandboxedDatabase> {
    const resolved = path.resolve(file);
    if (path.dirname(resolved) !== this.directory) throw new Error(`${file} is not in ${this.directory}`);
    const stale = this.undetached.get(resolved);
    if (stale !== undefined) {
      // Its last DETACH failed (a failed checkpoint): try again, or go on with it, still attached and consistent.
      const detached = await this.detach(stale).then(
        () => true,
        () => false,
      );
      if (!detached) return this.database(resolved, stale);
      this.undetached.delete(resolved);
    }
    return this.attachAnew(resolved);
  }

  private async attachAnew(file: string): Promise<SandboxedDatabase> {
    const catalog = `fluxgate_db_${++this.attached}`;
    await this.admin(`ATTACH ${quoteLiteral(file)} AS ${quoteIdentifier(catalog)}`);
    return this.database(file, catalog);
  }

  private database(file: string, catalog: string): SandboxedDatabase {
    // A statement whose plan passed once passes again: its unqualified names can only ever mean this
    // catalog's tables, and a qualified name another's never passes. Repeated queries skip the planning.
    const checked = new Set<string>();
    let detached = false;
    const connect = async () => {
      const connection = await this.instance.connect();
      try {
        await connection.run(`USE ${quoteIdentifier(catalog)}`);
      } catch (error) {
        connection.closeSync();
        throw error;
      }
      return connection;
    };
    return {
      connect,
      connectForQueries: async () => {
        const connection = await connect();
        const prepare = connection.prepare.bind(connection);
        connection.prepare = async (sql: string) => {
          if (!checked.has(sql)) {
            await checkPlan(connection, catalog, sql);
            if (checked.size >= CHECKED_STATEMENTS) checked.clear();
            checked.add(sql);
          }
          return prepare(sql);
        };
        return connection;
      },
      close: () =>
        this.detach(catalog).catch((error: unknown) => {
          this.undetached.set(file, catalog);
          throw error;
        }),
      reopen: async () => {
        // Once detached, a failed ATTACH is tried again by the next call, without another DETACH.
        if (!detached) {
          await this.detach(catalog);
          detached = true;
        }
        return this.attachAnew(file);
      },
    };
  }

  /** Closes the instance; every database must be detached first. */
  close(): void {
    this.instance.closeSync();
  }

  /** DETACH; a failed one (its checkpoint on a full disk) may have detached the database all the same. */
  private async detach(catalog: string): Promise<void> {
    try {
      await this.admin(`DETACH ${quoteIdentifier(catalog)}`);
    } catch (error) {
      if (await this.isAttached(catalog)) throw error;
    }
  }

  private async isAttached(catalog: string): Promise<boolean> {
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll('SELECT 1 FROM duckdb_databases() WHERE database_name = $name', {
        name: catalog,
      });
      return reader.getRows().length > 0;
    } finally {
      connection.closeSync();
    }
  }

  private async admin(sql: string): Promise<void> {
    const connection = await this.instance.connect();
    try {
      await connection.run(sql);
    } finally {
      connection.closeSync();
    }
  }
}
