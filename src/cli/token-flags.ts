import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../domain/durations.ts';

/** A week: long enough that a client still using a rotated-out secret is told "revoked", not "unknown". */
export const DEFAULT_RETIRED_SECRET_RETENTION_MS = 7 * 86_400_000;

function retentionMs(value: string): number {
  if (value === '0' || value === '0s') return 0;
  try {
    return parseDuration(value, '--retired-secret-retention');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** The `serve` flags for token housekeeping, each with its FLUXGATE_… variable. */
export function addTokenServeOptions(command: Command): Command {
  return command.addOption(
    new Option(
      '--retired-secret-retention <duration>',
      'how long a rotated-out secret is kept after its grace ends before it is purged, e.g. 7d (0: at once)',
    )
      .env('FLUXGATE_RETIRED_SECRET_RETENTION')
      .argParser(retentionMs)
      .default(DEFAULT_RETIRED_SECRET_RETENTION_MS, '7d'),
  );
}

export function tokenConfigFrom(options: Record<string, unknown>): { retiredSecretRetentionMs: number } {
  return { retiredSecretRetentionMs: options.retiredSecretRetention as number };
}
