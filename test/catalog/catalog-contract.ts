import { after, before } from 'node:test';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { auditAndFeedContract } from './contract/audit-and-feed.ts';
import { auditChainContract } from './contract/audit-chain.ts';
import { concurrentCreateContract } from './contract/concurrent-creates.ts';
import { databaseRecoveryContract } from './contract/database-recovery.ts';
import { databaseContract } from './contract/databases.ts';
import { durabilityContract } from './contract/durability.ts';
import type { CatalogHarness, ContractContext } from './contract/fixtures.ts';
import { managementPlaneContract } from './contract/management-plane.ts';
import { nodesAndRevokedContract } from './contract/nodes-and-revoked.ts';
import { retiredSecretContract } from './contract/retired-secrets.ts';
import { secretContract } from './contract/secrets.ts';
import { tokenContract } from './contract/tokens.ts';
import { userContract } from './contract/users.ts';

export type { CatalogHarness } from './contract/fixtures.ts';

/**
 * Registers the Catalog contract: the behaviour every adapter must show. Call it inside a
 * `describe`; the tests share one store (and so use unique names), in the order registered.
 */
export function catalogContract(harness: CatalogHarness, dialect: Catalog['dialect']): void {
  const ctx = { harness } as ContractContext;
  before(async () => {
    ctx.catalog = await harness.open();
    if (ctx.catalog.dialect !== dialect) throw new Error(`expected a ${dialect} catalog, got ${ctx.catalog.dialect}`);
  });
  after(async () => {
    try {
      await ctx.catalog?.close();
    } finally {
      await harness.cleanup();
    }
  });
  databaseContract(ctx);
  databaseRecoveryContract(ctx);
  tokenContract(ctx);
  concurrentCreateContract(ctx);
  secretContract(ctx);
  retiredSecretContract(ctx);
  auditAndFeedContract(ctx);
  auditChainContract(ctx);
  userContract(ctx);
  nodesAndRevokedContract(ctx);
  managementPlaneContract(ctx);
  durabilityContract(ctx);
}
