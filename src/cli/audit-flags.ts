import { type Command, Option } from 'commander';
import { durationFlag } from './flag-parsers.ts';

export const DEFAULT_AUDIT_RETENTION_MS = 400 * 86_400_000;

/** The `serve` flag for the audit log, with its FLUXGATE_… variable. */
export function addAuditServeOptions(command: Command): Command {
  return command.addOption(
    new Option('--audit-retention <duration>', 'how long audit entries are kept before they are pruned, e.g. 400d')
      .env('FLUXGATE_AUDIT_RETENTION')
      .argParser(durationFlag('--audit-retention'))
      .default(DEFAULT_AUDIT_RETENTION_MS, '400d'),
  );
}

export function auditConfigFrom(options: Record<string, unknown>): { auditRetentionMs: number } {
  return { auditRetentionMs: options.auditRetention as number };
}
