import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openTab, screenshot } from '../../helpers/browser.ts';
import { bootstrap, call } from '../../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

const PAGES = ['Overview', 'Databases', 'Database Tokens', 'Management Tokens', 'Admin Tokens', 'Users', 'Audit Log'];

let server: ServerProcess;
let browser: Browser;
let operator: string;

/** The longest name the API allows, with no space to wrap at: the tables must still fit the window. */
const LONG_DATABASE = `factory_floor_${'telemetry_'.repeat(5)}`.padEnd(64, 'x');
/** What each page shows once its rows are in (Overview has cards, Users no rows without OIDC). */
const LOADED: Record<string, string | undefined> = {
  Databases: LONG_DATABASE,
  'Database Tokens': 'ingest for the factory floor',
  'Management Tokens': 'deploy pipeline of the production cluster',
  'Admin Tokens': 'operations-team-admin-token-with-a-long-name',
  'Audit Log': 'database_token.create',
};

before(async () => {
  server = await startServerProcess();
  operator = await bootstrap(server.url);
  const made = [
    await call(server.url, 'POST', '/api/v0/databases', { token: operator, json: { name: LONG_DATABASE } }),
    await call(server.url, 'POST', '/api/v0/databases', { token: operator, json: { name: 'sensors' } }),
    await call(server.url, 'POST', '/api/v0/tokens', {
      token: operator,
      json: {
        description: 'ingest for the factory floor, every line of it, writing around the clock',
        expiresIn: '30d',
        permissions: [
          { action: 'write', resource: LONG_DATABASE },
          { action: 'read', resource: 'sensors' },
        ],
      },
    }),
    await call(server.url, 'POST', '/api/v0/management-tokens', {
      token: operator,
      json: { description: 'deploy pipeline of the production cluster in the eu-west region', expiresIn: '30d' },
    }),
    await call(server.url, 'POST', '/api/v3/configure/token/named_admin', {
      token: operator,
      json: { token_name: 'operations-team-admin-token-with-a-long-name', description: 'for the operations team' },
    }),
  ];
  for (const response of made) assert.ok(response.status < 300, response.text);
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

/** At this window size: no table wider than its panel, nothing wider than the window, every row's Actions button on screen. */
async function assertFits(page: Page, label: string): Promise<void> {
  const layout = await page.evaluate(() => ({
    window: window.innerWidth,
    page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    tables: [...document.querySelectorAll('.table-wrap')].map((wrap) => [wrap.scrollWidth, wrap.clientWidth]),
    actions: [...document.querySelectorAll('td.col-menu button')].map((button) => {
      const box = button.getBoundingClientRect();
      return [box.left, box.right, box.width];
    }),
  }));
  const [scrollWidth = 0, clientWidth = 0] = layout.page;
  assert.ok(scrollWidth <= clientWidth, `${label}: the page scrolls sideways (${scrollWidth} > ${clientWidth})`);
  for (const [scroll = 0, client = 0] of layout.tables)
    assert.ok(scroll <= client, `${label}: the table overflows its panel (${scroll} > ${client})`);
  for (const [left = 0, right = 0, width = 0] of layout.actions)
    assert.ok(
      width > 0 && left >= 0 && right <= layout.window,
      `${label}: an Actions button is off screen (${left}–${right})`,
    );
  if (LOADED[label] !== undefined && label !== 'Audit Log')
    assert.ok(layout.actions.length > 0, `${label}: its rows have Actions buttons`);
}

test('every sidebar page renders at 1280×800 with its label, tables that fit, a screenshot each, and no CSP violation', async () => {
  const tab = await signedIn({ width: 1280, height: 800 });
  const nav = tab.page.getByRole('navigation', { name: 'Console' });
  assert.deepEqual(await nav.getByRole('link').allTextContents(), PAGES);
  for (const label of PAGES) {
    await nav.getByRole('link', { name: label, exact: true }).click();
    await tab.page.getByRole('heading', { level: 1, name: label }).waitFor();
    assert.equal(await nav.getByRole('link', { name: label, exact: true }).getAttribute('aria-current'), 'page');
    const loaded = LOADED[label];
    if (loaded !== undefined) await tab.page.getByRole('table').getByText(loaded).first().waitFor();
    await assertFits(tab.page, label);
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

test('Pick a date and Pick a time open the browser pickers, and what is picked lands in the ISO fields', async () => {
  const tab = await signedIn({ width: 1280, height: 800 });
  const { page } = tab;
  await page
    .getByRole('navigation', { name: 'Console' })
    .getByRole('link', { name: 'Admin Tokens', exact: true })
    .click();
  await page.getByRole('button', { name: '+ Add Admin Token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create Admin Token' });
  await dialog.getByRole('switch', { name: 'Expiration' }).check();
  // The buttons open Chromium's own pickers (headless, nothing to see); picking a value is the native input's change.
  await dialog.getByRole('button', { name: 'Pick a date' }).click();
  await dialog.locator('input.picker-native[type="date"]').fill('2031-01-15');
  assert.equal(await dialog.getByLabel('Expiration Date').inputValue(), '2031-01-15');
  await dialog.getByRole('button', { name: 'Pick a time' }).click();
  await dialog.locator('input.picker-native[type="time"]').fill('08:30');
  assert.equal(await dialog.getByLabel('Expiration Time').inputValue(), '08:30');
  // A typed value shows in the picker when it opens; a half-typed one leaves the picker empty.
  await dialog.getByLabel('Expiration Date').fill('2031-02-01');
  assert.equal(await dialog.locator('input.picker-native[type="date"]').inputValue(), '2031-02-01');
  await dialog.getByLabel('Expiration Date').fill('2031-02');
  assert.equal(await dialog.locator('input.picker-native[type="date"]').inputValue(), '');
  assert.equal(await dialog.getByRole('button', { name: 'Create Token' }).isDisabled(), true, 'not a date');
  await dialog.getByLabel('Token Name').fill('picked');
  await dialog.locator('input.picker-native[type="date"]').fill('2031-01-15');
  assert.equal(await dialog.getByRole('button', { name: 'Create Token' }).isDisabled(), false);
  assert.deepEqual(tab.problems, [], 'opening the pickers raised no error');
  await tab.context.close();
});
