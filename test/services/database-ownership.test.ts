import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { DatabaseRecord, NodeRecord } from '../../src/catalog/catalog.ts';
import { isFluxgateError } from '../../src/domain/errors.ts';
import { stableNodeId } from '../../src/server/node-identity.ts';
import { DatabaseOwnership, SINGLE_NODE } from '../../src/services/database-ownership.ts';

const record = (ownerNode: string | null): DatabaseRecord => ({
  id: 1,
  name: 'metrics',
  createdAt: 0,
  deletedAt: null,
  purgedAt: null,
  maxTables: 10,
  maxColumnsPerTable: 10,
  retentionPeriodMs: null,
  ownerNode,
  upstreamName: 'metrics',
});
const nodes = (list: NodeRecord[]) => ({ listNodes: async () => list });
const nodeA: NodeRecord = {
  id: 'node-a',
  address: 'http://10.0.0.1:8181',
  startedAt: 0,
  heartbeatAt: 0,
  appliedVersion: 0,
};

async function refusal(ownership: DatabaseOwnership, db: DatabaseRecord) {
  try {
    await ownership.requireHere(db);
  } catch (error) {
    assert.ok(isFluxgateError(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('database ownership', () => {
  test('a database is here when it has no owner, is owned by this node, or there is one node', async () => {
    const here = new DatabaseOwnership('node-b', nodes([nodeA]));
    assert.equal(here.isHere(record(null)), true);
    assert.equal(here.isHere(record('node-b')), true);
    assert.equal(here.isHere(record('node-a')), false);
    assert.equal(SINGLE_NODE.isHere(record('node-a')), true);
    assert.equal(SINGLE_NODE.ownerForNew, null);
    assert.equal(here.ownerForNew, 'node-b');
    await here.requireHere(record('node-b'));
  });

  test("a refusal is DATABASE_OWNED_ELSEWHERE naming the owner's id and address", async () => {
    const error = await refusal(new DatabaseOwnership('node-b', nodes([nodeA])), record('node-a'));
    assert.equal(error.code, 'DATABASE_OWNED_ELSEWHERE');
    assert.equal(error.status, 421);
    assert.match(error.message, /database 'metrics' is held by node node-a at http:\/\/10\.0\.0\.1:8181/);
    assert.deepEqual(error.details, { field: 'db', ownerNode: 'node-a', ownerAddress: 'http://10.0.0.1:8181' });
  });

  test('an owner that is not registered, or a catalog that fails or hangs, still gets a refusal naming the id', async () => {
    const cases = [
      nodes([]),
      { listNodes: () => Promise.reject(new Error('down')) },
      { listNodes: () => new Promise<NodeRecord[]>(() => {}) },
    ];
    for (const catalog of cases) {
      const error = await refusal(new DatabaseOwnership('node-b', catalog), record('node-a'));
      assert.match(error.message, /held by node node-a whose address is unknown/);
      assert.equal(error.details.ownerAddress, null);
    }
  });

  test('a node id is made once per data dir and kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fluxgate-node-id-'));
    const id = stableNodeId(dir);
    assert.match(id, /^node-[0-9a-f-]{36}$/);
    assert.equal(stableNodeId(dir), id);
    assert.equal(readFileSync(join(dir, 'node-id'), 'utf8').trim(), id);
    assert.notEqual(stableNodeId(mkdtempSync(join(tmpdir(), 'fluxgate-node-id-'))), id);
  });
});
