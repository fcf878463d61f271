import { createInterface, type Interface } from 'node:readline';

/** Questions on the terminal (prompts on stderr, so stdout stays for results); secrets are not echoed. */
export class Asker {
  private readonly rl: Interface;
  private muted = false;

  constructor() {
    this.rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // readline echoes through this method: while a secret is typed, show nothing but the line end.
    const internal = this.rl as unknown as { _writeToOutput: (text: string) => void };
    const write = internal._writeToOutput.bind(this.rl);
    internal._writeToOutput = (text: string) => {
      if (!this.muted) write(text);
      else if (text.includes('\n') || text.includes('\r')) process.stderr.write('\n');
    };
  }

  /** Asks once; an empty answer keeps `current` (shown in brackets, or as "unchanged" for a secret). */
  async question(label: string, current: string | undefined, options: { secret?: boolean } = {}): Promise<string> {
    const shown = current === undefined || current === '' ? '' : options.secret ? ' [unchanged]' : ` [${current}]`;
    const answer = new Promise<string>((resolve) => this.rl.question(`${label}${shown}: `, resolve));
    this.muted = options.secret === true;
    try {
      const text = (await answer).trim();
      return text === '' ? (current ?? '') : text;
    } finally {
      this.muted = false;
    }
  }

  close(): void {
    this.rl.close();
  }
}
