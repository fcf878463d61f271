import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ConfinementScope, confineStatement } from '../../src/influxql/confinement.ts';
import { outsideInfluxql3 } from '../../src/influxql/errors.ts';
import { parseQuery } from '../../src/influxql/parser.ts';

const scope: ConfinementScope = {
  defaultDatabase: 'metrics',
  readable: new Map([
    ['metrics', 'fg_7_metrics'],
    ['weird"db', 'fg_9_weird'],
  ]),
};

function confine(text: string, over: Partial<ConfinementScope> = {}) {
  const parsed = parseQuery(text);
  assert.equal(parsed.length, 1);
  return confineStatement(parsed[0]!.statement, { ...scope, ...over });
}

function upstreamText(text: string, over: Partial<ConfinementScope> = {}): string {
  const confined = confine(text, over);
  assert.equal(confined.kind, 'upstream');
  return confined.kind === 'upstream' ? confined.text : '';
}

function refusal(text: string, over: Partial<ConfinementScope> = {}): { code: string; message: string } {
  try {
    confine(text, over);
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  assert.fail(`expected ${text} to be refused`);
}

describe('InfluxQL confinement to one upstream database', () => {
  test('every measurement form names the upstream database, retention policy dropped', () => {
    assert.equal(upstreamText('SELECT v FROM cpu'), 'SELECT "v" FROM "fg_7_metrics".."cpu"');
    assert.equal(upstreamText('SELECT v FROM autogen.cpu'), 'SELECT "v" FROM "fg_7_metrics".."cpu"');
    assert.equal(upstreamText('SELECT v FROM metrics..cpu'), 'SELECT "v" FROM "fg_7_metrics".."cpu"');
    assert.equal(upstreamText('SELECT v FROM metrics.autogen.cpu'), 'SELECT "v" FROM "fg_7_metrics".."cpu"');
    assert.equal(
      upstreamText('SELECT v FROM /c.*/, metrics../m/'),
      'SELECT "v" FROM "fg_7_metrics"../c.*/, "fg_7_metrics"../m/',
    );
    assert.equal(
      upstreamText('SELECT max(m) FROM (SELECT mean(v) AS m FROM rp.cpu GROUP BY time(1m)) WHERE time > 0'),
      'SELECT max("m") FROM (SELECT mean("v") AS "m" FROM "fg_7_metrics".."cpu" GROUP BY time(1m)) WHERE "time" > 0',
    );
    assert.equal(upstreamText('EXPLAIN SELECT v FROM cpu'), 'EXPLAIN SELECT "v" FROM "fg_7_metrics".."cpu"');
  });

  test('the database a statement names wins over the request default, and is mapped', () => {
    const confined = confine('SELECT v FROM "weird\\"db"..cpu', { defaultDatabase: '' });
    assert.equal(confined.kind, 'upstream');
    if (confined.kind !== 'upstream') return;
    assert.equal(confined.database, 'weird"db');
    assert.equal(confined.upstreamDatabase, 'fg_9_weird');
    assert.equal(confined.text, 'SELECT "v" FROM "fg_9_weird".."cpu"');
  });

  test('SHOW statements get ON <upstream> and their sources the upstream database', () => {
    assert.equal(upstreamText('SHOW MEASUREMENTS'), 'SHOW MEASUREMENTS ON "fg_7_metrics"');
    assert.equal(
      upstreamText('SHOW MEASUREMENTS ON metrics WITH MEASUREMENT =~ /c/ LIMIT 2'),
      'SHOW MEASUREMENTS ON "fg_7_metrics" WITH MEASUREMENT =~ /c/ LIMIT 2',
    );
    assert.equal(upstreamText('SHOW TAG KEYS FROM cpu'), 'SHOW TAG KEYS ON "fg_7_metrics" FROM "fg_7_metrics".."cpu"');
    assert.equal(
      upstreamText("SHOW TAG VALUES FROM metrics..cpu WITH KEY = host WHERE region = 'eu'"),
      'SHOW TAG VALUES ON "fg_7_metrics" FROM "fg_7_metrics".."cpu" WITH KEY = "host" WHERE "region" = \'eu\'',
    );
    assert.equal(upstreamText('SHOW FIELD KEYS ON metrics'), 'SHOW FIELD KEYS ON "fg_7_metrics"');
    assert.equal(upstreamText('SHOW RETENTION POLICIES'), 'SHOW RETENTION POLICIES ON "fg_7_metrics"');
  });

  test('SHOW DATABASES stays with fluxgate, which lists from its catalog', () => {
    assert.equal(confine('SHOW DATABASES').kind, 'local');
  });

  test('a database the principal may not read is refused by name, whichever form names it', () => {
    for (const text of [
      'SELECT v FROM secret..cpu',
      'SELECT v FROM secret.autogen.cpu',
      'SELECT v FROM secret../.*/',
      'SELECT v FROM (SELECT v FROM secret..cpu)',
      'SHOW MEASUREMENTS ON secret',
      'SHOW TAG KEYS ON secret',
      'SHOW TAG KEYS FROM secret..cpu',
      'SHOW TAG VALUES ON secret WITH KEY = host',
      'SHOW FIELD KEYS FROM secret..cpu',
      'SHOW RETENTION POLICIES ON secret',
      'SELECT v FROM _internal..httpd',
      'SHOW MEASUREMENTS ON _internal',
    ]) {
      const { code, message } = refusal(text);
      assert.equal(code, 'QUERY_REJECTED', text);
      assert.match(message, /may not read database "(secret|_internal)"/, text);
    }
    assert.equal(refusal('SELECT v FROM cpu', { defaultDatabase: 'secret' }).code, 'QUERY_REJECTED');
  });

  test('two databases in one statement, or none at all, are refused', () => {
    const several = refusal('SELECT v FROM metrics..cpu, secret..cpu');
    assert.equal(several.code, 'INVALID_INPUT');
    assert.match(several.message, /metrics, secret/);
    assert.equal(refusal('SELECT v FROM (SELECT v FROM secret..a), metrics..b').code, 'INVALID_INPUT');
    for (const text of ['SHOW TAG KEYS ON metrics FROM secret..cpu', 'SHOW FIELD KEYS ON metrics FROM secret..cpu']) {
      const { code, message } = refusal(text);
      assert.equal(code, 'INVALID_INPUT', text);
      assert.match(message, /metrics, secret/, text);
    }
    assert.equal(refusal('SHOW TAG VALUES ON metrics FROM secret..cpu WITH KEY = host').code, 'INVALID_INPUT');
    const none = refusal('SELECT v FROM cpu', { defaultDatabase: '' });
    assert.equal(none.code, 'INVALID_INPUT');
    assert.match(none.message, /database name required/);
  });

  test('statements about users, server state, queries or schema changes are refused by name', () => {
    for (const [text, name] of [
      ['SHOW USERS', 'SHOW USERS'],
      ['SHOW GRANTS FOR admin', 'SHOW GRANTS'],
      ['SHOW STATS', 'SHOW STATS'],
      ['SHOW DIAGNOSTICS', 'SHOW DIAGNOSTICS'],
      ['SHOW QUERIES', 'SHOW QUERIES'],
      ['SHOW SHARDS', 'SHOW SHARDS'],
      ['SHOW SUBSCRIPTIONS', 'SHOW SUBSCRIPTIONS'],
      ['KILL QUERY 1', 'KILL QUERY'],
      ["CREATE USER x WITH PASSWORD 'y' WITH ALL PRIVILEGES", 'CREATE USER'],
      ['CREATE DATABASE other', 'CREATE DATABASE'],
      ['DROP DATABASE metrics', 'DROP DATABASE'],
      ['DROP MEASUREMENT cpu', 'DROP MEASUREMENT'],
      ['GRANT ALL TO x', 'GRANT'],
      ['REVOKE ALL FROM x', 'REVOKE'],
      ['ALTER RETENTION POLICY autogen ON metrics DURATION 1h', 'ALTER RETENTION POLICY'],
      ["SET PASSWORD FOR x = 'y'", 'SET PASSWORD'],
      ['DELETE FROM cpu', 'DELETE'],
      ['SELECT * INTO other..copy FROM cpu', 'SELECT INTO'],
      ['SHOW SERIES', 'SHOW SERIES'],
      [
        'CREATE CONTINUOUS QUERY cq ON metrics BEGIN SELECT mean(v) INTO x FROM cpu GROUP BY time(1m) END',
        'CREATE CONTINUOUS QUERY',
      ],
    ]) {
      const { code, message } = refusal(text!);
      assert.equal(code, 'QUERY_REJECTED', text);
      assert.equal(message, outsideInfluxql3(name!));
    }
  });

  test('a mapping to the upstream monitor database is refused even when granted', () => {
    const { code } = refusal('SELECT v FROM cpu', { readable: new Map([['metrics', '_internal']]) });
    assert.equal(code, 'QUERY_REJECTED');
  });

  test('the parsed statement is left as it was', () => {
    const [parsed] = parseQuery('SELECT v FROM rp.cpu');
    confineStatement(parsed!.statement, scope);
    const source = parsed!.statement.kind === 'select' ? parsed!.statement.sources[0] : undefined;
    assert.deepEqual(source?.kind === 'measurement' ? [source.database, source.retentionPolicy] : [], [
      undefined,
      'rp',
    ]);
  });
});
