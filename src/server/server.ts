import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { type Logger, pino } from 'pino';
import { Authenticator } from '../auth/authenticator.ts';
import { FailureThrottle } from '../auth/failure-throttle.ts';
import { systemPrincipal } from '../auth/principal.ts';
import { TokenIndex } from '../auth/token-index.ts';
import { UsageTracker } from '../auth/usage-tracker.ts';
import { catalogSpecFrom, openCatalog } from '../catalog/open-catalog.ts';
import { isFluxgateError } from '../domain/errors.ts';
import { createFlightServer } from '../flight/flight-server.ts';
import { buildHttpApp } from '../http/app.ts';
import { loadConsoleBuild } from '../http/console/console-assets.ts';
import { ConsoleSessions } from '../http/console/console-sessions.ts';
import { ServerMetrics } from '../http/metrics.ts';
import { SERVER_VERSION } from '../http/system-routes.ts';
import {
  AggregatingAttemptLog,
  AUDIT_AGGREGATION_DEFAULTS,
  authenticationFailure,
} from '../services/audit-aggregator.ts';
import { AuditPruner } from '../services/audit-pruner.ts';
import { AuditService } from '../services/audit-service.ts';
import { Authorizer } from '../services/authorize.ts';
import { CatalogFollower } from '../services/catalog-follower.ts';
import { DatabaseDirectory } from '../services/database-directory.ts';
import { DatabaseOwnership, SINGLE_NODE } from '../services/database-ownership.ts';
import { DatabasePurger, purgeIntervalMs } from '../services/database-purger.ts';
import { DatabaseService } from '../services/database-service.ts';
import { InfluxqlService } from '../services/influxql-service.ts';
import { ManagementApi } from '../services/management-api.ts';
import { QueryService } from '../services/query-service.ts';
import { RequestOutcomes } from '../services/request-outcomes.ts';
import { RetentionSweeper } from '../services/retention-sweeper.ts';
import { RetiredSecretPurger, secretPurgeIntervalMs } from '../services/secret-purger.ts';
import { ServerStats } from '../services/server-stats.ts';
import { SystemService } from '../services/system-service.ts';
import { TokenService } from '../services/token-service.ts';
import { UserDirectory } from '../services/user-directory.ts';
import { WriteService } from '../services/write-service.ts';
import { DuckDbStorage } from '../storage/duckdb/duckdb-storage.ts';
import { holdSharedParseWorkers } from '../storage/lineprotocol/parse-pool.ts';
import { Influxdb1Storage } from '../storage/upstream/influxdb1-storage.ts';
import { UpstreamStorage } from '../storage/upstream/upstream-storage.ts';
import { readAdminTokenFile } from './admin-token-file.ts';
import { parseBindAddress, parseLoopbackBindAddress } from './bind-address.ts';
import { sharedCatalogNode } from './cluster-wiring.ts';
import { capConnections } from './connection-limits.ts';
import { installFrontDoor } from './front-door.ts';
import { stableNodeId } from './node-identity.ts';
import { startOidc } from './oidc-wiring.ts';
import { startRecoveryListener } from './recovery-listener.ts';
import type { ServerConfig } from './server-config.ts';

/** A connection that sends nothing for this long is closed before it reaches HTTP or gRPC. */
const FIRST_BYTES_TIMEOUT_MS = 10_000;
/** How long /health waits for the upstream's own /health in gateway mode. */
const UPSTREAM_PROBE_TIMEOUT_MS = 2_000;
/** A server keeps its line-protocol parse workers this long without work (see holdSharedParseWorkers). */
const PARSE_WORKERS_IDLE_MS = 300_000;

export interface RunningServer {
  /** e.g. http://127.0.0.1:8181 */
  address: string;
  recoveryAddress: string | undefined;
  logger: Logger;
  close(): Promise<void>;
}

/** Wires the core (catalog, index, services) to its faces and starts listening. */
export async function startServer(
  config: ServerConfig,
  logger: Logger = pino({ level: config.logLevel }),
): Promise<RunningServer> {
  const bind = parseBindAddress(config.httpBind, 'http-bind');
  const recoveryBind =
    config.recoveryBind === undefined
      ? undefined
      : parseLoopbackBindAddress(config.recoveryBind, 'admin-token-recovery-http-bind');
  mkdirSync(config.dataDir, { recursive: true });
  const now = () => Date.now();
  const onError = (error: unknown) => logger.error({ err: error }, 'background task failed');

  const catalog = await openCatalog(catalogSpecFrom(config.catalog, config.dataDir));
  const closers: Array<() => Promise<void> | void> = [() => catalog.close()];
  try {
    const metrics = new ServerMetrics();
    const index = new TokenIndex({ maxEntries: config.tokenIndexMaxEntries, maxRemembered: 100_000 });
    const directory = new DatabaseDirectory();
    const userDirectory = new UserDirectory();
    const follower = new CatalogFollower(
      catalog,
      index,
      directory,
      now,
      { pageSize: 10_000, pollMs: config.catalogPollMs, coalesceMs: 5 },
      onError,
      userDirectory,
    );
    await follower.start();
    closers.unshift(() => follower.stop());
    let address = '';
    const gateway = config.storage.kind !== 'duckdb';
    const nodeId = catalog.dialect === 'postgres' ? stableNodeId(config.dataDir) : undefined;
    // A gateway holds no data: every node serves every database, which lives upstream.
    const ownership = nodeId !== undefined && !gateway ? new DatabaseOwnership(nodeId, catalog) : SINGLE_NODE;
    const cluster = sharedCatalogNode(catalog, follower, now, () => address, onError, nodeId);
    const usage = new UsageTracker(catalog, onError);
    usage.start(config.usageFlushMs);
    closers.unshift(() => usage.stop());
    const attempts = new AggregatingAttemptLog(
      (e) => catalog.appendAudit(e),
      { ...AUDIT_AGGREGATION_DEFAULTS, now },
      onError,
    );
    attempts.start(5_000);
    closers.unshift(() => attempts.stop());
    const auditPruner = new AuditPruner(catalog, config.auditRetentionMs, now, onError);
    auditPruner.start();
    closers.unshift(() => auditPruner.stop());
    const authorizer = new Authorizer(attempts, now);
    const oidc = await startOidc(
      config.oidc,
      { catalog, authorizer, directory: userDirectory, now, logger, flushMs: config.usageFlushMs },
      onError,
    );
    closers.unshift(() => oidc.stop());

    const authenticator = new Authenticator({
      index,
      catalog,
      throttle: new FailureThrottle({
        limit: config.authFailureLimit,
        windowMs: config.authFailureWindowMs,
        blockMs: config.authBlockMs,
        maxSources: 100_000,
        globalLimitPerSecond: config.authFailureGlobalLimit,
      }),
      usage,
      now,
      onOutcome: (outcome) => metrics.recordAuth(outcome),
      onFailure: (outcome, ip) => void attempts.recordAttempt(authenticationFailure(outcome, ip, now())),
      sessions: oidc.sessions,
      ...cluster?.authentication,
    });
    const authEnabled = !config.withoutAuth;
    const tokens = new TokenService({
      catalog,
      index,
      directory,
      usage,
      authorizer,
      now,
      authEnabled,
      allowRemoteBootstrap: config.allowRemoteBootstrap,
    });
    const upstreamNameOf = async (id: number) => (await catalog.getDatabase(id))?.upstreamName;
    const storage =
      config.storage.kind === 'influxdb3'
        ? new UpstreamStorage(config.storage, { queryTimeoutMs: config.queryTimeoutMs, upstreamNameOf })
        : config.storage.kind === 'influxdb1'
          ? new Influxdb1Storage(config.storage, { queryTimeoutMs: config.queryTimeoutMs, upstreamNameOf })
          : new DuckDbStorage(config.dataDir, config.queryTimeoutMs, {
              ...config.engines,
              logger: {
                warn: (details, message) => logger.warn(details, message),
                error: (details, message) => logger.error(details, message),
              },
            });
    const upstreamHealth =
      storage instanceof UpstreamStorage || storage instanceof Influxdb1Storage
        ? () => storage.probe(UPSTREAM_PROBE_TIMEOUT_MS)
        : undefined;
    // Stopped after the storage (a write still in flight may be parsing), before the catalog.
    closers.splice(
      closers.length - 1,
      0,
      () => storage.close(),
      holdSharedParseWorkers(PARSE_WORKERS_IDLE_MS, config.backgroundNice),
    );
    const nowNs = () => BigInt(Date.now()) * 1_000_000n;
    const databases = new DatabaseService({
      catalog,
      directory,
      storage,
      authorizer,
      now,
      defaults: { maxTables: config.maxTables, maxColumnsPerTable: config.maxColumnsPerTable },
      recoveryWindowMs: config.databaseRecoveryWindowMs,
      maxDatabases: config.maxDatabases,
      ownership,
    });
    const identity = await catalog.clusterIdentity(config.clusterIdentity ?? {}, {
      accountId: randomUUID(),
      clusterId: randomUUID(),
    });
    const managementApi = new ManagementApi(authorizer, identity, SERVER_VERSION);
    const system = new SystemService(new Set(config.disableAuthz), upstreamHealth);
    const writes = new WriteService({
      directory,
      databases,
      storage,
      nowNs,
      server: systemPrincipal('create-on-write'),
      ownership,
    });
    const limits = { timeoutMs: config.queryTimeoutMs, cap: config.queryMaxResult };
    const queries = new QueryService({ catalog, directory, storage, usage, now, limits, ownership });
    const influxql = new InfluxqlService({ directory, storage, now, limits, ownership });
    metrics.watchActiveQueries(() => queries.activeQueries());
    const sweeper = new RetentionSweeper(directory, storage, nowNs, onError, ownership);
    sweeper.start(config.retentionSweepMs);
    closers.unshift(() => sweeper.stop());
    const purger = new DatabasePurger(databases, systemPrincipal('recovery-window'), onError);
    purger.start(purgeIntervalMs(config));
    closers.unshift(() => purger.stop());
    const retention = config.retiredSecretRetentionMs;
    const secretPurger = new RetiredSecretPurger(
      { catalog, index, authorizer, now, server: systemPrincipal('secret-retention'), retentionMs: retention },
      onError,
    );
    secretPurger.start(secretPurgeIntervalMs(retention));
    closers.unshift(() => secretPurger.stop());

    if (!authEnabled)
      logger.warn('started WITHOUT authentication: every request is allowed and token endpoints are disabled');
    if (config.adminTokenFile !== undefined && authEnabled)
      await importAdminTokenFile(config.adminTokenFile, tokens, logger);

    const outcomes = new RequestOutcomes(now);
    const consoleBuild = loadConsoleBuild(config.consoleDir);
    if (consoleBuild === undefined)
      logger.warn({ dir: config.consoleDir }, 'the web console is not built: run `npm run build:console`');
    const app = buildHttpApp({
      logger,
      authenticator,
      tokens,
      databases,
      system,
      metrics,
      authEnabled,
      now,
      writes,
      queries,
      influxql,
      bodyLimit: config.maxBodyBytes,
      console: { build: consoleBuild, sessions: new ConsoleSessions(now), oidcFlow: oidc.codeFlow },
      outcomes,
      stats: new ServerStats({ databases, directory, storage, system, outcomes, ownership }),
      users: oidc.users,
      audit: new AuditService({ catalog, authorizer, now }),
      oidc: config.oidc,
      connections: config.connections,
      propagation: cluster?.registry,
      managementApi,
    });
    capConnections(app.server, config.connections);
    const flight = createFlightServer({ authenticator, authEnabled, queries, influxql, logger });
    const door = installFrontDoor(app.server, (socket) => flight.accept(socket), FIRST_BYTES_TIMEOUT_MS);
    await app.listen({ host: bind.host, port: bind.port });
    closers.unshift(async () => {
      door.closeUndecided();
      await Promise.all([app.close(), flight.close()]);
    });
    // Runs first: a running query (a runaway CTE, a stream to a slow client) must not hold shutdown.
    closers.unshift(() => storage.stopQueries());
    const port = (app.server.address() as { port: number }).port;
    address = `http://${bind.host.includes(':') ? `[${bind.host}]` : bind.host}:${port}`;
    if (cluster !== undefined) {
      await cluster.registry.start();
      closers.unshift(() => cluster.registry.stop());
    }

    let recovery: { server: Server; address: string } | undefined;
    if (recoveryBind !== undefined) {
      recovery = await startRecoveryListener(recoveryBind.host, recoveryBind.port, tokens, logger);
      const server = recovery.server;
      closers.unshift(
        () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
      );
    }
    // Always printed, whatever the level: operators (and the test harness) need the bound address.
    const startup = logger.level === 'silent' ? logger : logger.child({}, { level: 'info' });
    const where =
      config.storage.kind === 'duckdb' ? {} : { storage: config.storage.kind, upstream: config.storage.url };
    startup.info({ address, catalog: catalog.dialect, dataDir: config.dataDir, ...where }, 'fluxgate listening');
    return { address, recoveryAddress: recovery?.address, logger, close: () => closeAll(closers) };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

async function closeAll(closers: Array<() => Promise<void> | void>): Promise<void> {
  for (const close of closers) await close();
}

async function importAdminTokenFile(path: string, tokens: TokenService, logger: Logger): Promise<void> {
  const file = readAdminTokenFile(path);
  if (file.tooOpen) logger.warn({ file: path }, 'the admin token file can be read by group or others; chmod 600 it');
  const outcome = await importOrSkip(() => tokens.importAdminToken(systemPrincipal('admin-token-file'), file));
  if (outcome === 'taken') {
    // A provisioned deployment restarts with the same file: refusing to start would loop forever.
    logger.warn(
      { file: path, name: file.name, outcome: 'skipped' },
      'admin token file skipped: its token was revoked (or is registered under another name); provision a new one',
    );
    return;
  }
  logger.info(
    { file: path, name: file.name, outcome },
    outcome === 'created' ? 'admin token imported' : 'admin token file skipped: the name exists',
  );
}

async function importOrSkip(work: () => Promise<'created' | 'exists'>): Promise<'created' | 'exists' | 'taken'> {
  try {
    return await work();
  } catch (error) {
    if (isFluxgateError(error) && error.code === 'TOKEN_HASH_TAKEN') return 'taken';
    throw error;
  }
}
