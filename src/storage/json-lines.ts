// JSON lines (one JSON text per line, as InfluxDB 3's format=jsonl) as bytes: cut into whole lines, counted, cut short.
const NEWLINE = 0x0a;
/** The longest line kept while waiting for its end: a row this large is an upstream gone wrong. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Cuts a byte stream that arrives in pieces of any size into runs of whole lines: each run ends
 * with a newline, and the bytes after a piece's last newline wait for the next piece.
 */
export class WholeLines {
  private carry: Buffer[] = [];
  private carried = 0;

  /** The whole lines this piece completes (blank lines left out), or undefined while it completes none. */
  push(piece: Buffer): Buffer | undefined {
    const last = piece.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.hold(piece);
      return undefined;
    }
    const head = piece.subarray(0, last + 1);
    const lines = this.carried === 0 ? head : Buffer.concat([...this.carry, head], this.carried + head.length);
    this.carry = [];
    this.carried = 0;
    if (last + 1 < piece.length) this.hold(piece.subarray(last + 1));
    return withoutBlankLines(lines);
  }

  /** What is left at the end: a last line without its newline, given one. */
  end(): Buffer | undefined {
    if (this.carried === 0) return undefined;
    const rest = Buffer.concat(this.carry, this.carried);
    this.carry = [];
    this.carried = 0;
    return Buffer.concat([rest, Buffer.from('\n')]);
  }

  private hold(bytes: Buffer): void {
    this.carried += bytes.length;
    if (this.carried > MAX_LINE_BYTES) throw new RangeError(`a line longer than ${MAX_LINE_BYTES} bytes`);
    this.carry.push(bytes);
  }
}

/** How many lines a run of whole lines holds. */
export function lineCount(lines: Buffer): number {
  let count = 0;
  for (let at = lines.indexOf(NEWLINE); at >= 0; at = lines.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

/** The first `count` lines of a run of whole lines. */
export function firstLines(lines: Buffer, count: number): Buffer {
  let at = -1;
  for (let taken = 0; taken < count; taken++) {
    at = lines.indexOf(NEWLINE, at + 1);
    if (at < 0) return lines;
  }
  return lines.subarray(0, at + 1);
}

/** Lines with nothing between two newlines dropped (an empty line is no row); undefined when none is left. */
function withoutBlankLines(lines: Buffer): Buffer | undefined {
  if (lines[0] !== NEWLINE && lines.indexOf(BLANK_LINE) < 0) return lines;
  const kept = lines
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
  return kept.length === 0 ? undefined : Buffer.from(`${kept.join('\n')}\n`, 'utf8');
}

const BLANK_LINE = Buffer.from('\n\n');
