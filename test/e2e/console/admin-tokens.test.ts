import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type ConsoleTab, launchBrowser, openTab, screenshot } from '../../helpers/browser.ts';
import { bootstrap, call } from '../../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

let server: ServerProcess;
let browser: Browser;
let operator: string;
let tab: ConsoleTab;

before(async () => {
  server = await startServerProcess();
  operator = await bootstrap(server.url);
  browser = await launchBrowser();
  tab = await openTab(browser, server.url);
  await tab.page.goto('/admin-tokens');
  await tab.page.getByLabel('Token').fill(operator);
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await tab.page.getByRole('link', { name: 'Admin Tokens' }).click();
  await tab.page.getByRole('heading', { name: 'Admin Tokens' }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function copiedSecret(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByText('Copied to the clipboard.').waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

test('a named admin token made in the dialog works from outside the browser, and dies when revoked', async () => {
  const { page } = tab;
  await page.getByRole('button', { name: '+ Add Admin Token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create Admin Token' });
  const create = dialog.getByRole('button', { name: 'Create Token' });
  assert.equal(await create.isDisabled(), true, 'Create Token waits for a name');
  await dialog.getByLabel('Token Name').fill('ops-automation');
  await dialog.getByLabel('Token Description').fill('Ops automation');
  await dialog.getByRole('switch', { name: 'Expiration' }).check();
  await dialog.getByRole('button', { name: '30 days' }).click();
  await screenshot(page, 'admin-tokens-create');
  await create.click();
  await page.getByRole('dialog', { name: 'Admin Token Created' }).waitFor();
  await page.getByText('it will not be shown again').waitFor();
  const secret = await copiedSecret(page);
  assert.match(secret, /^fga_/);

  const outside = await call(server.url, 'GET', '/api/v3/configure/token', { token: secret });
  assert.equal(outside.status, 200, 'the copied secret works for a real request');

  await page.getByRole('button', { name: 'Done' }).click();
  const leaks = await page.evaluate(
    (s) => [
      document.documentElement.outerHTML.includes(s),
      location.href.includes(s),
      localStorage.length,
      sessionStorage.length,
    ],
    secret,
  );
  assert.deepEqual(leaks, [false, false, 0, 0], 'the secret is gone from the page once the dialog closes');

  const row = page.getByRole('row', { name: /ops-automation/ });
  await row.waitFor();
  await row.getByRole('button', { name: 'Actions for ops-automation' }).click();
  await page.getByRole('menuitem', { name: 'Revoke Token' }).click();
  const revoke = page.getByRole('dialog', { name: 'Revoke Admin Token' });
  await revoke.getByText('You are about to revoke a token').waitFor();
  const confirm = revoke.getByRole('button', { name: 'Revoke Token' });
  assert.equal(await confirm.isDisabled(), true, 'Revoke Token waits for the risk checkbox');
  await revoke.getByLabel('I understand the risk of this action').check();
  await confirm.click();
  await revoke.waitFor({ state: 'detached' });
  await row.waitFor({ state: 'detached' });

  const after = await call(server.url, 'GET', '/api/v3/configure/token', { token: secret });
  assert.equal(after.status, 401, 'the revoked token is refused on its next request');
  assert.equal(after.headers.get('x-fluxgate-error'), 'TOKEN_REVOKED');
  assert.deepEqual(tab.problems, []);
});

test('_admin is shown as protected: no revoke, and regenerate sits behind the risk confirmation', async () => {
  const { page } = tab;
  const row = page.getByRole('row', { name: /_admin/ });
  await row.getByText('Operator · protected').waitFor();
  await row.getByRole('button', { name: 'Actions for _admin' }).click();
  const items = await page.getByRole('menuitem').allTextContents();
  assert.deepEqual(items, ['Regenerate Token']);
  await page.keyboard.press('Escape');
  assert.equal(
    await row.getByRole('button', { name: 'Actions for _admin' }).evaluate((b) => b === document.activeElement),
    true,
  );
  await row.getByRole('button', { name: 'Actions for _admin' }).click();
  await page.getByRole('menuitem', { name: 'Regenerate Token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Regenerate Operator Token' });
  assert.equal(await dialog.getByRole('button', { name: 'Regenerate Token' }).isDisabled(), true);
  await screenshot(page, 'admin-tokens-regenerate');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await screenshot(page, 'admin-tokens');
  const still = await call(server.url, 'GET', '/api/v3/configure/token', { token: operator });
  assert.equal(still.status, 200, 'cancelling changed nothing');
});
