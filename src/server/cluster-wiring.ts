import { DEFAULT_PROBE_OPTIONS, UnknownTokenProbe } from '../auth/unknown-token-probe.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { CatalogFollower } from '../services/catalog-follower.ts';
import { DEFAULT_NODE_OPTIONS, NodeRegistry } from '../services/node-registry.ts';

/**
 * On a shared (PostgreSQL) catalog this process is one node of several: it registers and heartbeats,
 * revokes wait for the other nodes, unknown tokens are checked with the catalog before they are
 * refused, and a stale index catches up before it accepts a token. A SQLite catalog has one node.
 */
export function sharedCatalogNode(
  catalog: Catalog,
  follower: CatalogFollower,
  now: () => number,
  address: () => string,
  onError: (error: unknown) => void,
  nodeId?: string,
) {
  if (catalog.dialect !== 'postgres') return undefined;
  const registry = new NodeRegistry(catalog, follower, now, address, DEFAULT_NODE_OPTIONS, onError, nodeId);
  return {
    registry,
    authentication: { probe: new UnknownTokenProbe(DEFAULT_PROBE_OPTIONS), freshness: registry },
  };
}
