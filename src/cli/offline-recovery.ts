import { systemPrincipal } from '../auth/principal.ts';
import { TokenIndex } from '../auth/token-index.ts';
import { UsageTracker } from '../auth/usage-tracker.ts';
import { catalogSpecFrom, openCatalog } from '../catalog/open-catalog.ts';
import { issuedTokenJson } from '../http/v3/token-json.ts';
import { DatabaseDirectory } from '../services/database-directory.ts';
import { TokenService } from '../services/token-service.ts';
import type { IssuedTokenJson } from './client.ts';

/** Regenerates (or creates) `_admin` straight in the catalog, through the same TokenService as the server. */
export async function recoverOffline(catalogOption: string | undefined, dataDir: string): Promise<IssuedTokenJson> {
  const catalog = await openCatalog(catalogSpecFrom(catalogOption, dataDir));
  try {
    const tokens = new TokenService({
      catalog,
      index: new TokenIndex({ maxEntries: 1, maxRemembered: 1 }),
      directory: new DatabaseDirectory(),
      usage: new UsageTracker(catalog, () => {}),
      now: () => Date.now(),
      onError: () => {},
      authEnabled: true,
      allowRemoteBootstrap: false,
    });
    return issuedTokenJson(await tokens.recoverOperatorToken(systemPrincipal('offline-recovery')));
  } finally {
    await catalog.close();
  }
}
