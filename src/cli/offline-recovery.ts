import { systemPrincipal } from '../auth/principal.ts';
import { TokenIndex } from '../auth/token-index.ts';
import { UsageTracker } from '../auth/usage-tracker.ts';
import { type CatalogSpec, catalogExists, catalogSpecFrom, openCatalog } from '../catalog/open-catalog.ts';
import { issuedTokenJson } from '../http/v3/token-json.ts';
import { CatalogAttemptLog } from '../services/audit.ts';
import { Authorizer } from '../services/authorize.ts';
import { DatabaseDirectory } from '../services/database-directory.ts';
import { TokenService } from '../services/token-service.ts';
import { CliError } from './cli-error.ts';
import type { IssuedTokenJson } from './client.ts';

/** Regenerates (or creates) `_admin` straight in the catalog, through the same TokenService as the server. */
export async function recoverOffline(spec: CatalogSpec): Promise<IssuedTokenJson> {
  const catalog = await openCatalog(spec);
  try {
    const tokens = new TokenService({
      catalog,
      index: new TokenIndex({ maxEntries: 1, maxRemembered: 1 }),
      directory: new DatabaseDirectory(),
      usage: new UsageTracker(catalog, () => {}),
      authorizer: new Authorizer(new CatalogAttemptLog(catalog, () => {}), () => Date.now()),
      now: () => Date.now(),
      authEnabled: true,
      allowRemoteBootstrap: false,
    });
    return issuedTokenJson(await tokens.recoverOperatorToken(systemPrincipal('offline-recovery')));
  } finally {
    await catalog.close();
  }
}

/**
 * The catalog a stopped server left, refusing a place that has none: a mistyped --data-dir would
 * otherwise get a new, empty catalog and a token that no server knows.
 */
export async function existingCatalog(catalogOption: string | undefined, dataDir: string): Promise<CatalogSpec> {
  const spec = catalogSpecFrom(catalogOption, dataDir, { create: false });
  await requireExistingCatalog(spec, catalogOption === undefined ? dataDir : undefined);
  return spec;
}

async function requireExistingCatalog(spec: CatalogSpec, dataDir: string | undefined): Promise<void> {
  if (spec.kind === 'sqlite') {
    if (await catalogExists(spec)) return;
    throw new CliError(
      dataDir === undefined
        ? `there is no catalog at ${spec.file}: give the --catalog the server runs with`
        : `there is no catalog in ${dataDir} (no ${spec.file}): give the --data-dir the server runs with, or its --catalog`,
    );
  }
  const where = withoutPassword(spec.url);
  let exists: boolean;
  try {
    exists = await catalogExists(spec);
  } catch (error) {
    throw new CliError(`cannot open the catalog at ${where}: ${(error as Error).message}`);
  }
  if (!exists) throw new CliError(`the PostgreSQL database ${where} holds no fluxgate catalog: check --catalog`);
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given URL';
  }
}
