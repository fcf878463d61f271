const NEWLINE = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const RETURN = 0x0d;
const HASH = 0x23;

/**
 * The lines of a line-protocol body that carry a point (not blank, not a `#` comment), counted
 * without parsing them: what a gateway that forwards the body reports as written.
 */
export function pointLines(body: Uint8Array): number {
  let count = 0;
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = body.length;
    let at = start;
    while (at < end && (body[at] === SPACE || body[at] === TAB || body[at] === RETURN)) at++;
    if (at < end && body[at] !== HASH) count++;
    start = end + 1;
  }
  return count;
}
