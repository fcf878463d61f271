import { type Command, Option } from 'commander';
import { confirm } from './confirm.ts';
import type { GlobalOptions } from './connection.ts';
import { confirmRotation, rotateBody } from './rotate-flags.ts';
import { forEachArgument, v0From } from './v0-api.ts';
import { printIssued, type V0TokenJson } from './v0-token-output.ts';

/** What tells the v0 token kinds apart in the commands they share. */
export interface V0TokenKind {
  /** `database token`, `management token`: how messages name one. */
  noun: string;
  /** The v0 collection: `/tokens`, `/management-tokens`. */
  resource: string;
  /** What a rotation keeps besides the id: `permissions`, `role`. */
  keeps: string;
}

export const v0FormatOption = () =>
  new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');

export const v0TokenPath = (kind: V0TokenKind, id: string) => `${kind.resource}/${encodeURIComponent(id)}`;

/** `revoke ID… [--force]` and `rotate ID [--grace] [--force]`, the same for every v0 token kind. */
export function addRevokeAndRotate(
  parent: Command,
  kind: V0TokenKind,
  globals: () => GlobalOptions,
  revokeAliases: string[] = [],
): void {
  const plural = `${kind.noun}s`;
  const capitalized = kind.noun[0]?.toUpperCase() + kind.noun.slice(1);
  parent
    .command('revoke')
    .aliases(revokeAliases)
    .description(`revoke ${plural}; their next request gets 401 (cannot be undone)`)
    .argument('<id...>', 'token ids')
    .option('--force', 'do not ask for confirmation')
    .action(async (ids: string[], options: { force?: boolean }) => {
      const what = ids.length === 1 ? `the ${kind.noun} ${ids[0]}` : `${ids.length} ${plural}`;
      await confirm(`revoke ${what} (this cannot be undone)`, options.force, '--force');
      const v0 = v0From(globals());
      await forEachArgument(ids, 'revocations', async (id) => {
        await v0.client.json('DELETE', v0.path(v0TokenPath(kind, id)));
        console.log(`${capitalized} ${id} revoked.`);
      });
    });

  parent
    .command('rotate')
    .description(`give a ${kind.noun} a new secret (same id and ${kind.keeps}); shown once`)
    .argument('<id>', 'token id')
    .option('--grace <duration>', 'how long the old secret keeps working, e.g. 1h (default 0s: it stops at once)')
    .option('--force', 'do not ask for confirmation when the old secret stops at once')
    .addOption(v0FormatOption())
    .action(async (id: string, options: { grace?: string; force?: boolean; format: string }) => {
      const body = rotateBody(options.grace);
      await confirmRotation(`the ${kind.noun} ${id}`, body, options.force);
      const v0 = v0From(globals());
      const path = v0.path(`${v0TokenPath(kind, id)}/rotate`);
      printIssued(await v0.client.json<V0TokenJson>('POST', path, body), options.format);
    });
}
