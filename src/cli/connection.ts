import { FluxgateClient } from './client.ts';

export interface GlobalOptions {
  host?: string;
  token?: string;
}

export const DEFAULT_HOST = 'http://127.0.0.1:8181';

/** Flags first, then FLUXGATE_* and the InfluxDB 3 CLI's own variables, then the default host. */
export function clientFrom(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): FluxgateClient {
  const host = options.host ?? env.FLUXGATE_HOST ?? env.INFLUXDB3_HOST_URL ?? DEFAULT_HOST;
  const token = options.token ?? env.FLUXGATE_TOKEN ?? env.INFLUXDB3_AUTH_TOKEN;
  return new FluxgateClient({ host, token: token === '' ? undefined : token });
}
