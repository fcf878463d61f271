/**
 * The database lifecycle in the service, against a real (in-memory SQLite) catalog and real DuckDB
 * files, on a clock the test moves: create with limits, update, rename, soft delete, undelete within
 * the recovery window, purge after it, and the limits enforced on write.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AuditRecord, Catalog } from '../../src/catalog/catalog.ts';
import { openCatalog } from '../../src/catalog/open-catalog.ts';
import { FluxgateError } from '../../src/domain/errors.ts';
import { Authority, dbActionBits } from '../../src/domain/permissions.ts';
import { ADMIN_AUTHORITY, type Principal, type Role, systemPrincipal } from '../../src/domain/principal.ts';
import type { TokenKind } from '../../src/domain/token-format.ts';
import { CatalogAttemptLog } from '../../src/services/audit.ts';
import { Authorizer } from '../../src/services/authorize.ts';
import { DatabaseDirectory } from '../../src/services/database-directory.ts';
import { DatabaseService } from '../../src/services/database-service.ts';
import { WriteService } from '../../src/services/write-service.ts';
import { DuckDbStorage } from '../../src/storage/duckdb/duckdb-storage.ts';

const DAY = 86_400_000;
const WRITE = dbActionBits('write');

function principal(kind: TokenKind, role: Role | null, authority = new Authority([])): Principal {
  return {
    kind: 'token',
    tokenId: 5,
    tokenKind: kind,
    role,
    name: `${role ?? kind}-token`,
    authority,
    expiresAt: Number.POSITIVE_INFINITY,
    sourceIp: '10.0.0.9',
  };
}

const ADMIN = principal('admin', null, ADMIN_AUTHORITY);
const MEMBER = principal('management', 'member');
const SERVER = systemPrincipal('recovery-window');

describe('DatabaseService lifecycle', () => {
  let catalog: Catalog;
  let storage: DuckDbStorage;
  let directory: DatabaseDirectory;
  let databases: DatabaseService;
  let writes: WriteService;
  let dir: string;
  let clock = Date.parse('2026-03-01T00:00:00Z');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fluxgate-dbsvc-'));
    catalog = await openCatalog({ kind: 'sqlite', file: ':memory:' });
    storage = new DuckDbStorage(dir);
    directory = new DatabaseDirectory();
    const now = () => clock;
    const authorizer = new Authorizer(new CatalogAttemptLog(catalog, (e) => assert.fail(String(e))), now);
    databases = new DatabaseService({
      catalog,
      directory,
      storage,
      authorizer,
      now,
      defaults: { maxTables: 500, maxColumnsPerTable: 250 },
      recoveryWindowMs: 7 * DAY,
    });
    writes = new WriteService({
      directory,
      databases,
      storage,
      nowNs: () => BigInt(clock) * 1_000_000n,
      server: systemPrincipal('create-on-write'),
    });
  });
  after(async () => {
    await storage.close();
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rejection = async (promise: Promise<unknown>, code: string, message?: RegExp): Promise<FluxgateError> => {
    let caught: unknown;
    await promise.catch((error: unknown) => {
      caught = error;
    });
    assert.ok(caught instanceof FluxgateError, `expected ${code}, got ${String(caught)}`);
    assert.equal(caught.code, code, caught.message);
    if (message) assert.match(caught.message, message);
    return caught;
  };
  const newest = async (): Promise<AuditRecord> => {
    const [record] = await catalog.listAudit({ limit: 1 });
    assert.ok(record);
    return record;
  };
  const write = (db: string, lines: string) =>
    writes.write(ADMIN, { database: db, body: Buffer.from(lines), precision: 'ns', acceptPartial: true });
  const rows = async (name: string, sql: string) => {
    const record = directory.byNameOf(name);
    assert.ok(record, `database ${name} is live`);
    return (
      await storage.query(
        { id: record.id, name, limits: { maxTables: 1, maxColumnsPerTable: 1, retentionPeriodMs: null } },
        sql,
      )
    ).rows;
  };

  test('create: the defaults (500 tables, 250 columns) for absent or 0 limits, retention kept in ms', async () => {
    const a = await databases.createDatabase(ADMIN, { name: 'alpha' });
    assert.equal(a.maxTables, 500);
    assert.equal(a.maxColumnsPerTable, 250);
    assert.equal(a.retentionPeriodMs, null);
    assert.equal(a.status, 'active');
    assert.equal(a.deletedAt, null);
    const b = await databases.createDatabase(ADMIN, {
      name: 'beta',
      maxTables: 0,
      maxColumnsPerTable: 12,
      retentionPeriodMs: 30 * DAY,
    });
    assert.deepEqual([b.maxTables, b.maxColumnsPerTable, b.retentionPeriodMs], [500, 12, 30 * DAY]);
  });

  test('create refuses bad limits and names, naming the field the face uses', async () => {
    const error = await rejection(databases.createDatabase(ADMIN, { name: 'x1', maxTables: -1 }), 'INVALID_INPUT');
    assert.equal(error.details.field, 'max_tables');
    const v0 = {
      target: 'databaseName',
      name: 'name',
      maxTables: 'maxTables',
      maxColumnsPerTable: 'maxColumnsPerTable',
      retentionPeriod: 'retentionPeriod',
    };
    const camel = await rejection(
      databases.createDatabase(ADMIN, { name: 'x1', maxColumnsPerTable: 1.5 }, v0),
      'INVALID_INPUT',
    );
    assert.equal(camel.details.field, 'maxColumnsPerTable');
    for (const name of ['.', '..', 'CON', 'nul', 'com1', 'LPT9.log', '_hidden', 'a/b', 'x'.repeat(65)]) {
      const refused = await rejection(databases.createDatabase(ADMIN, { name }, v0), 'INVALID_NAME');
      assert.equal(refused.details.field, 'name');
    }
    assert.equal((await newest()).outcome, 'failed');
    assert.equal(directory.byNameOf('x1'), undefined);
    // A retention period as the face received it is parsed here, so a bad one is audited like the rest.
    const retention = await rejection(
      databases.createDatabase(ADMIN, { name: 'x2', retentionPeriod: { text: '30 d', syntax: 'influxctl' } }, v0),
      'INVALID_INPUT',
      /'30 d' is not a retention period/,
    );
    assert.equal(retention.details.field, 'retentionPeriod');
    const audited = await newest();
    assert.deepEqual([audited.action, audited.targetName, audited.outcome], ['database.create', 'x2', 'failed']);
  });

  test('update changes only what is given; nothing given, an unknown name or a Member is refused', async () => {
    const updated = await databases.updateDatabase(ADMIN, 'beta', { maxTables: 7 });
    assert.deepEqual([updated.maxTables, updated.maxColumnsPerTable, updated.retentionPeriodMs], [7, 12, 30 * DAY]);
    const cleared = await databases.updateDatabase(ADMIN, 'beta', { retentionPeriodMs: null, maxColumnsPerTable: 0 });
    assert.deepEqual([cleared.maxTables, cleared.maxColumnsPerTable, cleared.retentionPeriodMs], [7, 250, null]);
    const record = await newest();
    assert.deepEqual(
      [record.action, record.targetName, record.details],
      ['database.update', 'beta', { retentionPeriodMs: null, maxColumnsPerTable: 250 }],
    );
    await rejection(databases.updateDatabase(ADMIN, 'beta', {}), 'INVALID_INPUT', /at least one of max_tables/);
    await rejection(databases.updateDatabase(ADMIN, 'nosuch', { maxTables: 1 }), 'DATABASE_NOT_FOUND');
    await rejection(
      databases.updateDatabase(MEMBER, 'beta', { maxTables: 1 }),
      'PERMISSION_DENIED',
      /role member\) may not change databases 'beta'/,
    );
    assert.equal((await newest()).outcome, 'denied');
    assert.equal(directory.byNameOf('beta')?.maxTables, 7);
  });

  test('limits are enforced on write, naming the limit, and follow an update at once', async () => {
    await databases.createDatabase(ADMIN, { name: 'tight', maxTables: 1, maxColumnsPerTable: 3 });
    const first = await write('tight', 'cpu,host=a usage=1 1\nmem used=2 2\ncpu,host=a,zone=z usage=3,idle=4 3');
    assert.equal(first.written, 1);
    assert.deepEqual(
      first.errors.map((e) => [e.lineNumber, e.message]),
      [
        [2, "table limit exceeded: the database allows at most 1 tables and measurement 'mem' would add one"],
        [
          3,
          "column limit exceeded: table 'cpu' may have at most 3 columns (time, tags and fields) and this point needs 5",
        ],
      ],
    );
    await databases.updateDatabase(ADMIN, 'tight', { maxTables: 2, maxColumnsPerTable: 5 });
    const second = await write('tight', 'mem used=2 2\ncpu,host=a,zone=z usage=3,idle=4 3');
    assert.deepEqual([second.written, second.errors], [2, []]);
  });

  test('rename keeps the id and the data; the old name is free, a taken or identical name is refused', async () => {
    await write('alpha', 'weather temp=21.5 1000');
    const before = directory.byNameOf('alpha');
    const renamed = await databases.renameDatabase(ADMIN, 'alpha', 'gamma');
    assert.equal(renamed.id, before?.id);
    assert.equal(renamed.name, 'gamma');
    assert.equal(directory.byNameOf('alpha'), undefined);
    assert.deepEqual(await rows('gamma', 'SELECT temp FROM weather'), [[21.5]]);
    const record = await newest();
    assert.deepEqual(
      [record.action, record.targetId, record.details],
      ['database.rename', renamed.id, { from: 'alpha', to: 'gamma' }],
    );
    await rejection(databases.renameDatabase(ADMIN, 'gamma', 'beta'), 'DATABASE_EXISTS', /'beta' already exists/);
    await rejection(databases.renameDatabase(ADMIN, 'gamma', 'gamma'), 'DATABASE_EXISTS');
    await rejection(databases.renameDatabase(ADMIN, 'gamma', 'CON'), 'INVALID_NAME');
    await rejection(databases.renameDatabase(ADMIN, 'alpha', 'delta'), 'DATABASE_NOT_FOUND');
    await rejection(databases.renameDatabase(MEMBER, 'gamma', 'delta'), 'PERMISSION_DENIED');
    assert.equal(directory.byNameOf('gamma')?.id, before?.id);
  });

  test('delete is soft: writes stop at once, the name is free, the files stay; undelete brings data back', async () => {
    const live = directory.byNameOf('gamma');
    assert.ok(live);
    const deleted = await databases.deleteDatabase(ADMIN, 'gamma');
    assert.equal(deleted.status, 'deleted');
    assert.equal(deleted.deletedAt, clock);
    assert.equal(deleted.purgeAt, clock + 7 * DAY);
    // A writer holding db:<id>:write is refused (an admin's write would create a new 'gamma').
    const writer = principal('database', null, new Authority([{ type: 'db', databases: [live.id], actions: WRITE }]));
    const refused = writes.write(writer, {
      database: 'gamma',
      body: Buffer.from('weather temp=1 2000'),
      precision: 'ns',
      acceptPartial: true,
    });
    await rejection(refused, 'DATABASE_NOT_FOUND');
    assert.ok(existsSync(storage.databaseFile(live.id)), 'the files are kept');
    assert.deepEqual(
      (await databases.listDatabases(ADMIN)).map((db) => db.name),
      ['beta', 'tight'],
    );
    const listed = await databases.listDatabases(ADMIN, 'deleted');
    assert.deepEqual(
      listed.map((db) => [db.id, db.name, db.status, db.purgeAt]),
      [[live.id, 'gamma', 'deleted', clock + 7 * DAY]],
    );
    clock += 6 * DAY;
    const back = await databases.undeleteDatabase(ADMIN, live.id);
    assert.deepEqual([back.id, back.name, back.status, back.deletedAt], [live.id, 'gamma', 'active', null]);
    assert.deepEqual(await rows('gamma', 'SELECT temp FROM weather'), [[21.5]]);
    const accepted = await writes.write(writer, {
      database: 'gamma',
      body: Buffer.from('weather temp=22 2000'),
      precision: 'ns',
      acceptPartial: true,
    });
    assert.equal(accepted.written, 1);
    assert.equal((await newest()).action, 'database.undelete');
  });

  test('undelete: 409 while live or when the name was retaken, 404 for an unknown id or after the window', async () => {
    const gamma = directory.byNameOf('gamma');
    assert.ok(gamma);
    await rejection(databases.undeleteDatabase(ADMIN, gamma.id), 'DATABASE_EXISTS', /is not deleted/);
    await databases.deleteDatabase(ADMIN, 'gamma');
    const usurper = await databases.createDatabase(ADMIN, { name: 'gamma' });
    assert.notEqual(usurper.id, gamma.id);
    await rejection(databases.undeleteDatabase(ADMIN, gamma.id), 'DATABASE_EXISTS', /has taken the name/);
    await rejection(databases.undeleteDatabase(MEMBER, gamma.id), 'PERMISSION_DENIED');
    await rejection(databases.undeleteDatabase(ADMIN, 424_242), 'DATABASE_NOT_FOUND', /no database has the id 424242/);
    clock += 7 * DAY;
    await rejection(databases.undeleteDatabase(ADMIN, gamma.id), 'DATABASE_NOT_FOUND', /recovery window ended/);
    assert.deepEqual(await databases.listDatabases(ADMIN, 'deleted'), [], 'past its window it is no longer listed');
  });

  test('undelete past --max-databases is refused by the catalog even when this node has not seen the others', async () => {
    const deleted = await databases.createDatabase(ADMIN, { name: 'undelete-limit' });
    await databases.deleteDatabase(ADMIN, 'undelete-limit');
    const live = (await catalog.listDatabases()).length;
    // A second node on the same catalog whose own list of databases is empty (it has seen none yet).
    const now = () => clock;
    const other = new DatabaseService({
      catalog,
      directory: new DatabaseDirectory(),
      storage,
      authorizer: new Authorizer(new CatalogAttemptLog(catalog, (e) => assert.fail(String(e))), now),
      now,
      defaults: { maxTables: 500, maxColumnsPerTable: 250 },
      recoveryWindowMs: 7 * DAY,
      maxDatabases: live,
    });
    await rejection(
      other.undeleteDatabase(ADMIN, deleted.id),
      'DATABASE_LIMIT_REACHED',
      new RegExp(
        `cannot undelete database 'undelete-limit': this server holds at most ${live} databases \\(--max-databases\\)`,
      ),
    );
    assert.equal((await catalog.getDatabase(deleted.id))?.deletedAt, clock, 'it stays deleted');
    assert.equal((await catalog.listDatabases()).length, live);
  });

  test('purgeExpired removes the files once the window ended, audits it as the server, and only once', async () => {
    const gamma = directory.deleted().find((db) => db.name === 'gamma' && db.purgedAt === null);
    assert.ok(gamma);
    assert.ok(existsSync(storage.databaseFile(gamma.id)));
    await databases.deleteDatabase(ADMIN, 'beta');
    const beta = directory.deleted().find((db) => db.name === 'beta');
    assert.ok(beta);
    assert.equal(await databases.purgeExpired(SERVER), 1, 'beta is still inside its window');
    assert.equal(existsSync(storage.databaseFile(gamma.id)), false, 'the files are gone');
    const record = await newest();
    assert.deepEqual(
      [record.action, record.actorName, record.targetId, record.outcome],
      ['database.purge', 'recovery-window', gamma.id, 'ok'],
    );
    assert.notEqual((await catalog.getDatabase(gamma.id))?.purgedAt, null);
    assert.equal(await databases.purgeExpired(SERVER), 0);
    await rejection(databases.undeleteDatabase(ADMIN, gamma.id), 'DATABASE_NOT_FOUND', /its files are gone/);
    // The live database that took the name is untouched.
    assert.ok(directory.byNameOf('gamma'));
  });
});
