import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { type ConsoleTab, launchBrowser, openTab, screenshot } from '../../helpers/browser.ts';
import { bootstrap, call } from '../../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

/**
 * The Databases, Database Tokens and Management Tokens pages end to end: everything is done through
 * the dialogs in Chromium, and every effect is checked from outside the browser with the secret the
 * dialog showed, against the same server process.
 */
let server: ServerProcess;
let browser: Browser;
let operator: string;
let tab: ConsoleTab;

before(async () => {
  server = await startServerProcess();
  operator = await bootstrap(server.url);
  browser = await launchBrowser();
  tab = await openTab(browser, server.url);
  await tab.page.goto('/');
  await tab.page.getByLabel('Token').fill(operator);
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await tab.page.getByRole('navigation', { name: 'Console' }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

interface DatabaseJson {
  id: number;
  name: string;
  status: string;
  retentionPeriod: number;
  maxTables: number;
  maxColumnsPerTable: number;
}

async function goTo(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { name: label, level: 1 }).waitFor();
}

async function rowAction(page: Page, table: Locator, rowText: string, menuLabel: string, item: string) {
  await table.getByRole('row').filter({ hasText: rowText }).getByRole('button', { name: menuLabel }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

async function copiedSecret(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByText('Copied to the clipboard.').waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

/** After the dialog closed: the secret is in no storage, no URL and nowhere in the page. */
async function assertSecretGone(page: Page, secret: string): Promise<void> {
  const found = await page.evaluate(
    (s) => ({
      html: document.documentElement.outerHTML.includes(s),
      url: location.href.includes(s),
      local: localStorage.length,
      session: sessionStorage.length,
      cookie: document.cookie,
    }),
    secret,
  );
  assert.deepEqual(found, { html: false, url: false, local: 0, session: 0, cookie: '' });
}

function write(db: string, secret: string, line = 'm,host=a v=1') {
  return call(server.url, 'POST', `/api/v3/write_lp?db=${encodeURIComponent(db)}`, {
    token: secret,
    body: line,
    headers: { 'content-type': 'text/plain' },
  });
}

async function database(name: string, status = 'active'): Promise<DatabaseJson | undefined> {
  const query = status === 'deleted' ? '?filterStatus=deleted' : '';
  const listed = await call<DatabaseJson[]>(server.url, 'GET', `/api/v0/databases${query}`, { token: operator });
  return listed.body.find((d) => d.name === name);
}

test('Databases page: create with retention and limits, rename, delete by typing the name, restore', async () => {
  const { page } = tab;
  await goTo(page, 'Databases');
  await page.getByRole('button', { name: 'New Database' }).click();
  const create = page.getByRole('dialog', { name: 'New Database' });
  await create.getByLabel('Database Name').fill('plant');
  await create.getByLabel('Retention Period').fill('30d');
  await create.getByLabel('Max Tables').fill('20');
  await create.getByLabel('Max Columns per Table').fill('40');
  await screenshot(page, 'databases-create');
  await create.getByRole('button', { name: 'Create Database' }).click();
  await create.waitFor({ state: 'detached' });
  const table = page.getByRole('table', { name: 'Databases' });
  await table.getByRole('row').filter({ hasText: 'plant' }).waitFor();
  const made = await database('plant');
  assert.ok(made, 'the database exists');
  assert.deepEqual(
    [made.retentionPeriod, made.maxTables, made.maxColumnsPerTable],
    [30 * 86_400 * 1e9, 20, 40],
    'retention (ns) and limits as typed',
  );

  await rowAction(page, table, 'plant', 'Actions for plant', 'Rename Database');
  const rename = page.getByRole('dialog', { name: 'Rename Database plant' });
  await rename.getByLabel('New Name').fill('factory');
  await rename.getByRole('button', { name: 'Rename Database' }).click();
  await rename.waitFor({ state: 'detached' });
  await table.getByRole('row').filter({ hasText: 'factory' }).waitFor();
  const renamed = await database('factory');
  assert.equal(renamed?.id, made.id, 'a rename keeps the id');

  await rowAction(page, table, 'factory', 'Actions for factory', 'Delete Database');
  const remove = page.getByRole('dialog', { name: 'Delete Database factory' });
  const confirm = remove.getByRole('button', { name: 'Delete Database' });
  await remove.getByLabel('I understand the risk of this action').check();
  await remove.getByLabel('Type the database name to confirm').fill('factor');
  assert.equal(await confirm.isDisabled(), true, 'a name that does not match keeps Delete disabled');
  await remove.getByText('The name does not match').waitFor();
  await remove.getByLabel('Type the database name to confirm').fill('factory');
  await screenshot(page, 'databases-delete');
  await confirm.click();
  await remove.waitFor({ state: 'detached' });
  await table.getByRole('row').filter({ hasText: 'factory' }).waitFor({ state: 'detached' });
  assert.equal(await database('factory'), undefined);
  assert.equal((await database('factory', 'deleted'))?.id, made.id, 'a delete is soft');

  await page.getByLabel('Show Deleted Databases').check();
  await table.getByRole('row').filter({ hasText: 'factory' }).waitFor();
  await rowAction(page, table, 'factory', 'Actions for factory', 'Restore Database');
  const restore = page.getByRole('dialog', { name: 'Restore Database factory' });
  await restore.getByRole('button', { name: 'Restore Database' }).click();
  await restore.waitFor({ state: 'detached' });
  assert.equal((await database('factory'))?.status, 'active', 'restored');
  await screenshot(page, 'databases');
});

test('Database Tokens page: a token made in the dialog writes (204), an edit takes effect, a revoke stops it (401)', async () => {
  const { page } = tab;
  for (const name of ['sensors', 'archive']) {
    const made = await call(server.url, 'POST', '/api/v0/databases', { token: operator, json: { name } });
    assert.equal(made.status, 200, JSON.stringify(made.body));
  }
  await goTo(page, 'Database Tokens');
  await page.getByRole('button', { name: 'Add Database Token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create Database Token' });
  const create = dialog.getByRole('button', { name: 'Create Token' });
  assert.equal(await create.isDisabled(), true, 'Create Token waits for a description and a permission');
  await dialog.getByLabel('Token Description').fill('sensor writer');
  await dialog.getByLabel('Database', { exact: true }).selectOption('sensors');
  await dialog.getByRole('switch', { name: 'Write' }).check();
  await dialog.getByRole('switch', { name: 'Expiration' }).check();
  await dialog.getByRole('button', { name: '30 days' }).click();
  await screenshot(page, 'database-tokens-create');
  await create.click();
  const shown = page.getByRole('dialog', { name: 'Database Token Created' });
  await shown.getByText('it will not be shown again').waitFor();
  const secret = await copiedSecret(page);
  assert.match(secret, /^fg/);
  await shown.getByRole('button', { name: 'Done' }).click();
  await shown.waitFor({ state: 'detached' });
  await assertSecretGone(page, secret);

  assert.equal((await write('sensors', secret)).status, 204, 'the new token writes at once');
  assert.equal((await write('archive', secret)).status, 403, 'only where it was granted');

  const table = page.getByRole('table', { name: 'Database tokens' });
  await table.getByRole('row').filter({ hasText: 'sensor writer' }).getByText('sensors').waitFor();
  await rowAction(page, table, 'sensor writer', 'Actions for sensor writer', 'Edit Token');
  const edit = page.getByRole('dialog', { name: 'Edit Database Token' });
  await edit.getByLabel('Database', { exact: true }).selectOption('archive');
  await edit.getByRole('button', { name: 'Save Changes' }).click();
  await edit.waitFor({ state: 'detached' });
  assert.equal((await write('archive', secret)).status, 204, 'the edit grants archive on the next request');
  assert.equal((await write('sensors', secret)).status, 403, 'and takes sensors away');

  await rowAction(page, table, 'sensor writer', 'Actions for sensor writer', 'Revoke Token');
  const revoke = page.getByRole('dialog', { name: 'Revoke Database Token' });
  const confirm = revoke.getByRole('button', { name: 'Revoke Token' });
  assert.equal(await confirm.isDisabled(), true, 'Revoke waits for the risk checkbox');
  await revoke.getByLabel('I understand the risk of this action').check();
  await screenshot(page, 'database-tokens-revoke');
  await confirm.click();
  await revoke.waitFor({ state: 'detached' });
  assert.equal((await write('archive', secret)).status, 401, 'a revoked token is refused on its next request');
  await table.getByRole('row').filter({ hasText: 'sensor writer' }).waitFor({ state: 'detached' });
  await screenshot(page, 'database-tokens');
  assert.deepEqual(tab.problems, []);
});

test('Management Tokens page: a Member token from the dialog manages within its role, an edit and a revoke take effect', async () => {
  const { page } = tab;
  await goTo(page, 'Management Tokens');
  await page.getByRole('button', { name: 'Add Management Token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create Management Token' });
  await dialog.getByLabel('Token Description').fill('CI pipeline');
  await dialog.getByLabel('Role').selectOption('member');
  await dialog.getByRole('switch', { name: 'Expiration' }).check();
  await dialog.getByLabel('Expiration Date').fill('2031-01-15');
  await dialog.getByLabel('Expiration Time').fill('08:30');
  await screenshot(page, 'management-tokens-create');
  await dialog.getByRole('button', { name: 'Create Token' }).click();
  const shown = page.getByRole('dialog', { name: 'Management Token Created' });
  await shown.getByText('it will not be shown again').waitFor();
  const secret = await copiedSecret(page);
  await shown.getByRole('button', { name: 'Done' }).click();
  await shown.waitFor({ state: 'detached' });
  await assertSecretGone(page, secret);

  const listed = await call<Array<{ description: string; role: string; expiresAt: string }>>(
    server.url,
    'GET',
    '/api/v0/management-tokens',
    { token: operator },
  );
  const made = listed.body.find((t) => t.description === 'CI pipeline');
  assert.equal(made?.role, 'member');
  assert.equal(Date.parse(made?.expiresAt ?? ''), Date.parse('2031-01-15T08:30:00Z'), 'the typed expiry, in UTC');

  const mint = () =>
    call(server.url, 'POST', '/api/v0/tokens', {
      token: secret,
      json: { description: 'from CI', expiresIn: '7d', permissions: [{ action: 'read', resource: 'sensors' }] },
    });
  const minted = await mint();
  assert.equal(minted.status, 200, `a Member mints database tokens: ${JSON.stringify(minted.body)}`);
  const dbCreate = await call(server.url, 'POST', '/api/v0/databases', { token: secret, json: { name: 'ci_db' } });
  assert.equal(dbCreate.status, 403, 'but does not create databases');
  assert.equal((await write('sensors', secret)).status, 403, 'and never writes data');

  const table = page.getByRole('table', { name: 'Management tokens' });
  await rowAction(page, table, 'CI pipeline', 'Actions for CI pipeline', 'Edit Token');
  const edit = page.getByRole('dialog', { name: 'Edit Management Token' });
  await edit.getByLabel('Role').selectOption('auditor');
  await edit.getByRole('button', { name: 'Save Changes' }).click();
  await edit.waitFor({ state: 'detached' });
  assert.equal((await mint()).status, 403, 'as an Auditor from its next request on');
  assert.equal((await call(server.url, 'GET', '/api/v0/users', { token: secret })).status, 200, 'who may read users');

  await rowAction(page, table, 'CI pipeline', 'Actions for CI pipeline', 'Revoke Token');
  const revoke = page.getByRole('dialog', { name: 'Revoke Management Token' });
  await revoke.getByLabel('I understand the risk of this action').check();
  await revoke.getByRole('button', { name: 'Revoke Token' }).click();
  await revoke.waitFor({ state: 'detached' });
  assert.equal((await call(server.url, 'GET', '/api/v0/tokens', { token: secret })).status, 401);
  await screenshot(page, 'management-tokens');
  assert.deepEqual(tab.problems, []);
});

test("Management Tokens page: Rotate Token shows the new secret once and the old one stops; a Member's session sees the Admin-only buttons refused with the API reason", async () => {
  const { page } = tab;
  const made = await call<{ accessToken: string }>(server.url, 'POST', '/api/v0/management-tokens', {
    token: operator,
    json: { description: 'release bot', name: 'release-bot', role: 'member' },
  });
  assert.equal(made.status, 200, made.text);
  const old = made.body.accessToken;
  assert.equal((await call(server.url, 'GET', '/api/v0/tokens', { token: old })).status, 200);

  await goTo(page, 'Overview');
  await goTo(page, 'Management Tokens');
  const table = page.getByRole('table', { name: 'Management tokens' });
  await rowAction(page, table, 'release bot', 'Actions for release bot', 'Rotate Token');
  const rotate = page.getByRole('dialog', { name: 'Rotate Management Token' });
  const confirm = rotate.getByRole('button', { name: 'Rotate Token' });
  assert.equal(await confirm.isDisabled(), true, 'Rotate waits for the risk checkbox');
  await rotate.getByLabel('I understand the risk of this action').check();
  await confirm.click();
  const rotated = page.getByRole('dialog', { name: 'Management Token Rotated' });
  await rotated.getByText('The old secret no longer works.').waitFor();
  const secret = await copiedSecret(page);
  assert.notEqual(secret, old);
  await rotated.getByRole('button', { name: 'Done' }).click();
  await rotated.waitFor({ state: 'detached' });
  await assertSecretGone(page, secret);
  assert.equal((await call(server.url, 'GET', '/api/v0/tokens', { token: old })).status, 401, 'the old secret stops');
  assert.equal((await call(server.url, 'GET', '/api/v0/tokens', { token: secret })).status, 200, 'the new one works');

  // The rotated Member token signs in; what only an Admin may do is refused with the API's own words.
  const member = await openTab(browser, server.url);
  await member.page.goto('/sign-in');
  await member.page.getByLabel('Token').fill(secret);
  await member.page.getByRole('button', { name: 'Sign in' }).click();
  await member.page.getByRole('navigation', { name: 'Console' }).waitFor();
  const listRefusal = await call<{ error: string }>(server.url, 'GET', '/api/v3/configure/token', { token: secret });
  assert.equal(listRefusal.status, 403, listRefusal.text);
  const createRefusal = await call<{ error: string }>(server.url, 'POST', '/api/v3/configure/token/named_admin', {
    token: secret,
    json: { token_name: 'member-made' },
  });
  assert.equal(createRefusal.status, 403, createRefusal.text);
  await goTo(member.page, 'Admin Tokens');
  await member.page.getByRole('alert').filter({ hasText: listRefusal.body.error }).waitFor();
  await member.page.getByRole('button', { name: '+ Add Admin Token' }).click();
  const create = member.page.getByRole('dialog', { name: 'Create Admin Token' });
  await create.getByLabel('Token Name').fill('member-made');
  await create.getByRole('button', { name: 'Create Token' }).click();
  await create.getByRole('alert').filter({ hasText: createRefusal.body.error }).waitFor();
  await screenshot(member.page, 'admin-tokens-member-refused');
  await create.getByRole('button', { name: 'Cancel' }).click();

  const dbRefusal = await call<{ message: string }>(server.url, 'POST', '/api/v0/databases', {
    token: secret,
    json: { name: 'member_db' },
  });
  assert.equal(dbRefusal.status, 403, dbRefusal.text);
  await goTo(member.page, 'Databases');
  await member.page.getByRole('button', { name: 'New Database' }).click();
  const newDb = member.page.getByRole('dialog', { name: 'New Database' });
  await newDb.getByLabel('Database Name').fill('member_db');
  await newDb.getByRole('button', { name: 'Create Database' }).click();
  await newDb.getByRole('alert').filter({ hasText: dbRefusal.body.message }).waitFor();

  const admins = (
    await call(server.url, 'GET', '/api/v3/configure/token', {
      token: operator,
    })
  ).text;
  assert.ok(!admins.includes('member-made'), 'no admin token was made');
  const databases = (await call(server.url, 'GET', '/api/v0/databases', { token: operator })).text;
  assert.ok(!databases.includes('member_db'), 'no database was made');
  assert.deepEqual(member.problems, []);
  await member.context.close();
  assert.deepEqual(tab.problems, []);
});
