import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { type ConsoleTab, launchBrowser, openTab, screenshot } from '../../helpers/browser.ts';
import { bootstrap, call } from '../../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

/**
 * The Database Tokens page with more tokens than one API page (1000): paging, search by description
 * and id, sorting, Show Inactive Tokens; Rotate Token from the row menu; the 7- and 90-day quick
 * picks and an edited expiry. Effects are checked from outside the browser against the same server.
 */
const BULK = 1050;

interface TokenJson {
  id: string;
  description: string;
  status: string;
  expiresAt?: string;
}

let server: ServerProcess;
let browser: Browser;
let operator: string;
let tab: ConsoleTab;
let needle: TokenJson;

before(async () => {
  server = await startServerProcess();
  operator = await bootstrap(server.url);
  const db = await call(server.url, 'POST', '/api/v0/databases', { token: operator, json: { name: 'sensors' } });
  assert.equal(db.status, 200, db.text);
  const mint = async (description: string) => {
    const made = await call<TokenJson & { accessToken: string }>(server.url, 'POST', '/api/v0/tokens', {
      token: operator,
      json: { description, permissions: [{ action: 'read', resource: 'sensors' }] },
    });
    assert.equal(made.status, 200, made.text);
    return made.body;
  };
  // A few requests at a time: the machine is shared.
  for (let start = 0; start < BULK; start += 10) {
    await Promise.all(Array.from({ length: Math.min(10, BULK - start) }, (_, i) => mint(`bulk token ${start + i}`)));
  }
  needle = await mint('needle in the haystack');
  const retired = await mint('retired reader');
  const revoked = await call(server.url, 'DELETE', `/api/v0/tokens/${retired.id}`, { token: operator });
  assert.equal(revoked.status, 204, revoked.text);

  browser = await launchBrowser();
  tab = await openTab(browser, server.url);
  await tab.page.goto('/sign-in');
  await tab.page.getByLabel('Token').fill(operator);
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await tab.page.getByRole('navigation', { name: 'Console' }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function goTo(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { name: label, level: 1 }).waitFor();
}

function write(secret: string) {
  return call(server.url, 'POST', '/api/v3/write_lp?db=sensors', {
    token: secret,
    body: 'm,host=a v=1',
    headers: { 'content-type': 'text/plain' },
  });
}

async function copiedSecret(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByText('Copied to the clipboard.').waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

async function token(id: string): Promise<TokenJson> {
  const got = await call<TokenJson>(server.url, 'GET', `/api/v0/tokens/${id}`, { token: operator });
  assert.equal(got.status, 200, got.text);
  return got.body;
}

function descriptions(table: Locator): Promise<string[]> {
  return table.locator('tbody td[data-label="Description"]').allTextContents();
}

async function search(page: Page, text: string): Promise<void> {
  await page.getByLabel('Search').fill(text);
}

test('more tokens than one API page: the table pages, searches by description and id, sorts, and shows revoked ones on request', async () => {
  const { page } = tab;
  const active = BULK + 1;
  await goTo(page, 'Database Tokens');
  const table = page.getByRole('table', { name: 'Database tokens' });
  const pager = page.getByRole('navigation', { name: 'Database tokens pages' });
  await pager.getByText(`1–10 of ${active}`).waitFor();
  await pager.getByLabel('Rows per page').selectOption('100');
  await pager.getByText(`1–100 of ${active}`).waitFor();
  assert.equal(await table.locator('tbody tr').count(), 100);
  await pager.getByRole('button', { name: 'Next page' }).click();
  await pager.getByText(`101–200 of ${active}`).waitFor();
  assert.equal(await pager.getByRole('button', { name: 'Previous page' }).isDisabled(), false);

  await search(page, 'needle');
  await pager.getByText('1–1 of 1').waitFor();
  assert.deepEqual(await descriptions(table), ['needle in the haystack']);
  await search(page, needle.id);
  await table.getByText('needle in the haystack').waitFor();
  const ids = await table.locator('tbody td[data-label="Token ID"]').allTextContents();
  assert.ok(ids.length >= 1 && ids.every((id) => id.includes(needle.id)), `ids matching ${needle.id}: ${ids}`);
  await search(page, 'no token is called this');
  await table.getByText('No token matches the search.').waitFor();
  await search(page, '');

  const header = table.getByRole('columnheader', { name: 'Description' });
  await header.getByRole('button').click();
  assert.equal(await header.getAttribute('aria-sort'), 'ascending');
  assert.equal((await descriptions(table))[0], 'bulk token 0');
  await header.getByRole('button').click();
  assert.equal(await header.getAttribute('aria-sort'), 'descending');
  assert.equal((await descriptions(table))[0], 'needle in the haystack');

  await search(page, 'retired');
  await table.getByText('No token matches the search.').waitFor();
  await page.getByLabel('Show Inactive Tokens').check();
  const retiredRow = table.getByRole('row').filter({ hasText: 'retired reader' });
  await retiredRow.getByText('Revoked').waitFor();
  await search(page, '');
  await pager.getByText(`of ${active + 1}`).waitFor();
  await screenshot(page, 'database-tokens-inactive');
  await page.getByLabel('Show Inactive Tokens').uncheck();
  await pager.getByText(`of ${active}`).waitFor();
  assert.deepEqual(tab.problems, []);
});

test('Rotate Token from the row menu shows the new secret once; the old secret is refused on its next request', async () => {
  const { page } = tab;
  const made = await call<TokenJson & { accessToken: string }>(server.url, 'POST', '/api/v0/tokens', {
    token: operator,
    json: { description: 'rotating writer', permissions: [{ action: 'write', resource: 'sensors' }] },
  });
  assert.equal(made.status, 200, made.text);
  const old = made.body.accessToken;
  assert.equal((await write(old)).status, 204);

  await goTo(page, 'Overview');
  await goTo(page, 'Database Tokens');
  await search(page, 'rotating writer');
  const table = page.getByRole('table', { name: 'Database tokens' });
  await table
    .getByRole('row')
    .filter({ hasText: 'rotating writer' })
    .getByRole('button', { name: 'Actions for rotating writer' })
    .click();
  await page.getByRole('menuitem', { name: 'Rotate Token' }).click();
  const rotate = page.getByRole('dialog', { name: 'Rotate Database Token' });
  const confirm = rotate.getByRole('button', { name: 'Rotate Token' });
  assert.equal(await confirm.isDisabled(), true, 'Rotate waits for the risk checkbox');
  await rotate.getByLabel('I understand the risk of this action').check();
  await confirm.click();
  const rotated = page.getByRole('dialog', { name: 'Database Token Rotated' });
  await rotated.getByText('The old secret no longer works.').waitFor();
  await rotated.getByText('it will not be shown again').waitFor();
  const secret = await copiedSecret(page);
  assert.notEqual(secret, old);
  await rotated.getByRole('button', { name: 'Done' }).click();
  await rotated.waitFor({ state: 'detached' });
  const html = await page.evaluate(() => document.documentElement.outerHTML);
  assert.ok(!html.includes(secret), 'the new secret is gone from the page once the dialog is closed');

  assert.equal((await write(old)).status, 401, 'the old secret is refused on its next request');
  assert.equal((await write(secret)).status, 204, 'the new one writes, same id and rights');
  assert.equal((await token(made.body.id)).status, 'active');
  assert.deepEqual(tab.problems, []);
});

test('the 7- and 90-day quick picks fill the expiry, and Edit Token changes and removes it', async () => {
  const { page } = tab;
  await goTo(page, 'Database Tokens');
  await page.getByRole('button', { name: 'Add Database Token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create Database Token' });
  await dialog.getByLabel('Token Description').fill('quick pick');
  await dialog.getByLabel('Database', { exact: true }).selectOption('sensors');
  await dialog.getByRole('switch', { name: 'Read' }).check();
  await dialog.getByRole('switch', { name: 'Expiration' }).check();
  const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  await dialog.getByRole('button', { name: '7 days' }).click();
  const date = dialog.getByLabel('Expiration Date');
  const seven = await date.inputValue();
  assert.ok([day(7), day(7 + 1 / 1440)].includes(seven), `7 days from now: ${seven}`);
  const before = Date.now();
  await dialog.getByRole('button', { name: '90 days' }).click();
  const ninety = await date.inputValue();
  assert.ok([day(90), day(90 + 1 / 1440)].includes(ninety), `90 days from now: ${ninety}`);
  await dialog.getByRole('button', { name: 'Create Token' }).click();
  const shown = page.getByRole('dialog', { name: 'Database Token Created' });
  await shown.getByText('it will not be shown again').waitFor();
  await shown.getByRole('button', { name: 'Done' }).click();
  await shown.waitFor({ state: 'detached' });

  const listed = await call<TokenJson[]>(server.url, 'GET', '/api/v0/tokens?sort=created&order=desc&limit=1', {
    token: operator,
  });
  const made = listed.body[0] as TokenJson;
  assert.equal(made.description, 'quick pick');
  const expires = Date.parse(made.expiresAt ?? '');
  // The pick is now + 90 days, rounded up to the minute.
  assert.ok(expires >= before + 90 * 86_400_000 - 60_000 && expires <= Date.now() + 90 * 86_400_000 + 60_000);

  const table = page.getByRole('table', { name: 'Database tokens' });
  await search(page, 'quick pick');
  const menu = table
    .getByRole('row')
    .filter({ hasText: 'quick pick' })
    .getByRole('button', { name: 'Actions for quick pick' });
  await menu.click();
  await page.getByRole('menuitem', { name: 'Edit Token' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Database Token' });
  assert.equal(await edit.getByLabel('Expiration Date').inputValue(), made.expiresAt?.slice(0, 10));
  await edit.getByLabel('Expiration Date').fill('2031-01-15');
  await edit.getByLabel('Expiration Time').fill('08:30');
  await edit.getByRole('button', { name: 'Save Changes' }).click();
  await edit.waitFor({ state: 'detached' });
  assert.equal((await token(made.id)).expiresAt, '2031-01-15T08:30:00.000Z');

  await table.getByRole('row').filter({ hasText: '2031-01-15T08:30:00Z' }).waitFor();
  await menu.click();
  await page.getByRole('menuitem', { name: 'Edit Token' }).click();
  await edit.getByRole('switch', { name: 'Expiration' }).uncheck();
  await edit.getByRole('button', { name: 'Save Changes' }).click();
  await edit.waitFor({ state: 'detached' });
  assert.equal((await token(made.id)).expiresAt, undefined, 'no expiry any more');
  assert.deepEqual(tab.problems, []);
});
