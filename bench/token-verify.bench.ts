// Verify + authorize a token in process against a TokenIndex of 1k, 100k and 1M tokens.
// Prints checks/s on one core, p50/p99 latency over known tokens drawn at random from the whole
// index, memory per indexed token (JS heap and typed-array buffers), and the rejection rates for
// unknown and malformed tokens next to the known-token rate (ratios side by side).
import { verifyToken } from '../src/auth/authenticator.ts';
import { TokenIndex } from '../src/auth/token-index.ts';
import type { TokenRecord } from '../src/catalog/catalog.ts';
import { dbActionBits, type Need } from '../src/domain/permissions.ts';
import { generateToken, hashToken } from '../src/domain/token-format.ts';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const WRITE: Need = { kind: 'db', dbId: 7, actions: dbActionBits('write') };
const now = Date.now();

function record(id: number): TokenRecord {
  return {
    id,
    kind: 'database',
    name: `writer-${id}`,
    description: null,
    hint: 'fgd_xxxx…',
    createdAt: now,
    createdBy: 1,
    updatedAt: null,
    updatedBy: null,
    expiresAt: now + 86_400_000,
    revokedAt: null,
    lastUsedAt: null,
    role: null,
    grants: [{ type: 'db', databases: [id % 50, 7], actions: dbActionBits('read', 'write') }],
  };
}

/** Tokens as the HTTP layer hands them over: flat strings, not the rope generateToken builds. */
function presented(token: string): string {
  return Buffer.from(token, 'latin1').toString('latin1');
}

/** Memory the index can hold: its JS objects and the buffers behind its typed arrays. */
function memoryInUse(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

function rate(tokens: string[], iterations: number, check: (token: string) => boolean): number {
  let ok = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (check(tokens[i % tokens.length]!)) ok++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (ok < 0) console.log(ok);
  return iterations / seconds;
}

function latencies(tokens: string[], samples: number, check: (token: string) => boolean): { p50: number; p99: number } {
  const times = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const token = tokens[(i * 7919) % tokens.length]!;
    const start = process.hrtime.bigint();
    check(token);
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  times.sort();
  return { p50: times[Math.floor(samples * 0.5)]!, p99: times[Math.floor(samples * 0.99)]! };
}

console.log('token verify + authorize, one core');
console.log('tokens     known/s   unknown/s  malformed/s  unknown÷known  p50 µs  p99 µs  bytes/token');
for (const size of [1_000, 100_000, 1_000_000]) {
  const tokens = Array.from({ length: size }, () => presented(generateToken('database')));
  const hashes = tokens.map(hashToken);
  gc();
  const before = memoryInUse();
  const index = new TokenIndex({ maxEntries: 2_000_000, maxRemembered: 100_000 });
  for (let i = 0; i < size; i++) index.put(record(i + 1), [{ hash: hashes[i]!, tokenId: i + 1, retiresAt: null }]);
  hashes.length = 0;
  gc();
  const bytesPerToken = (memoryInUse() - before) / size;
  const known = (token: string) => verifyToken(index, token, now)?.authority.allows(WRITE) === true;
  // Spread over the whole index; a server holds no token strings, so the rest are let go.
  const sample = Array.from({ length: Math.min(size, 100_000) }, () => tokens[Math.floor(Math.random() * size)]!);
  tokens.length = 0;
  gc();
  const unknown = Array.from({ length: 10_000 }, () => presented(generateToken('database')));
  const malformed = unknown.map((t) => presented(`${t.slice(0, -1)}${t.endsWith('0') ? '1' : '0'}`));
  rate(sample, 200_000, known);
  const knownRate = rate(sample, 1_000_000, known);
  const unknownRate = rate(unknown, 1_000_000, known);
  const malformedRate = rate(malformed, 1_000_000, known);
  const { p50, p99 } = latencies(sample, 100_000, known);
  console.log(
    `${String(size).padEnd(9)} ${Math.round(knownRate).toLocaleString('en').padStart(9)} ${Math.round(unknownRate).toLocaleString('en').padStart(11)} ${Math.round(malformedRate).toLocaleString('en').padStart(12)}  ${(unknownRate / knownRate).toFixed(2).padStart(12)}  ${p50.toFixed(2).padStart(6)}  ${p99.toFixed(2).padStart(6)}  ${Math.round(bytesPerToken).toString().padStart(11)}`,
  );
}
console.log('targets: ≥ 300,000 known checks/s, p99 ≤ 10 µs at 1M, ≤ 1 KB per token, unknown rate ≥ known rate');
