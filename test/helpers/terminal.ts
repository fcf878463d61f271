import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_ENTRY } from './server-process.ts';

const BIN = CLI_ENTRY;

export interface TerminalRun {
  /** Resolves once the terminal has shown `text` (after what was already awaited); rejects if the command ends first. */
  expect(text: string): Promise<void>;
  /** Types a line, as a user pressing Enter. */
  type(line: string): void;
  /** Everything the terminal showed, escape sequences removed. */
  screen(): string;
  exited: Promise<number | null>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal output is made of them
const ESCAPE_SEQUENCE = /\x1b\[[0-9;?]*[A-Za-z]/g;

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `fluxgate ARGS` under a real pseudo-terminal (util-linux `script`), so stdin.isTTY is true and
 * prompts behave as for a person. Input is typed only after the expected prompt appeared: no timing.
 */
export function runInTerminal(args: string[], env: Record<string, string>): TerminalRun {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      XDG_CONFIG_HOME: join(tmpdir(), 'fluxgate-tests-have-no-config'),
      TERM: 'dumb',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let consumed = 0;
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let ended = false;
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      ended = true;
      for (const wake of waiters) wake();
      resolve(code);
    });
  });
  const screen = () => output.replace(ESCAPE_SEQUENCE, '').replace(/\r/g, '');
  return {
    screen,
    exited,
    type: (line) => child.stdin.write(`${line}\r`),
    expect: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const at = screen().indexOf(text, consumed);
          if (at >= 0) {
            consumed = at + text.length;
            waiters.delete(check);
            resolve();
          } else if (ended) {
            waiters.delete(check);
            reject(new Error(`the command ended without showing ${JSON.stringify(text)}; it showed:\n${screen()}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}
