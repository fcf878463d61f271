import type { DuckDBConnection } from '@duckdb/node-api';
import type { FieldType } from '../lineprotocol/types.ts';
import type { ColumnKind } from '../storage.ts';
import { identifierKey } from './identifiers.ts';

/** Column comment marking a VARCHAR column as a tag (a string field is a VARCHAR without it). */
export const TAG_COMMENT = 'fluxgate:tag';
export const TIME_COLUMN = 'time';

export const FIELD_SQL_TYPES: Readonly<Record<FieldType, string>> = {
  float: 'DOUBLE',
  integer: 'BIGINT',
  uinteger: 'UBIGINT',
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
};

export interface ColumnSchema {
  name: string;
  kind: ColumnKind;
}

export interface TableSchema {
  name: string;
  /** In table order: `time` first, then in the order they were added. */
  columns: ColumnSchema[];
  byKey: Map<string, ColumnSchema>;
}

export function sqlTypeOf(kind: ColumnKind): string {
  if (kind === 'time') return 'TIMESTAMP_NS';
  if (kind === 'tag') return 'VARCHAR';
  if (kind === 'other') throw new Error('columns of kind other are never created');
  return FIELD_SQL_TYPES[kind];
}

export function describeKind(kind: ColumnKind): string {
  if (kind === 'tag') return 'a tag';
  if (kind === 'time') return 'the timestamp';
  if (kind === 'other') return 'of a type line protocol cannot write';
  return `${kind === 'integer' ? 'an' : 'a'} ${kind} field`;
}

/** The tables and columns of one database, keyed the way DuckDB compares names. */
export class ColumnRegistry {
  private readonly tables = new Map<string, TableSchema>();

  static async load(connection: DuckDBConnection): Promise<ColumnRegistry> {
    const reader = await connection.runAndReadAll(
      `SELECT table_name, column_name, data_type, comment FROM duckdb_columns()
       WHERE database_name = current_database() AND schema_name = 'main'
       ORDER BY table_name, column_index`,
    );
    const registry = new ColumnRegistry();
    for (const [table, column, dataType, comment] of reader.getRows()) {
      const schema = registry.ensureTable(String(table));
      registry.addColumn(schema, { name: String(column), kind: kindOf(String(column), String(dataType), comment) });
    }
    return registry;
  }

  get size(): number {
    return this.tables.size;
  }

  /** A copy that changes apart from this one. */
  clone(): ColumnRegistry {
    const copy = new ColumnRegistry();
    for (const table of this.tables.values()) {
      const target = copy.ensureTable(table.name);
      for (const column of table.columns) copy.addColumn(target, { ...column });
    }
    return copy;
  }

  get(name: string): TableSchema | undefined {
    return this.tables.get(identifierKey(name));
  }

  all(): TableSchema[] {
    return [...this.tables.values()];
  }

  ensureTable(name: string): TableSchema {
    const key = identifierKey(name);
    let table = this.tables.get(key);
    if (!table) {
      table = { name, columns: [], byKey: new Map() };
      this.tables.set(key, table);
    }
    return table;
  }

  addColumn(table: TableSchema, column: ColumnSchema): void {
    table.columns.push(column);
    table.byKey.set(identifierKey(column.name), column);
  }
}

function kindOf(name: string, dataType: string, comment: unknown): ColumnKind {
  if (name === TIME_COLUMN && dataType === 'TIMESTAMP_NS') return 'time';
  if (dataType === 'VARCHAR') return comment === TAG_COMMENT ? 'tag' : 'string';
  for (const [kind, sqlType] of Object.entries(FIELD_SQL_TYPES)) {
    if (sqlType === dataType) return kind as FieldType;
  }
  return 'other';
}
