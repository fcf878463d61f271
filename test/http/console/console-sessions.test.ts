import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PAGES, SIGN_IN_PATH } from '../../../console/src/routes.ts';
import { CONSOLE_PAGE_PATHS } from '../../../src/http/console/console-pages.ts';
import { ConsoleSessions, csrfMatches } from '../../../src/http/console/console-sessions.ts';

const limits = { idleMs: 1_000, maxAgeMs: 5_000, maxSessions: 3 };

test('a session is found by its id, and the id is not what the store keys it by', () => {
  let now = 0;
  const sessions = new ConsoleSessions(() => now, limits);
  const { id, session } = sessions.create('fga_secret');
  assert.match(id, /^[A-Za-z0-9_-]{43}$/);
  now = 500;
  assert.equal(sessions.use(id), session);
  assert.equal(sessions.use(`${id}x`), undefined);
  assert.equal(session.lastSeenAt, 500);
});

test('a session ends when idle too long, when too old however busy, and when ended', () => {
  let now = 0;
  const sessions = new ConsoleSessions(() => now, limits);
  const idle = sessions.create('a').id;
  now = 1_001;
  assert.equal(sessions.use(idle), undefined, 'idle for longer than idleMs');

  const busy = sessions.create('b').id;
  for (now = 1_500; now < 6_000; now += 900) assert.ok(sessions.use(busy), `still alive at ${now}`);
  now = 6_502;
  assert.equal(sessions.use(busy), undefined, 'older than maxAgeMs');

  const ended = sessions.create('c').id;
  assert.equal(sessions.end(ended), true);
  assert.equal(sessions.use(ended), undefined);
});

test('beyond the limit the least recently used session makes room', () => {
  let now = 0;
  const sessions = new ConsoleSessions(() => now, limits);
  const a = sessions.create('a').id;
  const b = sessions.create('b').id;
  const c = sessions.create('c').id;
  now = 10;
  sessions.use(a);
  sessions.create('d');
  assert.equal(sessions.size, 3);
  assert.equal(sessions.use(b), undefined, 'b was the least recently used');
  assert.ok(sessions.use(a));
  assert.ok(sessions.use(c));
});

test('the CSRF token must match exactly', () => {
  const sessions = new ConsoleSessions(() => 0, limits);
  const { session } = sessions.create('a');
  assert.equal(csrfMatches(session, session.csrfToken), true);
  assert.equal(csrfMatches(session, undefined), false);
  assert.equal(csrfMatches(session, ''), false);
  assert.equal(csrfMatches(session, `${session.csrfToken.slice(0, -1)}A`), session.csrfToken.endsWith('A'));
});

test('the server serves the console at exactly the paths its router knows', () => {
  assert.deepEqual([...CONSOLE_PAGE_PATHS].sort(), ['/', SIGN_IN_PATH, ...PAGES.map((page) => page.path)].sort());
});
