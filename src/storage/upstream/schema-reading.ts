import type { QueryScope } from '../duckdb/query-validator.ts';
import type { MeasurementSchema } from '../storage.ts';
import { upstreamScope } from './upstream-scope.ts';

/** Texts remembered per reading: dashboards repeat a few queries, each refresh the same text. */
const MAX_PASSED = 256;
/** Longer texts are validated every time (as the parse cache does not keep them either). */
const MAX_SQL_LENGTH = 4_096;

/**
 * One read of a database's schema from the upstream, for validation, with the SQL texts that
 * passed the validator against this very reading. The verdict depends on the text and the schema
 * alone, so a text repeated within the reading's lifetime is not walked again; a new reading (every
 * SCHEMA_TTL_MS, or when a query names something the last one lacks) starts with none passed.
 */
export class SchemaReading {
  private readonly passed = new Set<string>();
  private scopeOf: QueryScope | undefined;

  constructor(
    readonly schema: MeasurementSchema[],
    readonly at: number,
  ) {}

  /** What a query may read, on this reading (built once). */
  get scope(): QueryScope {
    this.scopeOf ??= upstreamScope(this.schema);
    return this.scopeOf;
  }

  /** Whether this reading was taken less than `ms` ago. */
  youngerThan(ms: number): boolean {
    return Date.now() - this.at < ms;
  }

  hasPassed(sql: string): boolean {
    return this.passed.has(sql);
  }

  /** Notes that `sql` passed the validator on this reading. */
  notePassed(sql: string): void {
    if (sql.length > MAX_SQL_LENGTH) return;
    if (this.passed.size >= MAX_PASSED) this.passed.clear();
    this.passed.add(sql);
  }
}
