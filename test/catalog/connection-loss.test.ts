import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { isConnectionLoss, withConnectionLossAsUnavailable } from '../../src/catalog/postgres/connection-loss.ts';
import { FluxgateError } from '../../src/domain/errors.ts';

const terminated = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

test('connection loss is told apart from statement errors', () => {
  assert.ok(isConnectionLoss(terminated));
  assert.ok(isConnectionLoss(new Error('Connection terminated unexpectedly')));
  assert.ok(
    isConnectionLoss(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
  );
  assert.ok(!isConnectionLoss(Object.assign(new Error('duplicate key'), { code: '23505' })));
  assert.ok(!isConnectionLoss(new FluxgateError('TOKEN_NOT_FOUND', 'Connection terminated')));
});

test('reads are retried once; what still fails, and writes, become CATALOG_UNAVAILABLE', async () => {
  let reads = 0;
  let writes = 0;
  const fake = {
    dialect: 'postgres',
    async getToken() {
      reads++;
      if (reads === 1) throw terminated;
      return 'second try';
    },
    async listTokens() {
      throw terminated;
    },
    async revokeToken() {
      writes++;
      throw terminated;
    },
  } as unknown as Catalog;
  const catalog = withConnectionLossAsUnavailable(fake);
  assert.equal(await catalog.getToken(1), 'second try');
  await assert.rejects(catalog.listTokens(), (error: unknown) => {
    assert.ok(error instanceof FluxgateError);
    assert.equal(error.code, 'CATALOG_UNAVAILABLE');
    assert.equal(error.status, 503);
    assert.match(error.message, /administrator command/);
    return true;
  });
  await assert.rejects(catalog.revokeToken(1, 0, null, {} as never), /catalog is unavailable/);
  assert.equal(writes, 1, 'a write is not retried');
  assert.equal(catalog.dialect, 'postgres');
});
