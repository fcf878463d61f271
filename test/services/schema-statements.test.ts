import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recogniseSchemaStatement } from '../../src/services/schema-statements.ts';
import { schemaStatementResult } from '../../src/services/schema-tables.ts';

test('the schema statements are recognised in any case, with quoting and a trailing semicolon', () => {
  assert.deepEqual(recogniseSchemaStatement('  show   TABLES ; '), { kind: 'show_tables' });
  assert.deepEqual(recogniseSchemaStatement('SHOW COLUMNS IN iox."My ""Table"""'), {
    kind: 'show_columns',
    table: 'My "Table"',
  });
  assert.deepEqual(recogniseSchemaStatement('SHOW COLUMNS FROM CPU'), { kind: 'show_columns', table: 'cpu' });
  assert.deepEqual(
    recogniseSchemaStatement("select table_name, DATA_TYPE from information_schema.columns where table_name = 'it''s'"),
    {
      kind: 'select',
      view: 'columns',
      projection: ['table_name', 'data_type'],
      conditions: [{ column: 'table_name', value: "it's" }],
    },
  );
});

test('anything else is not recognised and runs as ordinary SQL', () => {
  for (const sql of [
    'SELECT * FROM cpu',
    'SHOW TABLES; SELECT 1',
    'SHOW COLUMNS FROM other.cpu',
    'SELECT * FROM information_schema.views',
    "SELECT * FROM information_schema.columns WHERE table_name <> 'cpu'",
    'SELECT * FROM information_schema.tables ORDER BY table_name',
    "SELECT * FROM information_schema.tables WHERE table_name = 'unterminated",
    'SHOW ALL',
  ]) {
    assert.equal(recogniseSchemaStatement(sql), undefined, sql);
  }
});

test('a null never equals a condition value, and positions count from 0 in name order', () => {
  const schema = [{ name: 'm', tags: ['b'], fields: [{ name: 'a', type: 'float' as const }] }];
  const all = schemaStatementResult(
    { kind: 'select', view: 'columns', projection: ['column_name', 'ordinal_position'], conditions: [] },
    schema,
  );
  assert.deepEqual(all.rows, [
    ['a', 0],
    ['b', 1],
    ['time', 2],
  ]);
  const none = schemaStatementResult(
    {
      kind: 'select',
      view: 'columns',
      projection: undefined,
      conditions: [{ column: 'column_default', value: 'null' }],
    },
    schema,
  );
  assert.deepEqual(none.rows, []);
});
