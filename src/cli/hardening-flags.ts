import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONNECTION_LIMITS } from '../server/connection-limits.ts';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from '../server/server-config.ts';
import { timerDurationFlag, wholeNumber } from './flag-parsers.ts';

const c = DEFAULT_CONNECTION_LIMITS;

/**
 * The `serve` flags that bound what a client can hold: connection timeouts and caps, the global auth
 * ceiling, and the request thread's lead over background work.
 */
export function addHardeningOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--auth-failure-global-limit <n>',
        'failed authentications per second, all addresses, before 429 (0: off)',
      )
        .env('FLUXGATE_AUTH_FAILURE_GLOBAL_LIMIT')
        .argParser(wholeNumber)
        .default(DEFAULT_SERVER_CONFIG.authFailureGlobalLimit),
    )
    .addOption(
      new Option('--http-header-timeout <duration>', 'close a connection whose request headers take longer')
        .env('FLUXGATE_HTTP_HEADER_TIMEOUT')
        .argParser(timerDurationFlag('--http-header-timeout'))
        .default(c.headersTimeoutMs, '10s'),
    )
    .addOption(
      new Option('--http-request-timeout <duration>', 'close a connection whose request (body included) takes longer')
        .env('FLUXGATE_HTTP_REQUEST_TIMEOUT')
        .argParser(timerDurationFlag('--http-request-timeout'))
        .default(c.requestTimeoutMs, '60s'),
    )
    .addOption(
      new Option('--http-keep-alive-timeout <duration>', 'close an idle keep-alive connection after this')
        .env('FLUXGATE_HTTP_KEEP_ALIVE_TIMEOUT')
        .argParser(timerDurationFlag('--http-keep-alive-timeout'))
        .default(c.keepAliveTimeoutMs, '5s'),
    )
    .addOption(
      new Option('--max-connections <n>', 'most open connections, HTTP and gRPC together')
        .env('FLUXGATE_MAX_CONNECTIONS')
        .argParser(wholeNumber)
        .default(c.maxConnections),
    )
    .addOption(
      new Option(
        '--background-nice <n>',
        'run the line-protocol parse workers this much nicer than the request thread, 0 to 19 (0: off)',
      )
        .env('FLUXGATE_BACKGROUND_NICE')
        .argParser(niceDelta)
        .default(DEFAULT_SERVER_CONFIG.backgroundNice),
    );
}

function niceDelta(value: string): number {
  const n = wholeNumber(value);
  if (n > 19) throw new InvalidArgumentError('must be a whole number from 0 to 19');
  return n;
}

export function hardeningConfigFrom(
  options: Record<string, unknown>,
): Pick<ServerConfig, 'authFailureGlobalLimit' | 'connections' | 'backgroundNice'> {
  return {
    authFailureGlobalLimit: options.authFailureGlobalLimit as number,
    backgroundNice: options.backgroundNice as number,
    connections: {
      headersTimeoutMs: options.httpHeaderTimeout as number,
      requestTimeoutMs: options.httpRequestTimeout as number,
      keepAliveTimeoutMs: options.httpKeepAliveTimeout as number,
      maxConnections: options.maxConnections as number,
    },
  };
}
