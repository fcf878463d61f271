import { type Command, InvalidArgumentError, Option } from 'commander';
import { SYSTEM_RESOURCES, type SystemResource } from '../domain/permissions.ts';
import { DEFAULT_RESULT_CAP, parseResultCap, type ResultCapSetting } from '../domain/result-cap.ts';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from '../server/server-config.ts';
import { addAuditServeOptions, auditConfigFrom } from './audit-flags.ts';
import { addClusterOptions, clusterConfigFrom } from './cluster-flags.ts';
import { addDatabaseServeOptions, databaseConfigFrom } from './database-flags.ts';
import { flagParser, timerDurationFlag, wholeNumber } from './flag-parsers.ts';
import { addHardeningOptions, hardeningConfigFrom } from './hardening-flags.ts';
import { addOidcOptions, oidcConfigFrom } from './oidc-flags.ts';
import { addStorageOptions, storageConfigFrom } from './storage-flags.ts';
import { addTokenServeOptions, tokenConfigFrom } from './token-flags.ts';

function positive(value: string): number {
  const n = wholeNumber(value);
  if (n < 1) throw new InvalidArgumentError('must be at least 1');
  return n;
}

function memorySize(value: string): string {
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i.test(value.trim())) {
    throw new InvalidArgumentError('must be a size such as 128MB or 1GiB');
  }
  return value.trim();
}

function authzExemptions(value: string): SystemResource[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!Object.hasOwn(SYSTEM_RESOURCES, name))
      throw new InvalidArgumentError(`'${name}' is not one of health, ping, metrics, ready`);
  }
  return names as SystemResource[];
}

const d = DEFAULT_SERVER_CONFIG;

/** How long a SIGTERM or SIGINT may take before the process is killed. */
const SHUTDOWN_BOUND_MS = 10_000;

/** `fluxgate serve`: every flag also reads a FLUXGATE_… environment variable. */
export function addServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the fluxgate server')
    .addOption(
      new Option('--data-dir <dir>', 'where the catalog and data live').env('FLUXGATE_DATA_DIR').default(d.dataDir),
    )
    .addOption(new Option('--http-bind <addr>', 'HTTP listen address').env('FLUXGATE_HTTP_BIND').default(d.httpBind))
    .addOption(
      new Option('--catalog <catalog>', 'a postgres:// URL, or a SQLite file (default: <data-dir>/catalog.sqlite)').env(
        'FLUXGATE_CATALOG',
      ),
    )
    .addOption(
      new Option('--admin-token-file <file>', 'import an admin token from a JSON file at start').env(
        'FLUXGATE_ADMIN_TOKEN_FILE',
      ),
    )
    .addOption(
      new Option(
        '--admin-token-recovery-http-bind [addr]',
        'open a one-shot listener that regenerates the operator token without auth',
      )
        .env('FLUXGATE_ADMIN_TOKEN_RECOVERY_HTTP_BIND')
        .preset('127.0.0.1:8182'),
    )
    .addOption(
      new Option('--without-auth', 'allow every request without a token (token endpoints answer 405)').env(
        'FLUXGATE_WITHOUT_AUTH',
      ),
    )
    .addOption(
      new Option('--disable-authz <list>', 'probes that need no token: health,ping,metrics,ready')
        .env('FLUXGATE_DISABLE_AUTHZ')
        .argParser(authzExemptions),
    )
    .addOption(
      new Option('--allow-remote-bootstrap', 'let a non-loopback client create the first operator token').env(
        'FLUXGATE_ALLOW_REMOTE_BOOTSTRAP',
      ),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .env('FLUXGATE_LOG_LEVEL')
        .choices(['trace', 'debug', 'info', 'warn', 'error'])
        .default(d.logLevel),
    )
    .addOption(
      new Option('--max-body-size <bytes>', 'largest request body')
        .env('FLUXGATE_MAX_BODY_SIZE')
        .argParser(wholeNumber)
        .default(d.maxBodyBytes),
    )
    .addOption(
      new Option('--auth-failure-limit <n>', 'failed authentications per minute and address before 429 (0: off)')
        .env('FLUXGATE_AUTH_FAILURE_LIMIT')
        .argParser(wholeNumber)
        .default(d.authFailureLimit),
    )
    .addOption(
      new Option('--query-timeout <duration>', 'stop a query that runs longer than this, e.g. 60s or 5m')
        .env('FLUXGATE_QUERY_TIMEOUT')
        .argParser(timerDurationFlag('--query-timeout'))
        .default(d.queryTimeoutMs, '60s'),
    )
    .addOption(
      new Option(
        '--query-max-result <cap>',
        'most bytes and/or rows one query answer may carry, e.g. 256MiB, 1000000rows, 1GiB,5000000rows or none',
      )
        .env('FLUXGATE_QUERY_MAX_RESULT')
        .argParser(flagParser(parseResultCap))
        .default(d.queryMaxResult, DEFAULT_RESULT_CAP),
    )
    .addOption(
      new Option('--max-databases <n>', 'most live databases, created by API or by writing')
        .env('FLUXGATE_MAX_DATABASES')
        .argParser(positive)
        .default(d.maxDatabases),
    )
    .addOption(
      new Option('--engine-idle-timeout <duration>', "close a database's engine unused this long; reopened on use")
        .env('FLUXGATE_ENGINE_IDLE_TIMEOUT')
        .argParser(timerDurationFlag('--engine-idle-timeout'))
        .default(d.engines.idleTimeoutMs, '5m'),
    )
    .addOption(
      new Option('--max-open-engines <n>', 'most database engines open at once (least recently used close first)')
        .env('FLUXGATE_MAX_OPEN_ENGINES')
        .argParser(positive)
        .default(d.engines.maxOpen),
    )
    .addOption(
      new Option(
        '--engine-memory-limit <size>',
        "the database engines' memory limit, all together (DuckDB memory_limit of their shared instance)",
      )
        .env('FLUXGATE_ENGINE_MEMORY_LIMIT')
        .argParser(memorySize)
        .default(d.engines.memoryLimit),
    )
    .addOption(
      new Option(
        '--engine-threads <n>',
        "the database engines' worker threads, all together (DuckDB threads of their shared instance)",
      )
        .env('FLUXGATE_ENGINE_THREADS')
        .argParser(positive)
        .default(d.engines.threads),
    )
    .action(async (options: Record<string, unknown>) => {
      const config: ServerConfig = {
        ...d,
        dataDir: options.dataDir as string,
        httpBind: options.httpBind as string,
        catalog: options.catalog as string | undefined,
        adminTokenFile: options.adminTokenFile as string | undefined,
        recoveryBind: options.adminTokenRecoveryHttpBind as string | undefined,
        withoutAuth: Boolean(options.withoutAuth),
        disableAuthz: (options.disableAuthz as SystemResource[] | undefined) ?? [],
        allowRemoteBootstrap: Boolean(options.allowRemoteBootstrap),
        logLevel: options.logLevel as string,
        maxBodyBytes: options.maxBodySize as number,
        authFailureLimit: options.authFailureLimit as number,
        queryTimeoutMs: options.queryTimeout as number,
        queryMaxResult: options.queryMaxResult as ResultCapSetting,
        maxDatabases: options.maxDatabases as number,
        engines: {
          idleTimeoutMs: options.engineIdleTimeout as number,
          maxOpen: options.maxOpenEngines as number,
          memoryLimit: options.engineMemoryLimit as string,
          threads: options.engineThreads as number,
        },
        oidc: oidcConfigFrom(options),
        ...databaseConfigFrom(options),
        ...tokenConfigFrom(options),
        ...clusterConfigFrom(options),
        ...auditConfigFrom(options),
        ...hardeningConfigFrom(options),
        ...storageConfigFrom(options),
      };
      // Loaded here so client commands do not pay for the server stack (DuckDB, pg, fastify) at startup.
      const { pino } = await import('pino');
      const { startServer } = await import('../server/server.ts');
      const logger = pino({ level: config.logLevel });
      const server = await startServer(config, logger);
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        // A thread still inside the engine would keep even process.exit from returning (it joins
        // the thread pool): past this bound the process ends itself the one way that cannot hang.
        setTimeout(() => {
          logger.error({ afterMs: SHUTDOWN_BOUND_MS }, 'shutdown did not finish in time; killing the process');
          process.kill(process.pid, 'SIGKILL');
        }, SHUTDOWN_BOUND_MS).unref();
        server.close().then(
          () => {
            logger.info('shutdown complete');
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      // A reader of our output that went away (EPIPE) must not keep the server from shutting down.
      process.stdout.on('error', () => {});
      process.stderr.on('error', () => {});
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
  addOidcOptions(serve);
  addDatabaseServeOptions(serve);
  addTokenServeOptions(serve);
  addClusterOptions(serve);
  addAuditServeOptions(serve);
  addHardeningOptions(serve);
  addStorageOptions(serve);
}
