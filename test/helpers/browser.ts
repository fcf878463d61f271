import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from './server-process.ts';

/** Debian's Chromium; `npm test` installs the package when it is missing. Never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results/screenshots');

/** Flags for a closed network: no background connections, no sandbox (CI runs as root). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: npm test installs it with 'apt-get install -y chromium'`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface ConsoleTab {
  context: BrowserContext;
  page: Page;
  /** Page errors, console errors and Content-Security-Policy violations seen so far. */
  problems: string[];
}

/** A fresh browser profile (cookies and storage of its own) at the given window size. */
export async function openTab(
  browser: Browser,
  baseURL: string,
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<ConsoleTab> {
  const context = await browser.newContext({ baseURL, viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    // A refused request (401/403) is logged by Chromium as an error; those are expected in these tests.
    if (message.type() === 'error' && !/status of (401|403|404|409)/.test(text)) problems.push(`console: ${text}`);
  });
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
