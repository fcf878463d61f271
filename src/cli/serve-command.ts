import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../domain/durations.ts';
import { SYSTEM_RESOURCES, type SystemResource } from '../domain/permissions.ts';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from '../server/server-config.ts';
import { addAuditServeOptions, auditConfigFrom } from './audit-flags.ts';
import { addClusterOptions, clusterConfigFrom } from './cluster-flags.ts';
import { addDatabaseServeOptions, databaseConfigFrom } from './database-flags.ts';
import { addHardeningOptions, hardeningConfigFrom } from './hardening-flags.ts';
import { addOidcOptions, oidcConfigFrom } from './oidc-flags.ts';
import { addTokenServeOptions, tokenConfigFrom } from './token-flags.ts';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function durationMs(value: string): number {
  try {
    return parseDuration(value, '--query-timeout');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
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
        .argParser(integer)
        .default(d.maxBodyBytes),
    )
    .addOption(
      new Option('--auth-failure-limit <n>', 'failed authentications per minute and address before 429 (0: off)')
        .env('FLUXGATE_AUTH_FAILURE_LIMIT')
        .argParser(integer)
        .default(d.authFailureLimit),
    )
    .addOption(
      new Option('--query-timeout <duration>', 'stop a query that runs longer than this, e.g. 60s or 5m')
        .env('FLUXGATE_QUERY_TIMEOUT')
        .argParser(durationMs)
        .default(d.queryTimeoutMs, '60s'),
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
        oidc: oidcConfigFrom(options),
        ...databaseConfigFrom(options),
        ...tokenConfigFrom(options),
        ...clusterConfigFrom(options),
        ...auditConfigFrom(options),
        ...hardeningConfigFrom(options),
      };
      // Loaded here so client commands do not pay for the server stack (DuckDB, pg, fastify) at startup.
      const { pino } = await import('pino');
      const { startServer } = await import('../server/server.ts');
      const logger = pino({ level: config.logLevel });
      const server = await startServer(config, logger);
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'shutting down');
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
}
