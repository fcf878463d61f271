import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { openCatalog } from '../../src/catalog/open-catalog.ts';
import { CHANGE_FEED_LOCK } from '../../src/catalog/postgres/change-feed.ts';
import { WATCHER_APPLICATION_NAME } from '../../src/catalog/postgres/change-watcher.ts';
import { ScratchDatabase, withAdmin } from '../helpers/postgres.ts';
import { catalogContract } from './catalog-contract.ts';
import { audit, delay, eventually, newToken, uniqueHash } from './contract/fixtures.ts';

// Outside the suite, so an unreachable server is a failed test, not only cancelled ones.
test('PostgreSQL answers for the catalog suite', async () => {
  const version = await withAdmin((admin) => admin.query('show server_version_num'));
  assert.ok(Number(version.rows[0]?.server_version_num) >= 130000, 'PostgreSQL 13 or later is needed');
});

describe('postgres catalog', () => {
  const scratch = new ScratchDatabase();
  const open = async () => {
    await scratch.ensure();
    return openCatalog({ kind: 'postgres', url: scratch.url });
  };

  catalogContract(
    {
      open,
      query: (sql) => scratch.query(sql),
      cleanup: () => scratch.drop(),
    },
    'postgres',
  );

  test('the LISTEN connection comes back after being killed, and reports the gap as a change', async () => {
    const writer = await open();
    const follower = await open();
    try {
      let heard = 0;
      follower.onChange(() => {
        heard += 1;
      });
      const listeners = async () =>
        Number(
          (
            await scratch.query(
              `select count(*) as n from pg_stat_activity
               where datname = current_database() and application_name = '${WATCHER_APPLICATION_NAME}'`,
            )
          )[0]?.n,
        );
      const running = await listeners();
      assert.ok(running >= 2);
      await scratch.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and application_name = '${WATCHER_APPLICATION_NAME}'`,
      );
      await eventually(() => heard > 0);
      await eventually(async () => (await listeners()) === running);
      heard = 0;
      await writer.createToken(newToken(), uniqueHash(), audit());
      await eventually(() => heard > 0);
    } finally {
      await Promise.all([writer.close(), follower.close()]);
    }
  });

  test('concurrent mutations from two nodes all reach the feed, each once', async () => {
    const a = await open();
    const b = await open();
    try {
      const start = await a.latestVersion();
      const made = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).createToken(newToken(), uniqueHash(), audit())),
      );
      const changes = await b.changesSince(start, 100);
      assert.deepEqual(
        changes.map((c) => c.entityId).sort((x, y) => x - y),
        made.map((t) => t.id).sort((x, y) => x - y),
      );
      assert.deepEqual(
        changes.map((c) => c.version),
        changes.map((_, i) => start + 1 + i),
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a follower never sees a version while a lower one is still uncommitted', async () => {
    const catalog = await open();
    // Another node, frozen between drawing its version and committing.
    const slow = new pg.Client({ connectionString: scratch.url });
    await slow.connect();
    try {
      const start = await catalog.latestVersion();
      await slow.query('begin');
      await slow.query('select pg_advisory_xact_lock($1)', [CHANGE_FEED_LOCK]);
      const drawn = await slow.query(
        "insert into catalog_changes (entity, entity_id, at) values ('database', 1, 0) returning version",
      );
      const creating = catalog.createToken(newToken(), uniqueHash(), audit());
      await delay(200);
      assert.deepEqual(await catalog.changesSince(start, 10), [], 'a later version committed first');
      await slow.query('commit');
      const token = await creating;
      const changes = await catalog.changesSince(start, 10);
      assert.deepEqual(
        changes.map((c) => [c.version, c.entityId]),
        [
          [Number(drawn.rows[0]?.version), 1],
          [Number(drawn.rows[0]?.version) + 1, token.id],
        ],
      );
    } finally {
      await slow.end();
      await catalog.close();
    }
  });

  test('int8 becomes a number on catalog connections only, not in the global pg parser', async () => {
    const catalog = await open();
    try {
      assert.equal(typeof (await catalog.latestVersion()), 'number');
      assert.equal(pg.types.getTypeParser(pg.types.builtins.INT8)('5'), '5');
    } finally {
      await catalog.close();
    }
  });

  test('several nodes migrating a new database at once all succeed, applying each migration once', async () => {
    const fresh = new ScratchDatabase();
    const catalogs: Catalog[] = [];
    try {
      await fresh.ensure();
      catalogs.push(...(await Promise.all([1, 2, 3].map(() => openCatalog({ kind: 'postgres', url: fresh.url })))));
      const rows = await fresh.query('select name from catalog_migration');
      assert.deepEqual(
        rows.map((row) => row.name),
        [
          '0001-initial',
          '0002-users',
          '0003-database-purge',
          '0004-nodes',
          '0005-management-plane',
          '0006-audit-chain',
          '0007-database-owner',
          '0008-upstream-name',
        ],
      );
    } finally {
      await Promise.all(catalogs.map((catalog) => catalog.close()));
      await fresh.drop();
    }
  });
});
