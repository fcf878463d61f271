import { type Command, Option } from 'commander';
import { CliError } from './cli-error.ts';
import type { GlobalOptions } from './connection.ts';
import { renderRows } from './output.ts';
import { v0From } from './v0-api.ts';

interface AuditEntryJson {
  id: string;
  seq: number;
  time: string;
  actorTokenId?: string;
  actorName?: string;
  actorKind?: string;
  action: string;
  targetKind?: string;
  targetId?: string;
  targetName?: string;
  outcome: string;
  sourceAddress?: string;
  requestId?: string;
  count?: number;
  details?: Record<string, unknown>;
}

interface VerifyReportJson {
  ok: boolean;
  checked: number;
  anchor: { seq: number; hash: string } | null;
  head?: { seq: number; hash: string } | null;
  problem?: { seq: number; id: string; kind: string; message: string };
}

const formatOption = () => new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');

const COLUMNS = ['seq', 'time', 'actor', 'action', 'target', 'outcome', 'source', 'count'];

function row(entry: AuditEntryJson) {
  const target = entry.targetName ?? entry.targetId;
  return {
    seq: entry.seq,
    time: entry.time,
    actor: entry.actorName ?? entry.actorTokenId ?? '',
    action: entry.action,
    target: target === undefined ? '' : `${entry.targetKind ?? ''} ${target}`.trim(),
    outcome: entry.outcome,
    source: entry.sourceAddress ?? '',
    count: entry.count ?? 1,
  };
}

const wholeNumber = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1000)
    throw new CliError(`--limit: '${value}' is not a whole number from 1 to 1000`, 2);
  return value;
};

/** `audit list|verify`: the hash-chained audit log over `/api/v0/audit`. */
export function addAuditCommands(program: Command, globals: () => GlobalOptions): void {
  const audit = program.command('audit').description('the audit log of every management action');

  audit
    .command('list')
    .description('audit entries, newest first')
    .option('--since <when>', 'RFC3339 time or a duration back from now, e.g. 24h')
    .option('--until <when>', 'RFC3339 time or a duration back from now')
    .option('--actor <actor>', 'a token id or name')
    .option('--action <action>', 'an action, or a prefix ending in * (database_token.*)')
    .addOption(new Option('--outcome <outcome>', 'only this outcome').choices(['ok', 'denied', 'failed']))
    .addOption(new Option('--limit <n>', 'most entries to show (1-1000; default 100)').argParser(wholeNumber))
    .addOption(formatOption())
    .action(
      async (options: {
        since?: string;
        until?: string;
        actor?: string;
        action?: string;
        outcome?: string;
        limit?: string;
        format: string;
      }) => {
        const v0 = v0From(globals());
        const { format, ...query } = options;
        const entries = await v0.client.json<AuditEntryJson[]>('GET', v0.path('/audit', query));
        if (format === 'json') console.log(JSON.stringify(entries, null, 2));
        else console.log(renderRows(entries.map(row), COLUMNS, 'table'));
      },
    );

  audit
    .command('verify')
    .description('check the hash chain; exit 1 naming the first entry that was edited, removed or reordered')
    .addOption(formatOption())
    .action(async (options: { format: string }) => {
      const v0 = v0From(globals());
      const report = await v0.client.json<VerifyReportJson>('GET', v0.path('/audit/verify'));
      if (options.format === 'json') console.log(JSON.stringify(report, null, 2));
      if (!report.ok) {
        const problem = report.problem;
        throw new CliError(
          problem === undefined
            ? `the audit chain does not verify (${report.checked} entries checked)`
            : `the audit chain is broken at entry ${problem.id} (seq ${problem.seq}, ${problem.kind}): ${problem.message}`,
        );
      }
      if (options.format !== 'json') {
        const head = report.head ? `, head seq ${report.head.seq}` : '';
        const anchor = report.anchor ? `, from anchor seq ${report.anchor.seq}` : '';
        console.log(`ok: ${report.checked} entries verified${anchor}${head}`);
      }
    });
}
