// A /health prober in its own process, so that what it measures is the server's answer and not the
// load generator's own event loop: `PROBE_TOKEN=… node health-probe.mjs URL INTERVAL_MS` (the token in
// the environment, which only its owner can read, not in the command line). It asks every
// INTERVAL_MS over one keep-alive connection until its stdin closes, then prints one JSON line per
// probe: [latency ms, status, ms its own thread waited for a CPU during the probe].

import { readFileSync } from 'node:fs';
import http from 'node:http';

const [url, intervalArg] = process.argv.slice(2);
const token = process.env.PROBE_TOKEN ?? '';
const interval = Number(intervalArg ?? 100);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const schedstat = `/proc/self/task/${process.pid}/schedstat`;
const waitedMs = () => Number(readFileSync(schedstat, 'utf8').split(' ')[1]) / 1e6;
const probes = [];
let stopped = false;
process.stdin.on('data', () => {});
process.stdin.on('end', () => {
  stopped = true;
});

function probe() {
  return new Promise((resolve) => {
    const waitedBefore = waitedMs();
    const t0 = performance.now();
    const done = (status) => {
      probes.push([performance.now() - t0, status, waitedMs() - waitedBefore]);
      resolve();
    };
    const outgoing = http.get(
      new URL('/health', url),
      { agent, headers: { authorization: `Bearer ${token}` } },
      (r) => {
        r.on('data', () => {});
        r.on('end', () => done(r.statusCode ?? 0));
        r.on('error', () => done(0));
      },
    );
    outgoing.on('error', () => done(0));
  });
}

while (!stopped) {
  await probe();
  await new Promise((resolve) => setTimeout(resolve, interval));
}
agent.destroy();
process.stdout.write(probes.map((p) => JSON.stringify(p)).join('\n'));
