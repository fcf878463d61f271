import { type Command, Option } from 'commander';
import { durationOrZeroFlag } from './flag-parsers.ts';

/** A week: long enough that a client still using a rotated-out secret is told "revoked", not "unknown". */
export const DEFAULT_RETIRED_SECRET_RETENTION_MS = 7 * 86_400_000;

/** The `serve` flags for token housekeeping, each with its FLUXGATE_… variable. */
export function addTokenServeOptions(command: Command): Command {
  return command.addOption(
    new Option(
      '--retired-secret-retention <duration>',
      'how long a rotated-out secret is kept after its grace ends before it is purged, e.g. 7d (0: at once)',
    )
      .env('FLUXGATE_RETIRED_SECRET_RETENTION')
      .argParser(durationOrZeroFlag('--retired-secret-retention'))
      .default(DEFAULT_RETIRED_SECRET_RETENTION_MS, '7d'),
  );
}

export function tokenConfigFrom(options: Record<string, unknown>): { retiredSecretRetentionMs: number } {
  return { retiredSecretRetentionMs: options.retiredSecretRetention as number };
}
