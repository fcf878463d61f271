import { createInterface } from 'node:readline/promises';
import { CliError } from './cli-error.ts';

/** Asks for `yes` on a terminal; without one, refuses unless `--yes` was given (scripts must say so). */
export async function confirm(question: string, assumeYes: boolean | undefined): Promise<void> {
  if (assumeYes) return;
  if (!process.stdin.isTTY) throw new CliError(`${question} Refusing without confirmation: pass --yes`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = (await rl.question(`${question} Enter 'yes' to confirm: `)).trim().toLowerCase();
  rl.close();
  if (answer !== 'yes' && answer !== 'y') throw new CliError('cancelled');
}
