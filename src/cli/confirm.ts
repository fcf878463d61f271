import { createInterface } from 'node:readline/promises';
import { CliError } from './cli-error.ts';

/**
 * Asks `Are you sure you want to <action>? [y/N]` on a terminal; anything but y or yes declines, and
 * a decline fails the command. Without a terminal it refuses unless `flag` (`--yes`, `--force`) was
 * given: a script has to say so.
 */
export async function confirm(action: string, assumeYes: boolean | undefined, flag = '--yes'): Promise<void> {
  if (assumeYes) return;
  if (!process.stdin.isTTY) {
    throw new CliError(`refusing to ${action} without confirmation: pass ${flag} (there is no terminal to ask on)`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = (await rl.question(`Are you sure you want to ${action}? [y/N] `)).trim().toLowerCase();
  rl.close();
  if (answer !== 'yes' && answer !== 'y') throw new CliError('cancelled: nothing was changed');
}
