import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openTab, screenshot } from '../../helpers/browser.ts';
import { bootstrap } from '../../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

const PAGES = ['Overview', 'Databases', 'Database Tokens', 'Management Tokens', 'Admin Tokens', 'Users', 'Audit Log'];

let server: ServerProcess;
let browser: Browser;
let operator: string;

before(async () => {
  server = await startServerProcess();
  operator = await bootstrap(server.url);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function signedIn(viewport: { width: number; height: number }) {
  const tab = await openTab(browser, server.url, viewport);
  await tab.page.goto('/sign-in');
  await tab.page.getByLabel('Token').fill(operator);
  await tab.page.getByLabel('Token').press('Enter');
  await tab.page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  return tab;
}

function slug(label: string): string {
  return label.toLowerCase().replace(/ /g, '-');
}

test('every sidebar page renders at 1280×800 with its label, a screenshot each, and no CSP violation', async () => {
  const tab = await signedIn({ width: 1280, height: 800 });
  const nav = tab.page.getByRole('navigation', { name: 'Console' });
  assert.deepEqual(await nav.getByRole('link').allTextContents(), PAGES);
  for (const label of PAGES) {
    await nav.getByRole('link', { name: label, exact: true }).click();
    await tab.page.getByRole('heading', { level: 1, name: label }).waitFor();
    assert.equal(await nav.getByRole('link', { name: label, exact: true }).getAttribute('aria-current'), 'page');
    await screenshot(tab.page, `page-${slug(label)}-desktop`);
  }
  await tab.page.reload();
  await tab.page.getByRole('heading', { level: 1, name: 'Audit Log' }).waitFor();
  assert.match(tab.page.url(), /\/audit-log$/, 'a reload stays on the page');
  assert.deepEqual(tab.problems, [], 'no script error and no Content-Security-Policy violation');
  await tab.context.close();
});

test('on a phone-sized window the sidebar folds behind Menu and every page still opens', async () => {
  const tab = await signedIn({ width: 390, height: 844 });
  const { page } = tab;
  const nav = page.getByRole('navigation', { name: 'Console' });
  assert.equal(await nav.isVisible(), false, 'the navigation is folded away');
  for (const label of PAGES) {
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: label }).waitFor();
    assert.equal(await nav.isVisible(), false, 'choosing a page folds the menu again');
    await screenshot(page, `page-${slug(label)}-phone`);
  }
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `nothing wider than the window (${width}px)`);
  assert.deepEqual(tab.problems, []);
  await tab.context.close();
});

test('keyboard only: skip link, sidebar, a dialog that traps and returns focus, visible focus, errors by their field', async () => {
  const tab = await signedIn({ width: 1280, height: 800 });
  const { page } = tab;
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Overview');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused link shows its focus');
  for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Admin Tokens');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Admin Tokens' }).waitFor();

  const add = page.getByRole('button', { name: '+ Add Admin Token' });
  await add.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Create Admin Token' });
  await dialog.waitFor();
  assert.equal(await dialog.evaluate((d) => d.contains(document.activeElement)), true, 'focus moves into the dialog');
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    assert.equal(await dialog.evaluate((d) => d.contains(document.activeElement)), true, 'Tab stays inside the dialog');
  }
  await dialog.getByLabel('Token Name').fill('keyboard');
  await dialog.getByRole('switch', { name: 'Expiration' }).press('Space');
  await dialog.getByLabel('Expiration Date').fill('2031-02-30');
  const error = dialog.getByText('2031-02-30 is not a date of the calendar');
  await error.waitFor();
  const describedBy = await dialog.getByLabel('Expiration Date').getAttribute('aria-describedby');
  const errorId = await error.getAttribute('id');
  assert.ok(describedBy?.split(' ').includes(errorId ?? '-'), 'the error is tied to the field it names');
  assert.equal(await dialog.getByRole('button', { name: 'Create Token' }).isDisabled(), true);
  await dialog.getByLabel('Expiration Date').fill('2031-01-15');
  await dialog.getByLabel('Expiration Time').fill('08:30');
  assert.equal(await dialog.getByRole('button', { name: 'Create Token' }).isDisabled(), false);
  await screenshot(page, 'keyboard-dialog');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await add.evaluate((b) => b === document.activeElement), true, 'focus returns to the button');
  assert.deepEqual(tab.problems, []);
  await tab.context.close();
});
