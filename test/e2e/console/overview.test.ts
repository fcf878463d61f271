import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openTab, screenshot } from '../../helpers/browser.ts';
import { bootstrap, call } from '../../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

let server: ServerProcess;
let browser: Browser;
let operator: string;

interface Minute {
  start: string;
  ok: number;
  unauthorized: number;
  forbidden: number;
  throttled: number;
}

/** Not a token (its checksum is wrong): each use counts towards the per-address failure throttle. */
const BOGUS = `fgd_${'Zz9'.repeat(14)}x123456`;
let memberRefusal: string;

before(async () => {
  // A low throttle limit, so that a few guesses from this address are answered 429.
  server = await startServerProcess({ args: ['--auth-failure-limit', '3'] });
  operator = await bootstrap(server.url);
  browser = await launchBrowser();
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/configure/database', { token: operator, json: { db: 'sensors' } })).status,
    201,
  );
  const lines =
    'cpu,host=a usage=1 1700000000000000000\ncpu,host=b usage=2 1700000000000000000\nmem,host=a used=3i 1700000000000000000';
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/write_lp?db=sensors', { token: operator, body: lines })).status,
    204,
  );
  const reader = await call<{ token: string }>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: operator,
    json: {
      token_name: 'reader',
      permissions: [{ resource_type: 'db', resource_names: ['sensors'], actions: ['read'] }],
    },
  });
  assert.equal(reader.status, 201);
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/write_lp?db=sensors', { token: reader.body.token, body: lines })).status,
    403,
  );
  assert.equal((await call(server.url, 'GET', '/api/v3/configure/token')).status, 401);
  const guesses = [];
  for (let i = 0; i < 6; i++) guesses.push((await call(server.url, 'GET', '/api/v0/tokens', { token: BOGUS })).status);
  assert.ok(guesses.includes(401) && guesses.includes(429), `guesses answered ${guesses}`);

  for (const [description, expiresIn] of [
    ['expires soon', '3d'],
    ['expires later', '30d'],
  ]) {
    const made = await call(server.url, 'POST', '/api/v0/tokens', {
      token: operator,
      json: { description, expiresIn, permissions: [{ action: 'read', resource: 'sensors' }] },
    });
    assert.equal(made.status, 200, made.text);
  }
  const member = await call<{ accessToken: string }>(server.url, 'POST', '/api/v0/management-tokens', {
    token: operator,
    json: { description: 'short-lived member', name: 'short-lived-member', role: 'member', expiresIn: '2d' },
  });
  assert.equal(member.status, 200, member.text);
  const refused = await call<{ message: string }>(server.url, 'POST', '/api/v0/databases', {
    token: member.body.accessToken,
    json: { name: 'not_for_members' },
  });
  assert.equal(refused.status, 403, refused.text);
  memberRefusal = refused.body.message;
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

test('the server counts requests per minute by outcome, for whoever may read its metrics', async () => {
  const answer = await call<{ minutes: Minute[] }>(server.url, 'GET', '/api/v0/stats/requests', { token: operator });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.minutes.length, 60);
  const total = (key: keyof Omit<Minute, 'start'>) => answer.body.minutes.reduce((sum, m) => sum + m[key], 0);
  assert.ok(total('ok') >= 4, `ok ${total('ok')}`);
  assert.ok(total('forbidden') >= 1);
  assert.ok(total('unauthorized') >= 1);
  assert.ok(total('throttled') >= 1, 'the guesses over the limit were answered 429');
  assert.equal((await call(server.url, 'GET', '/api/v0/stats/requests')).status, 401);
});

test('database sizes and point counts come from the storage itself', async () => {
  const answer = await call<Array<{ name: string; points: number; tables: number; sizeBytes: number }>>(
    server.url,
    'GET',
    '/api/v0/stats/databases',
    { token: operator },
  );
  assert.equal(answer.status, 200);
  assert.equal(answer.body.length, 1);
  assert.deepEqual([answer.body[0]?.name, answer.body[0]?.points, answer.body[0]?.tables], ['sensors', 3, 2]);
  assert.ok((answer.body[0]?.sizeBytes ?? 0) > 0);
});

test('the Overview pictures requests by outcome (429 too) and each database’s size and points, lists the tokens expiring within 7 days and the recent refusals', async () => {
  const tab = await openTab(browser, server.url);
  const { page } = tab;
  await page.goto('/sign-in');
  await page.getByLabel('Token').fill(operator);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await page.getByRole('img', { name: 'Requests per minute by outcome over the last hour' }).waitFor();
  const legend = await page.locator('.legend').textContent();
  assert.match(legend ?? '', /ok: [1-9]/);
  assert.match(legend ?? '', /401: [1-9]/);
  assert.match(legend ?? '', /403: [1-9]/);
  assert.match(legend ?? '', /429: [1-9]/);
  const points = page.getByRole('img', { name: 'Stored points per database' });
  await points.getByText('sensors').waitFor();
  await points.getByText('3', { exact: true }).waitFor();
  await page
    .getByRole('img', { name: 'Size on disk per database' })
    .getByText(/KiB|MiB/)
    .waitFor();
  const expiring = page.getByRole('article').filter({ hasText: 'Tokens expiring in the next 7 days' });
  await expiring.getByText('expires soon').waitFor();
  await expiring.getByText('short-lived member').waitFor();
  assert.equal(await expiring.getByText('expires later').count(), 0, 'a token that expires in 30 days is not listed');
  const denied = page.getByRole('article').filter({ hasText: 'Recent denied attempts' });
  const refusal = denied.getByRole('listitem').filter({ hasText: 'short-lived-member' });
  await refusal.waitFor();
  const said = (await refusal.textContent()) ?? '';
  assert.ok(said.includes('database.create') && said.includes(memberRefusal), `the refusal with its reason: ${said}`);
  // The guesses are there too, by their source address, with the reason: a bad token, then throttled.
  const guesses = denied.getByRole('listitem').filter({ hasText: '127.0.0.1 failed to authenticate' });
  await guesses.filter({ hasText: ': malformed_token' }).first().waitFor();
  await guesses.filter({ hasText: ': throttled' }).first().waitFor();
  await screenshot(page, 'overview');
  await tab.context.close();
});
