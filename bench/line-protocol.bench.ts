// Line-protocol parser throughput: a realistic 5,000-line batch (100 series) parsed repeatedly for
// ~2 seconds after a warm-up, then the same lines in 500-line batches for ~1 second, by the byte
// parser the server uses (request bytes into columns) and by the general text parser (its fallback
// for uncommon lines), side by side with their ratio; then a 5,000-line batch of the realistic mix
// the ingest bench writes (bench/peer/realistic-lines.ts: 3-decimal, full-precision and exponent
// floats, an integer, a string field, a timestamp per point), for ~2 seconds.
// Prints lines/s and MB/s by wall clock and by CPU time (steadier on a shared machine), and the
// share of wall time spent in garbage collection. Last, the server's parse pool: the realistic
// batches parsed on its worker thread, four at a time, with the event loop's busy time per batch
// (copying the body out, taking the batch back) beside the time parsing it inline costs.
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseLineProtocol } from '../src/storage/lineprotocol/parse.ts';
import { parseLineProtocolBuffer } from '../src/storage/lineprotocol/parse-buffer.ts';
import { ParsePool } from '../src/storage/lineprotocol/parse-pool.ts';
import { realisticBatches } from './peer/realistic-lines.ts';

/** Parses one body; returns how many points and errors it gave. */
type Parser = (body: Buffer) => { points: number; errors: number };

const PARSERS: Record<string, Parser> = {
  'byte parser (server)': (body) => {
    const batch = parseLineProtocolBuffer(body, 'ns');
    return { points: batch.pointCount, errors: batch.errors.length };
  },
  // The body is decoded first, as the server did before it parsed bytes.
  'general text parser': (body) => {
    const result = parseLineProtocol(body.toString('utf8'), 'ns');
    return { points: result.points.length, errors: result.errors.length };
  },
};

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const SERIES = 100;
const LINES = 5_000;
const SMALL_BATCH = 500;
const WARM_UP_MS = 500;

function buildLines(): string[] {
  const lines: string[] = [];
  const baseNs = 1_732_500_000_000_000_000n;
  for (let i = 0; i < LINES; i++) {
    const series = i % SERIES;
    // Every scrape writes all series with one timestamp, ten seconds apart.
    const timestamp = baseNs + BigInt(Math.floor(i / SERIES)) * 10_000_000_000n;
    const user = (Math.random() * 100).toFixed(2);
    const system = (Math.random() * 20).toFixed(3);
    const idle = (100 - Number(user)).toFixed(4);
    const count = Math.floor(Math.random() * 100_000);
    const region = series % 2 === 0 ? 'us' : 'eu';
    lines.push(
      `cpu,host=host${series},region=${region} usage_user=${user},usage_system=${system},usage_idle=${idle},count=${count}i ${timestamp}`,
    );
  }
  return lines;
}

function toBody(lines: string[]): Buffer {
  return Buffer.from([...lines, ''].join('\n'));
}

interface Run {
  lines: number;
  bytes: number;
  wallMs: number;
  cpuMs: number;
  gcMs: number;
}

async function measure(parse: Parser, bodies: Buffer[], linesPerBody: number, ms: number): Promise<Run> {
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let lines = 0;
  let bytes = 0;
  let wallMs = 0;
  for (let i = 0; wallMs < ms; i++) {
    const body = bodies[i % bodies.length]!;
    const result = parse(body);
    if (result.points !== linesPerBody || result.errors !== 0) throw new Error('a batch did not parse');
    lines += linesPerBody;
    bytes += body.length;
    wallMs = performance.now() - started;
  }
  const cpu = process.cpuUsage(cpuStart);
  // GC entries are delivered asynchronously.
  await sleep(0);
  observer.disconnect();
  return { lines, bytes, wallMs, cpuMs: (cpu.user + cpu.system) / 1_000, gcMs };
}

function report(title: string, run: Run): number {
  const rate = (amount: number, ms: number) => (amount * 1_000) / ms;
  const lines = (ms: number) => Math.round(rate(run.lines, ms)).toLocaleString('en-US').padStart(10);
  const mb = (ms: number) => (rate(run.bytes, ms) / 1e6).toFixed(1).padStart(6);
  const gcShare = ((run.gcMs / run.wallMs) * 100).toFixed(0);
  console.log(title);
  console.log(`  wall: ${lines(run.wallMs)} lines/s ${mb(run.wallMs)} MB/s   (gc ${gcShare}% of wall time)`);
  console.log(`  cpu:  ${lines(run.cpuMs)} lines/s ${mb(run.cpuMs)} MB/s`);
  return rate(run.lines, run.cpuMs);
}

const allLines = buildLines();
const batch = toBody(allLines);
const smallBatches = Array.from({ length: LINES / SMALL_BATCH }, (_, i) =>
  toBody(allLines.slice(i * SMALL_BATCH, (i + 1) * SMALL_BATCH)),
);
const [realistic] = realisticBatches({
  batches: 1,
  series: SERIES,
  stepsPerBatch: LINES / SERIES,
  startSeconds: 1_732_500_000,
  seed: 42,
});
console.log(
  `line protocol: ${LINES} lines, ${SERIES} series, ${(batch.length / 1000).toFixed(0)} kB per batch; ` +
    `realistic mix ${(realistic!.length / 1000).toFixed(0)} kB per batch`,
);

for (const [batchTitle, bodies, linesPerBody, ms] of [
  [`${LINES}-line batches, 2 s`, [batch], LINES, 2_000],
  [`${SMALL_BATCH}-line batches, 1 s`, smallBatches, SMALL_BATCH, 1_000],
  [`realistic mix, ${LINES}-line batches, 2 s`, [realistic!], LINES, 2_000],
] as const) {
  const cpuRates: number[] = [];
  for (const [name, parse] of Object.entries(PARSERS)) {
    await measure(parse, [...bodies], linesPerBody, WARM_UP_MS);
    gc();
    cpuRates.push(report(`${batchTitle}, ${name}:`, await measure(parse, [...bodies], linesPerBody, ms)));
  }
  console.log(
    `  byte parser ÷ general text parser (lines per CPU-second) = ${(cpuRates[0]! / cpuRates[1]!).toFixed(2)}`,
  );
}

// The parse pool: how much of a batch's parse is left on the event loop.
const pool = new ParsePool(1);
await pool.started();
const POOL_BATCHES = 200;
const poolBodies = Array.from({ length: 4 }, () => realistic!);
for (let i = 0; i < 20; i++) await Promise.all(poolBodies.map((body) => pool.parse(body, 'ns')));
gc();
const loop = performance.eventLoopUtilization();
const poolStarted = performance.now();
for (let i = 0; i < POOL_BATCHES / poolBodies.length; i++) {
  const batches = await Promise.all(poolBodies.map((body) => pool.parse(body, 'ns')));
  if (batches.some((parsed) => parsed.pointCount !== LINES || parsed.errors.length > 0))
    throw new Error('a batch did not parse');
}
const poolWallMs = performance.now() - poolStarted;
const loopBusyMs = performance.eventLoopUtilization(loop).active;
const inlineStarted = performance.now();
for (let i = 0; i < POOL_BATCHES; i++) parseLineProtocolBuffer(realistic!, 'ns');
const inlineMs = performance.now() - inlineStarted;
await pool.close();
console.log(`realistic mix, ${LINES}-line batches through the parse pool (1 worker), ${POOL_BATCHES} batches:`);
console.log(
  `  event loop busy ${(loopBusyMs / POOL_BATCHES).toFixed(2)} ms per batch, inline parse ${(inlineMs / POOL_BATCHES).toFixed(2)} ms per batch ` +
    `(${((loopBusyMs / inlineMs) * 100).toFixed(0)} % left on the event loop); ` +
    `pool wall ${Math.round((POOL_BATCHES * LINES * 1000) / poolWallMs).toLocaleString('en-US')} lines/s`,
);
