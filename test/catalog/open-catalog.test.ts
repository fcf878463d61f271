import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { catalogSpecFrom, openCatalog } from '../../src/catalog/open-catalog.ts';
import { FluxgateError } from '../../src/domain/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'fluxgate-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('catalogSpecFrom picks PostgreSQL for postgres:// and postgresql:// URLs', () => {
  for (const url of ['postgres://u@db:5432/fluxgate', 'postgresql://db/fluxgate?sslmode=require', 'POSTGRES://db/x']) {
    assert.deepEqual(catalogSpecFrom(url, dir), { kind: 'postgres', url });
  }
});

test('catalogSpecFrom defaults to <dataDir>/catalog.sqlite and creates the directory', () => {
  const dataDir = join(dir, 'data', 'deeper');
  assert.deepEqual(catalogSpecFrom(undefined, dataDir), { kind: 'sqlite', file: join(dataDir, 'catalog.sqlite') });
  assert.ok(existsSync(dataDir));
  assert.deepEqual(catalogSpecFrom('', dataDir), { kind: 'sqlite', file: join(dataDir, 'catalog.sqlite') });
});

test('catalogSpecFrom takes any other value as a SQLite file path', () => {
  const file = join(dir, 'elsewhere', 'my.db');
  assert.deepEqual(catalogSpecFrom(file, join(dir, 'unused')), { kind: 'sqlite', file });
  assert.ok(existsSync(join(dir, 'elsewhere')));
  assert.ok(!existsSync(join(dir, 'unused')));
});

test('catalogSpecFrom refuses URLs of other databases rather than taking them for file names', () => {
  assert.throws(
    () => catalogSpecFrom('mysql://user:pw@db/x', dir),
    (error: unknown) =>
      error instanceof FluxgateError && error.code === 'INVALID_INPUT' && !error.message.includes('pw'),
  );
});

test('openCatalog opens a ready SQLite catalog, creating missing directories', async () => {
  const catalog = await openCatalog({ kind: 'sqlite', file: join(dir, 'a', 'b', 'catalog.sqlite') });
  try {
    assert.equal(catalog.dialect, 'sqlite');
    assert.deepEqual(await catalog.listDatabases(), []);
    assert.equal(await catalog.latestVersion(), 0);
  } finally {
    await catalog.close();
  }
});

test('openCatalog fails clearly when PostgreSQL cannot be reached', async () => {
  await assert.rejects(openCatalog({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' }), /ECONNREFUSED/);
});
