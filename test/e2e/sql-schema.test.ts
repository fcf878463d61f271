import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

let server: ServerProcess;
let reader: string;
let writer: string;

type Row = Record<string, unknown>;

const sqlPath = (sql: string, format = 'json') =>
  `/api/v3/query_sql?db=sensors&format=${format}&q=${encodeURIComponent(sql)}`;

async function issue(admin: string, name: string, actions: string[]): Promise<string> {
  const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: admin,
    json: { token_name: name, permissions: [{ resource_type: 'db', resource_names: ['sensors'], actions }] },
  });
  assert.equal(issued.status, 201);
  return issued.body.token;
}

before(async () => {
  server = await startServerProcess();
  const admin = await bootstrap(server.url);
  const lines = [
    'cpu,host=a,region=eu usage=0.5,count=1i,ok=true,note="x" 1732500000000000000',
    'mem,host=a free=7u 1732500000000000000',
  ];
  const write = await call(server.url, 'POST', '/api/v3/write_lp?db=sensors', { token: admin, body: lines.join('\n') });
  assert.equal(write.status, 204);
  reader = await issue(admin, 'schema-reader', ['read']);
  writer = await issue(admin, 'schema-writer', ['write']);
});
after(() => server.dispose());

const tableRow = (schema: string, name: string, type: string) => ({
  table_catalog: 'public',
  table_schema: schema,
  table_name: name,
  table_type: type,
});

const expectedTables = [
  tableRow('iox', 'cpu', 'BASE TABLE'),
  tableRow('iox', 'mem', 'BASE TABLE'),
  tableRow('information_schema', 'tables', 'VIEW'),
  tableRow('information_schema', 'columns', 'VIEW'),
];

test('SHOW TABLES lists the measurements in schema iox and the information_schema views, in json and csv', async () => {
  const json = await call<Row[]>(server.url, 'GET', sqlPath('SHOW TABLES'), { token: reader });
  assert.equal(json.status, 200, json.text);
  assert.deepEqual(json.body, expectedTables);
  const csv = await call(server.url, 'GET', sqlPath('show tables;', 'csv'), { token: reader });
  assert.equal(csv.status, 200);
  assert.deepEqual(csv.text.trim().split('\n'), [
    'table_catalog,table_schema,table_name,table_type',
    'public,iox,cpu,BASE TABLE',
    'public,iox,mem,BASE TABLE',
    'public,information_schema,tables,VIEW',
    'public,information_schema,columns,VIEW',
  ]);
});

test('SELECT * FROM information_schema.tables answers the same rows', async () => {
  const json = await call<Row[]>(server.url, 'POST', '/api/v3/query_sql', {
    token: reader,
    json: { db: 'sensors', q: 'SELECT * FROM information_schema.tables' },
  });
  assert.equal(json.status, 200, json.text);
  assert.deepEqual(json.body, expectedTables);
  const csv = await call(
    server.url,
    'GET',
    sqlPath("SELECT table_name FROM information_schema.tables WHERE table_schema = 'iox'", 'csv'),
    {
      token: reader,
    },
  );
  assert.deepEqual(csv.text.trim().split('\n'), ['table_name', 'cpu', 'mem']);
});

test('SHOW COLUMNS FROM cpu gives each column its InfluxDB 3 Arrow type, in json and csv', async () => {
  const json = await call<Row[]>(server.url, 'GET', sqlPath('SHOW COLUMNS FROM cpu'), { token: reader });
  assert.equal(json.status, 200, json.text);
  const column = (name: string, type: string, nullable = 'YES') => ({
    table_catalog: 'public',
    table_schema: 'iox',
    table_name: 'cpu',
    column_name: name,
    data_type: type,
    is_nullable: nullable,
  });
  assert.deepEqual(json.body, [
    column('count', 'Int64'),
    column('host', 'Dictionary(Int32, Utf8)'),
    column('note', 'Utf8'),
    column('ok', 'Boolean'),
    column('region', 'Dictionary(Int32, Utf8)'),
    column('time', 'Timestamp(Nanosecond, None)', 'NO'),
    column('usage', 'Float64'),
  ]);
  const csv = await call(server.url, 'GET', sqlPath('SHOW COLUMNS FROM "mem"', 'csv'), { token: reader });
  assert.equal(csv.status, 200);
  assert.deepEqual(csv.text.trim().split('\n'), [
    'table_catalog,table_schema,table_name,column_name,data_type,is_nullable',
    'public,iox,mem,free,UInt64,YES',
    'public,iox,mem,host,"Dictionary(Int32, Utf8)",YES',
    'public,iox,mem,time,"Timestamp(Nanosecond, None)",NO',
  ]);
  const missing = await call<{ error: string }>(server.url, 'GET', sqlPath('SHOW COLUMNS FROM disk'), {
    token: reader,
  });
  assert.equal(missing.status, 400);
  assert.match(missing.text, /table 'disk' not found/);
});

test("SELECT * FROM information_schema.columns WHERE table_name = 'cpu' has DataFusion's columns", async () => {
  const json = await call<Row[]>(
    server.url,
    'GET',
    sqlPath("SELECT * FROM information_schema.columns WHERE table_name = 'cpu'"),
    { token: reader },
  );
  assert.equal(json.status, 200, json.text);
  assert.equal(json.body.length, 7);
  assert.deepEqual(Object.keys(json.body[0]!), [
    'table_catalog',
    'table_schema',
    'table_name',
    'column_name',
    'ordinal_position',
    'column_default',
    'is_nullable',
    'data_type',
    'character_maximum_length',
    'character_octet_length',
    'numeric_precision',
    'numeric_precision_radix',
    'numeric_scale',
    'datetime_precision',
    'interval_type',
  ]);
  const usage = json.body.find((row) => row.column_name === 'usage');
  assert.equal(usage?.ordinal_position, 6);
  assert.equal(usage?.numeric_precision, 24);
  assert.equal(json.body.find((row) => row.column_name === 'note')?.character_octet_length, 2147483647);
  const csv = await call(
    server.url,
    'GET',
    sqlPath(
      "select column_name, data_type from INFORMATION_SCHEMA.COLUMNS where table_name = 'mem' and column_name = 'free'",
      'csv',
    ),
    { token: reader },
  );
  assert.deepEqual(csv.text.trim().split('\n'), ['column_name,data_type', 'free,UInt64']);
  const wrong = await call(server.url, 'GET', sqlPath("SELECT * FROM information_schema.columns WHERE nope = 'x'"), {
    token: reader,
  });
  assert.equal(wrong.status, 400);
  assert.match(wrong.text, /column 'nope' is not in information_schema.columns/);
});

test('jsonl, pretty and parquet carry schema answers too', async () => {
  const jsonl = await call(server.url, 'GET', sqlPath('SHOW TABLES', 'jsonl'), { token: reader });
  assert.deepEqual(
    jsonl.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
    expectedTables,
  );
  const pretty = await call(server.url, 'GET', sqlPath('SHOW COLUMNS FROM mem', 'pretty'), { token: reader });
  assert.match(pretty.text, /\| public +\| iox +\| mem +\| free +\| UInt64 +\| YES +\|/);
  const parquet = await fetch(`${server.url}${sqlPath('SHOW TABLES', 'parquet')}`, {
    headers: { authorization: `Bearer ${reader}` },
  });
  assert.equal(parquet.status, 200);
  const bytes = Buffer.from(await parquet.arrayBuffer());
  assert.equal(bytes.subarray(0, 4).toString(), 'PAR1');
});

test('a database token without read is refused every schema statement', async () => {
  for (const sql of ['SHOW TABLES', 'SHOW COLUMNS FROM cpu', 'SELECT * FROM information_schema.tables']) {
    const refused = await call(server.url, 'GET', sqlPath(sql), { token: writer });
    assert.equal(refused.status, 403, sql);
    assert.doesNotMatch(refused.text, /cpu|BASE TABLE/, sql);
  }
});
