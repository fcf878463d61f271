// Line protocol as clients really print it, for the benchmarks: one line per series per second, with
//   usage_user, usage_idle  3-decimal floats (what a gauge rounded for display looks like);
//   usage_system            full-precision doubles as JavaScript's String(x) prints them (up to 17
//                           significant digits: 29.666666666666668, 7.3500000000000005);
//   load                    exponent floats (1e-7, 2.5e+21, 3.3749999999999997e-7);
//   count                   an integer (`42i`);
//   state                   a string field;
// and a nanosecond timestamp that differs per point (each series writes at its own offset within the
// second). Optionally a share of lines rewrite the fields of a point written in an earlier batch.

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RealisticOptions {
  batches: number;
  series: number;
  /** Seconds per batch: a batch holds series × stepsPerBatch lines. */
  stepsPerBatch: number;
  startSeconds: number;
  seed: number;
  /** Share of lines (0..1) that rewrite a point of an earlier batch instead of writing a new one. */
  rewriteShare?: number;
  /** How many batches back a rewrite may reach. */
  rewriteReach?: number;
}

export const MEASUREMENT = 'cpu';
const POOL = 65_536;
const STATES = ['ok', 'ok', 'ok', 'degraded', 'throttled', 'ok, recovering after a restart'];
/** Nanoseconds each series is offset by within its second; the rest of the slot is per-point jitter. */
const SERIES_SLOT_NS = 10_000_000;

/** The nanosecond offset within its second of series `h`'s point at second `second` (the same every run). */
function offsetNs(second: number, h: number): number {
  let x = Math.imul(second ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(h + 1, 0xc2b2ae35);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (h % 100) * SERIES_SLOT_NS + (((x ^ (x >>> 13)) >>> 0) % SERIES_SLOT_NS);
}

function timestamp(second: number, h: number): string {
  return `${second}${String(offsetNs(second, h)).padStart(9, '0')}`;
}

/**
 * Pools of printed values, picked by the seeded generator: printing millions of doubles with
 * String(x) would take longer than the benchmark, and 65,536 distinct values per field are as many
 * as any parser cache could care about.
 */
function pools(next: () => number) {
  const pool = (make: (i: number) => string) => Array.from({ length: POOL }, (_, i) => make(i));
  const threeDecimals = (low: number, high: number) => pool(() => (low + next() * (high - low)).toFixed(3));
  return {
    user: threeDecimals(0, 60),
    idle: threeDecimals(20, 100),
    // Half are thirds as a client computing a ratio prints them, half random doubles.
    system: pool((i) => String(i % 2 === 0 ? (i % 89) / 3 : next() * 20)),
    load: pool((i) => {
      switch (i % 4) {
        case 0:
          return String(next() * 1e-6); // 3.3749999999999997e-7
        case 1:
          return `${(next() * 9 + 1).toFixed(1)}e${i % 8 === 1 ? '+21' : '-7'}`; // 2.5e+21, 4.2e-7
        case 2:
          return String(Math.round(next() * 9 + 1) * 1e-7); // 1e-7, 3e-7, 7.000000000000001e-7
        default:
          return String((next() + 0.5) * 1e21); // 1.2345678901234567e+21
      }
    }),
  };
}

/** The batches, each a Buffer of series × stepsPerBatch lines ending in newlines. */
export function realisticBatches(options: RealisticOptions): Buffer[] {
  const { batches: count, series, stepsPerBatch, startSeconds, seed } = options;
  const rewriteShare = options.rewriteShare ?? 0;
  const reach = options.rewriteReach ?? 20;
  const next = random(seed);
  const { user, idle, system, load } = pools(next);
  const prefixes = Array.from(
    { length: series },
    (_, h) => `${MEASUREMENT},host=host${h},region=${h % 2 === 0 ? 'us' : 'eu'} `,
  );
  const batches: Buffer[] = [];
  for (let b = 0; b < count; b++) {
    let text = '';
    for (let step = 0; step < stepsPerBatch; step++) {
      const second = startSeconds + b * stepsPerBatch + step;
      for (let h = 0; h < series; h++) {
        const x = (next() * 2 ** 32) >>> 0;
        const y = (next() * 2 ** 32) >>> 0;
        const state = STATES[y % STATES.length]!;
        if (b > 0 && next() < rewriteShare) {
          // A correction of an earlier point of the same series: two of its fields, last write wins.
          const back = 1 + Math.floor(next() * Math.min(b, reach));
          const earlier = startSeconds + (b - back) * stepsPerBatch + Math.floor(next() * stepsPerBatch);
          text += `${prefixes[h]}usage_user=${user[x & 0xffff]},state="${state}" ${timestamp(earlier, h)}\n`;
          continue;
        }
        text +=
          prefixes[h] +
          'usage_user=' +
          user[x & 0xffff] +
          ',usage_system=' +
          system[x >>> 16] +
          ',usage_idle=' +
          idle[y & 0xffff] +
          ',load=' +
          load[(y >>> 16) ^ (x & 0xff)] +
          ',count=' +
          (y >>> 22) +
          'i,state="' +
          state +
          '" ' +
          timestamp(second, h) +
          '\n';
      }
    }
    batches.push(Buffer.from(text, 'latin1'));
  }
  return batches;
}
