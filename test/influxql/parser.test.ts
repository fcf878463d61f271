import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Expr, SelectStatement, Statement } from '../../src/influxql/ast.ts';
import { formatGoDuration, parseDurationNs } from '../../src/influxql/durations.ts';
import { parseQuery } from '../../src/influxql/parser.ts';

function one(text: string, params?: Record<string, unknown>): Statement {
  const parsed = parseQuery(text, params);
  assert.equal(parsed.length, 1, `one statement in ${text}`);
  return parsed[0]!.statement;
}

function select(text: string, params?: Record<string, unknown>): SelectStatement {
  const statement = one(text, params);
  assert.equal(statement.kind, 'select');
  return statement as SelectStatement;
}

/** An expression without positions, for comparing trees. */
function shape(expr: Expr | undefined): unknown {
  return JSON.parse(
    JSON.stringify(expr, (key, value) => (key === 'pos' ? undefined : typeof value === 'bigint' ? `${value}n` : value)),
  );
}

function parseError(text: string): string {
  try {
    parseQuery(text);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail(`expected ${text} not to parse`);
}

describe('InfluxQL parser: SELECT', () => {
  test('fields, aliases, FROM forms, WHERE, GROUP BY, fill, ORDER BY, LIMIT, OFFSET and tz', () => {
    const s = select(
      `SELECT mean("usage") AS m, max(usage) FROM "db"."rp"."cpu", db..mem, autogen.disk, /^net/
       WHERE time > now() - 1h AND host =~ /^a/ GROUP BY time(5m, 30s), host, /^reg/ fill(previous)
       ORDER BY time DESC LIMIT 10 OFFSET 2 tz('Europe/Paris')`,
    );
    assert.deepEqual(
      s.fields.map((f) => f.alias),
      ['m', undefined],
    );
    assert.deepEqual(
      s.sources.map((source) =>
        source.kind === 'measurement'
          ? [source.database, source.retentionPolicy, source.name ?? `/${source.regex}/`]
          : [],
      ),
      [
        ['db', 'rp', 'cpu'],
        ['db', undefined, 'mem'],
        [undefined, 'autogen', 'disk'],
        [undefined, undefined, '/^net/'],
      ],
    );
    assert.deepEqual(
      s.dimensions.map((d) =>
        d.kind === 'time' ? `time(${d.interval},${d.offset})` : d.kind === 'tag' ? d.name : d.kind,
      ),
      ['time(300000000000,30000000000)', 'host', 'regex'],
    );
    assert.deepEqual(s.fill, { kind: 'previous' });
    assert.equal(s.descending, true);
    assert.equal(s.limit, 10);
    assert.equal(s.offset, 2);
    assert.equal(s.timezone, 'Europe/Paris');
  });

  test('operator precedence: * before +, comparisons before AND before OR, left to right', () => {
    const s = select('SELECT a + b * c - d FROM m WHERE x = 1 OR y = 2 AND z = 3');
    assert.deepEqual(shape(s.fields[0]!.expr), {
      kind: 'binary',
      op: '-',
      lhs: {
        kind: 'binary',
        op: '+',
        lhs: { kind: 'var', name: 'a' },
        rhs: { kind: 'binary', op: '*', lhs: { kind: 'var', name: 'b' }, rhs: { kind: 'var', name: 'c' } },
      },
      rhs: { kind: 'var', name: 'd' },
    });
    const where = shape(s.condition) as { op: string; rhs: { op: string } };
    assert.equal(where.op, 'OR');
    assert.equal(where.rhs.op, 'AND');
  });

  test('literals: strings with escapes, integers, floats, durations, booleans, negative numbers', () => {
    const s = select(`SELECT v FROM m WHERE a = 'it\\'s' AND b = 12 AND c = 1.5 AND d = -3 AND e = true AND f > 90m`);
    const literals: unknown[] = [];
    const walk = (e: Expr) => {
      if (e.kind === 'binary') {
        if (e.op === 'AND') {
          walk(e.lhs);
          walk(e.rhs);
        } else literals.push(shape(e.rhs));
      }
    };
    walk(s.condition!);
    assert.deepEqual(literals, [
      { kind: 'string', value: "it's" },
      { kind: 'integer', value: '12n' },
      { kind: 'number', value: 1.5 },
      { kind: 'integer', value: '-3n' },
      { kind: 'boolean', value: true },
      { kind: 'duration', value: '5400000000000n' },
    ]);
  });

  test('casts, wildcards with types, DISTINCT without parentheses, quoted identifiers', () => {
    const s = select('SELECT "my field"::integer, host::tag, *::field, DISTINCT host, count(distinct(v)) FROM m');
    assert.deepEqual(
      s.fields.map((f) => shape(f.expr)),
      [
        { kind: 'var', name: 'my field', type: 'integer' },
        { kind: 'var', name: 'host', type: 'tag' },
        { kind: 'wildcard', type: 'field' },
        { kind: 'distinct', name: 'host' },
        { kind: 'call', name: 'count', args: [{ kind: 'call', name: 'distinct', args: [{ kind: 'var', name: 'v' }] }] },
      ],
    );
  });

  test('bound parameters become literals; a missing one is an error naming it', () => {
    const s = select('SELECT v FROM m WHERE host = $host AND v > $min AND ok = $flag', {
      host: 'a',
      min: 0.5,
      flag: true,
    });
    assert.match(JSON.stringify(shape(s.condition)), /"value":"a".*"value":0.5.*"value":true/);
    assert.match(
      parseErrorWith('SELECT v FROM m WHERE host = $host', {}),
      /Bind parameter '\$host' .* undefined at line 1, char 30/,
    );
  });

  test('subqueries, several statements, comments and case-insensitive keywords', () => {
    const parsed = parseQuery(
      'select max(m) from (SELECT mean(v) AS m FROM cpu GROUP BY time(1m)) -- outer\n; /* two */ show databases;',
    );
    assert.deepEqual(
      parsed.map((p) => p.statement.kind),
      ['select', 'show_databases'],
    );
    const outer = parsed[0]!.statement as SelectStatement;
    assert.equal(outer.sources[0]!.kind, 'subquery');
    assert.equal(parsed[0]!.text.startsWith('select max(m)'), true);
  });
});

describe('InfluxQL parser: SHOW and EXPLAIN', () => {
  test('every SHOW statement fluxgate runs, with their clauses', () => {
    assert.deepEqual(one('SHOW RETENTION POLICIES ON "db"'), {
      kind: 'show_retention_policies',
      database: 'db',
      pos: 0,
    });
    assert.deepEqual(one("SHOW MEASUREMENTS ON db WITH MEASUREMENT =~ /cpu.*/ WHERE host = 'a' LIMIT 5 OFFSET 1"), {
      kind: 'show_measurements',
      database: 'db',
      measurement: { op: '=~', regex: 'cpu.*' },
      condition: {
        kind: 'binary',
        op: '=',
        lhs: { kind: 'var', name: 'host', pos: 58 },
        rhs: { kind: 'string', value: 'a', pos: 65 },
        pos: 63,
      },
      limit: 5,
      offset: 1,
      pos: 0,
    });
    const tagValues = one('SHOW TAG VALUES FROM cpu WITH KEY IN ("host", region)') as Extract<
      Statement,
      { kind: 'show_tag_values' }
    >;
    assert.deepEqual(tagValues.key, { op: 'IN', names: ['host', 'region'] });
    assert.deepEqual((one('SHOW TAG VALUES WITH KEY !~ /^_/') as typeof tagValues).key, { op: '!~', regex: '^_' });
    assert.equal(one("SHOW TAG KEYS FROM cpu WHERE host = 'a'").kind, 'show_tag_keys');
    assert.equal(one('SHOW FIELD KEYS ON db FROM cpu').kind, 'show_field_keys');
    const explain = one('EXPLAIN ANALYZE SELECT v FROM m');
    assert.equal(explain.kind === 'explain' && explain.analyze, true);
  });

  test('statements InfluxDB 3 does not run parse into a statement that names them', () => {
    const names = parseQuery(
      "SHOW SERIES; CREATE DATABASE x WITH DURATION 1d; DROP MEASUREMENT cpu; DELETE FROM cpu WHERE time < now(); GRANT ALL TO bob; SELECT v INTO other FROM m; SHOW TAG VALUES CARDINALITY WITH KEY = host; CREATE USER u WITH PASSWORD 'p'",
    ).map((p) => (p.statement.kind === 'unsupported' ? p.statement.name : p.statement.kind));
    assert.deepEqual(names, [
      'SHOW SERIES',
      'CREATE DATABASE',
      'DROP MEASUREMENT',
      'DELETE',
      'GRANT',
      'SELECT INTO',
      'SHOW TAG VALUES CARDINALITY',
      'CREATE USER',
    ]);
  });
});

describe('InfluxQL parser: errors name the line and character', () => {
  const cases: Array<[string, RegExp]> = [
    ['SELECT FROM cpu', /^found FROM, expected identifier, string, number, bool at line 1, char 8$/],
    ['SELECT v cpu', /^found cpu, expected FROM at line 1, char 10$/],
    ['SELECT v FROM', /^found EOF, expected identifier at line 1, char 14$/],
    ['SELECT v FROM m WHERE', /^found EOF, expected identifier, string, number, bool at line 1, char 22$/],
    ["SELECT v FROM m\nWHERE v = 'open", /^found unterminated string at line 2, char 11$/],
    [
      'show',
      /^found EOF, expected DATABASES, FIELD KEYS, MEASUREMENTS, RETENTION POLICIES, TAG KEYS, TAG VALUES at line 1, char 5$/,
    ],
    ['show tags', /^found tags, expected DATABASES/],
    ['SELECT v FROM m WHERE host =~ /[/', /^invalid regex \/\[\/: .* at line 1, char 31$/],
    ['SELECT v FROM m GROUP BY time(0s)', /time dimension must have a positive duration/],
    ['SELECT v FROM m ORDER BY host', /^only ORDER BY time supported at this time at line 1, char 26$/],
    ['SELECT v FROM m LIMIT -1', /^found -, expected integer at line 1, char 23$/],
    ['SELECT v FROM m SLIMIT 1', /^SLIMIT is not supported/],
    ["SELECT v FROM m tz('Mars/Olympus')", /^unable to find time zone Mars\/Olympus at line 1, char 20$/],
    [
      'SELECT v > 1 FROM m',
      /^invalid operator > in SELECT clause at line 1, char 8; operator is intended for WHERE clause$/,
    ],
    ['SELECT v FROM m fill(maybe)', /^expected number argument in fill\(\)/],
    ['SELECT v FROM m SELECT w FROM n', /^found SELECT, expected ; at line 1, char 17$/],
    ['FROBNICATE', /^found FROBNICATE, expected SELECT, DELETE, SHOW/],
    ["SELECT v FROM m WHERE name = 'x'", /^found NAME, expected identifier, string, number, bool at line 1, char 23$/],
  ];
  for (const [text, expected] of cases) {
    test(text.replace(/\n/g, '\\n'), () => assert.match(parseError(text), expected));
  }
});

describe('InfluxQL durations', () => {
  test('units from ns to weeks, combined, and Go duration text', () => {
    assert.equal(parseDurationNs('1ns'), 1n);
    assert.equal(parseDurationNs('2u'), 2_000n);
    assert.equal(parseDurationNs('2µ'), 2_000n);
    assert.equal(parseDurationNs('3ms'), 3_000_000n);
    assert.equal(parseDurationNs('1h30m'), 5_400_000_000_000n);
    assert.equal(parseDurationNs('1w'), 604_800_000_000_000n);
    assert.equal(parseDurationNs('1x'), undefined);
    assert.equal(formatGoDuration(0n), '0s');
    assert.equal(formatGoDuration(604_800_000_000_000n), '168h0m0s');
    assert.equal(formatGoDuration(90_500_000_000n), '1m30.5s');
    assert.equal(formatGoDuration(1_500_000n), '1.5ms');
  });
});

function parseErrorWith(text: string, params: Record<string, unknown>): string {
  try {
    parseQuery(text, params);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail(`expected ${text} not to parse`);
}

test('a type cast to an Object.prototype name is refused, not taken as a type', () => {
  for (const name of ['constructor', 'toString', '__proto__']) {
    assert.throws(() => parseQuery(`SELECT x::${name} FROM m`), /expected|float/i, name);
  }
});
