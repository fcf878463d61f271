import { writeSync } from 'node:fs';

/**
 * Failpoints: named places in the write path where a crash test can have the server kill itself,
 * so a crash lands exactly there instead of wherever a timer happens to fall. A test facility only.
 *
 * `FLUXGATE_FAILPOINTS='wal.append.mid:3,apply.commit.after:1'` makes the process SIGKILL itself on
 * the 3rd hit of `wal.append.mid` (or the 1st of `apply.commit.after`); a name without `:n` fires on
 * its first hit. Unset (always, outside such tests), `failpoint` returns at once and the guarded
 * `failpointTornWrite` calls are not even made. The names are listed in docs/operations.md.
 */
const armed = parse(process.env.FLUXGATE_FAILPOINTS);

/** Whether any failpoint is armed: guards the `failpointTornWrite` calls, so an unarmed process does no work at all. */
export const FAILPOINTS_ARMED = armed.size > 0;

/** SIGKILLs the process if this is the armed hit of `name`; otherwise returns. */
export function failpoint(name: string): void {
  if (FAILPOINTS_ARMED && fires(name)) die(name);
}

/**
 * Like `failpoint`, but when it fires it first writes the first half of `bytes` at `position` of
 * `file`, so the crash leaves a torn record behind. Call it as `if (FAILPOINTS_ARMED) await …`.
 */
export async function failpointTornWrite(
  name: string,
  file: { write(bytes: Buffer, position: number): Promise<void> },
  bytes: Buffer,
  position: number,
): Promise<void> {
  if (!fires(name)) return;
  await file.write(bytes.subarray(0, bytes.length >>> 1), position).catch(() => {});
  die(name);
}

interface Armed {
  hits: number;
  fireAt: number;
}

function fires(name: string): boolean {
  const point = armed.get(name);
  if (point === undefined) return false;
  point.hits++;
  return point.hits === point.fireAt;
}

function die(name: string): never {
  const point = armed.get(name)!;
  // Written synchronously, so the test reading the output knows where the process died.
  writeSync(2, `failpoint ${name} hit ${point.hits}: SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
  // Should kill() return before the signal takes the process, nothing more runs on this thread.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

function parse(spec: string | undefined): Map<string, Armed> {
  const points = new Map<string, Armed>();
  for (const item of (spec ?? '').split(',')) {
    const text = item.trim();
    if (text === '') continue;
    const match = /^([a-z][a-z0-9.-]*)(?::([1-9][0-9]*))?$/.exec(text);
    if (!match) throw new Error(`FLUXGATE_FAILPOINTS: '${text}' is not a name or name:hit (hit from 1)`);
    points.set(match[1]!, { hits: 0, fireAt: Number(match[2] ?? 1) });
  }
  return points;
}
