#!/usr/bin/env node
// `npm test`: type check, lint (formatting included), build the console and run its component tests,
// bring up PostgreSQL and Chromium, then every test file explicitly (Node 20's runner does not find
// .ts files itself) and a check that tests really ran.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Raise this when tests are added: a run that counts fewer tests has lost some. */
const MIN_TESTS = 1582;

function step(title, command, args) {
  console.log(`\n== ${title}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found.sort();
}

function postgresReady() {
  return spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432'], { stdio: 'ignore' }).status === 0;
}

function ensurePostgres() {
  if (postgresReady()) return;
  console.log('\n== PostgreSQL is down; starting the local cluster');
  const versions = readdirSync('/etc/postgresql');
  for (const version of versions) {
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  }
  for (let i = 0; i < 30 && !postgresReady(); i++) execFileSync('sleep', ['1']);
  if (!postgresReady()) {
    console.error('PostgreSQL could not be started on 127.0.0.1:5432; the catalog suites need it.');
    process.exit(1);
  }
}

const CHROMIUM = '/usr/bin/chromium';

/** The browser tests drive Debian's Chromium; install the package when it is missing (CI runs as root). */
function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  console.log(`\n== ${CHROMIUM} is missing; installing Debian's chromium package`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit', env });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    install();
  }
  if (!existsSync(CHROMIUM)) {
    console.error(
      `Chromium could not be installed at ${CHROMIUM} (apt-get install -y chromium); the console tests need it.`,
    );
    process.exit(1);
  }
}

// The type check also emits the JavaScript the tests start fluxgate from (dist/, not committed):
// tsx costs each process start about half a CPU-second, and the suite starts hundreds.
rmSync('dist', { recursive: true, force: true });
step('type check (and compile for the test processes)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit', 'false']);
// The compiled console-assets.js looks for the console build one directory deeper than the sources do.
mkdirSync('dist/console', { recursive: true });
symlinkSync('../../console/dist', 'dist/console/dist');
step('console type check', 'npx', ['tsc', '-p', 'console/tsconfig.json', '--noEmit']);
step('lint and format', 'npx', ['biome', 'check', '.']);
// The browser tests must test the console as it is in the tree, not an older build.
step('console build', 'npm', ['run', '--silent', 'build:console']);
// Vitest's summary is no TAP line: its exit code decides (it also fails when it finds no test file).
step('console component tests', 'npx', ['vitest', 'run', '--root', 'console']);
ensurePostgres();
ensureChromium();

/**
 * The files that take longest (30–70 s each, measured with three at a time), started first: in name
 * order the longest ran near the end with the other two slots idle (1,321 s of files took 519 s,
 * against 440 s packed evenly). The list only orders: an entry whose file is gone is skipped, and a
 * slow file missing from it runs in name order.
 */
const SLOW_FIRST = [
  'test/e2e/write-disk-full.test.ts',
  'test/e2e/query-hardening.test.ts',
  'test/cli/operator-recovery.test.ts',
  'test/e2e/write-crash-replay-points.test.ts',
  'test/e2e/influxql-streaming.test.ts',
  'test/e2e/readme-quick-start.test.ts',
  'test/cli/token-lifecycle.test.ts',
  'test/e2e/hardening-edges.test.ts',
  'test/e2e/write-crash-ingest-points.test.ts',
  'test/e2e/console/database-tokens-table.test.ts',
  'test/e2e/console/oidc-sign-in.test.ts',
];

/** Every test file, the slow ones first. */
function orderedTests() {
  const found = findTests('test');
  const slow = SLOW_FIRST.filter((file) => found.includes(file));
  return [...slow, ...found.filter((file) => !slow.includes(file))];
}

const files = process.argv.length > 2 ? process.argv.slice(2) : orderedTests();
if (files.length === 0) {
  console.error('no test files found under test/');
  process.exit(1);
}
console.log(`\n== ${files.length} test files`);
// Three files at a time: most of a file's time is spent waiting on servers it started, and one at a
// time (Node's default on two cores) took the suite past 10 minutes (9.5 min serial, 5.5 min with 3).
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-reporter=tap', '--test-timeout=180000', ...files],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FLUXGATE_TEST: '1', FLUXGATE_TEST_CLI: join(process.cwd(), 'dist/src/cli/main.js') },
  },
);
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tail)?.[1] ?? Number.NaN);
  const tests = count('tests');
  const failed = count('fail');
  if (code !== 0) process.exit(code ?? 1);
  const partial = process.argv.length > 2 ? ' (a subset of files)' : '';
  // A subset of files only has to run something; the whole suite has to run at least MIN_TESTS.
  const minimum = partial === '' ? MIN_TESTS : 1;
  if (!(tests >= minimum) || failed !== 0) {
    console.error(`expected at least ${minimum} tests and no failures; counted tests=${tests} fail=${failed}`);
    process.exit(1);
  }
  console.log(`\n${tests - failed} passed, ${failed} failed${partial}`);
});
