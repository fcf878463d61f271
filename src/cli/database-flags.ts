import { type Command, Option } from 'commander';
import { DEFAULT_RECOVERY_WINDOW_MS } from '../services/database-service.ts';
import { durationOrZeroFlag } from './flag-parsers.ts';

/** The `serve` flags for databases, each with its FLUXGATE_… variable. */
export function addDatabaseServeOptions(command: Command): Command {
  return command.addOption(
    new Option(
      '--database-recovery-window <duration>',
      'how long a deleted database can be undeleted before its files go, e.g. 7d (0: at once)',
    )
      .env('FLUXGATE_DATABASE_RECOVERY_WINDOW')
      .argParser(durationOrZeroFlag('--database-recovery-window'))
      .default(DEFAULT_RECOVERY_WINDOW_MS, '7d'),
  );
}

export function databaseConfigFrom(options: Record<string, unknown>): { databaseRecoveryWindowMs: number } {
  return { databaseRecoveryWindowMs: options.databaseRecoveryWindow as number };
}
