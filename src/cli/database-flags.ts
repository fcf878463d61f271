import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../domain/durations.ts';
import { DEFAULT_RECOVERY_WINDOW_MS } from '../services/database-service.ts';

/** `0` or `0s`: a deleted database is purged at the next sweep; otherwise a duration such as 7d or 12h. */
export function recoveryWindowMs(value: string): number {
  if (value === '0' || value === '0s') return 0;
  try {
    return parseDuration(value, '--database-recovery-window');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** The `serve` flags for databases, each with its FLUXGATE_… variable. */
export function addDatabaseServeOptions(command: Command): Command {
  return command.addOption(
    new Option(
      '--database-recovery-window <duration>',
      'how long a deleted database can be undeleted before its files go, e.g. 7d (0: at once)',
    )
      .env('FLUXGATE_DATABASE_RECOVERY_WINDOW')
      .argParser(recoveryWindowMs)
      .default(DEFAULT_RECOVERY_WINDOW_MS, '7d'),
  );
}

export function databaseConfigFrom(options: Record<string, unknown>): { databaseRecoveryWindowMs: number } {
  return { databaseRecoveryWindowMs: options.databaseRecoveryWindow as number };
}
