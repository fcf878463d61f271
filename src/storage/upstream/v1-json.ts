/**
 * JSON.parse for InfluxDB 1.x answers, with integers beyond 2^53 (nanosecond times with
 * `epoch=ns`, large integer fields) kept exact as bigints. Node 20's JSON.parse cannot show a
 * reviver the source text, so such numbers are found by scanning outside strings and quoted first.
 */
import { randomUUID } from 'node:crypto';

/** Unguessable, so no value an upstream client wrote can pass for a marked number. */
const MARK = `\u0000${randomUUID()}:`;

export function parseV1Json(text: string): unknown {
  let marked = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const start = i;
      i++;
      while (i < text.length && /[0-9.eE+-]/.test(text[i]!)) i++;
      const number = text.slice(start, i);
      if (/^-?\d+$/.test(number) && !Number.isSafeInteger(Number(number))) {
        marked += `${text.slice(last, start)}"\\u0000${MARK.slice(1)}${number}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  marked += text.slice(last);
  return JSON.parse(marked, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value,
  );
}
