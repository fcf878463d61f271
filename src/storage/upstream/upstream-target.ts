import type { Influxdb1Credential } from './influxdb1-credential.ts';

/**
 * The engine a gateway forwards its data plane to, and the one credential it calls it with. The
 * token never leaves this process except in the Authorization header of a call to `url`.
 */
export interface UpstreamTarget {
  /** e.g. http://influxdb3:8181 (no trailing slash, no credentials in it). */
  url: string;
  token: string;
}

/** `--storage`: the embedded engine, an upstream speaking the InfluxDB 3 API, or an InfluxDB 1.x. */
export type StorageConfig =
  | { kind: 'duckdb' }
  | ({ kind: 'influxdb3' } & UpstreamTarget)
  | { kind: 'influxdb1'; url: string; credential: Influxdb1Credential };

export const STORAGE_KINDS = ['duckdb', 'influxdb3', 'influxdb1'] as const;

/** How errors and /health name the upstream: its kind and address, never its credential. */
export function upstreamLabel(target: Pick<UpstreamTarget, 'url'>): string {
  return `the InfluxDB 3 upstream at ${target.url}`;
}
