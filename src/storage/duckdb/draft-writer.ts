import type { DuckDBConnection } from '@duckdb/node-api';
import { appendBlock, CHUNK_ROWS } from './block-appender.ts';
import { sqlTypeOf, TAG_COMMENT } from './column-registry.ts';
import { quoteIdentifier, quoteLiteral } from './identifiers.ts';
import { VectorScratch } from './vector-fill.ts';
import type { DraftTable, WriteDraft } from './write-draft.ts';

/**
 * Stores a draft in one transaction: new tables and columns (DDL is transactional in DuckDB),
 * then the rows through the appender, whole columns copied into data chunks. Resolves once
 * COMMIT returns, which is when DuckDB has written and synced its WAL.
 */
export async function commitDraft(connection: DuckDBConnection, draft: WriteDraft): Promise<void> {
  const tables = draft.touchedTables;
  if (tables.length === 0) return;
  try {
    await connection.run(['BEGIN TRANSACTION', ...tables.flatMap(schemaChanges)].join(';\n'));
    for (const table of tables) await appendRows(connection, table);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => {});
    throw error;
  }
}

function schemaChanges(table: DraftTable): string[] {
  const name = quoteIdentifier(table.schema.name);
  const added = table.schema.columns.slice(table.storedColumns);
  const statements: string[] = [];
  if (table.isNew) {
    const columns = added.map(
      (column) =>
        `${quoteIdentifier(column.name)} ${sqlTypeOf(column.kind)}${column.kind === 'time' ? ' NOT NULL' : ''}`,
    );
    statements.push(`CREATE TABLE ${name} (${columns.join(', ')})`);
  } else {
    for (const column of added) {
      statements.push(`ALTER TABLE ${name} ADD COLUMN ${quoteIdentifier(column.name)} ${sqlTypeOf(column.kind)}`);
    }
  }
  for (const column of added) {
    if (column.kind === 'tag') {
      statements.push(`COMMENT ON COLUMN ${name}.${quoteIdentifier(column.name)} IS ${quoteLiteral(TAG_COMMENT)}`);
    }
  }
  return statements;
}

async function appendRows(connection: DuckDBConnection, table: DraftTable): Promise<void> {
  const { columns } = table.schema;
  const appender = await connection.createAppender(table.schema.name);
  try {
    if (appender.columnCount !== columns.length) {
      throw new Error(`table '${table.schema.name}' has ${appender.columnCount} columns, expected ${columns.length}`);
    }
    const types = columns.map((_, index) => appender.columnType(index));
    const scratch = new VectorScratch(CHUNK_ROWS);
    for (const block of table.blocks) appendBlock(appender, types, columns, block, scratch);
    appender.flushSync();
    appender.closeSync();
  } catch (error) {
    // Closing flushes again; after a failure that would fail as well and hide the first error.
    try {
      appender.closeSync();
    } catch {}
    throw error;
  }
}
