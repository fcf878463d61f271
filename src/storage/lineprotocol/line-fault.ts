/**
 * Thrown inside the parser to abandon one line; `parseLineProtocol` turns it into a `LineError`.
 * Deliberately not an `Error`: no stack trace is captured, so bad lines stay cheap.
 */
export class LineFault {
  readonly message: string;

  constructor(message: string) {
    this.message = message;
  }
}

export function fault(message: string): never {
  throw new LineFault(message);
}

const MAX_QUOTED = 64;

/** Quotes user text for an error message, clipping it so one huge key cannot bloat an error body. */
export function quote(text: string): string {
  const clipped = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return `'${clipped}'`;
}
