import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

const CAPACITY = 200;

/**
 * Kysely prepares every statement anew; the catalog runs the same few statements over and over,
 * so reuse the prepared ones (least recently used evicted). Safe because Kysely's SQLite driver
 * runs one statement at a time on its single connection. `onPrepare` sees each statement just
 * before Kysely runs it.
 */
export function withStatementCache(
  database: BetterSqlite3.Database,
  onPrepare: (statement: BetterSqlite3.Statement) => void = () => {},
): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (cache.size >= CAPACITY) cache.delete(cache.keys().next().value as string);
      } else {
        cache.delete(sql);
      }
      cache.set(sql, statement);
      onPrepare(statement);
      return statement;
    },
  };
}
