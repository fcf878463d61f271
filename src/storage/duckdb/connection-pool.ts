import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { SandboxedDatabase } from './sandboxed-instance.ts';

/**
 * Query connections of one database handed out one caller at a time, so statements of concurrent
 * callers never share a connection. None is opened before a query needs one (an engine that is only
 * written to has none); idle connections are kept for reuse up to `maxIdle`.
 */
export class ConnectionPool {
  private readonly idle: DuckDBConnection[] = [];
  private readonly busy = new Set<DuckDBConnection>();
  private drained: (() => void) | undefined;

  constructor(
    /** A database's query connections, or any connection of an instance of the server's own (the parser's). */
    private readonly database: Pick<SandboxedDatabase, 'connectForQueries'> | DuckDBInstance,
    private readonly prepare: (connection: DuckDBConnection) => Promise<void> = async () => {},
    private readonly maxIdle = 4,
  ) {}

  async use<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.acquire();
    let healthy = true;
    try {
      return await work(connection);
    } catch (error) {
      healthy = false;
      throw error;
    } finally {
      this.release(connection, healthy);
    }
  }

  /** Lends a connection until `release`, for a statement that outlives one call (a streamed result). */
  async acquire(): Promise<DuckDBConnection> {
    const connection = this.idle.pop() ?? (await this.open());
    this.busy.add(connection);
    return connection;
  }

  /** Takes a lent connection back; an unhealthy one is closed instead of kept. */
  release(connection: DuckDBConnection, healthy: boolean): void {
    if (!this.busy.delete(connection)) return;
    // A connection whose statement failed may hold an aborted transaction; start clean.
    if (healthy && this.idle.length < this.maxIdle) this.idle.push(connection);
    else connection.closeSync();
    if (this.busy.size === 0) this.drained?.();
  }

  /** Connections lent now. */
  get lent(): number {
    return this.busy.size;
  }

  /** Waits for every lent connection to come back, then closes them all. */
  async close(): Promise<void> {
    if (this.busy.size > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    for (const connection of this.idle.splice(0)) connection.closeSync();
  }

  private async open(): Promise<DuckDBConnection> {
    const source = this.database;
    const connection = await ('connectForQueries' in source ? source.connectForQueries() : source.connect());
    try {
      await this.prepare(connection);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
    return connection;
  }
}
