import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { type ConsoleTab, launchBrowser, openTab, screenshot } from '../../helpers/browser.ts';
import { bootstrap, call } from '../../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

/**
 * The Audit Log page in Chromium against a real server: management actions done from outside the
 * browser show with their actor and outcome, the filters and the pages are the API's, Verify reports
 * the chain as the API does — also after an entry is edited in the real SQLite catalog file — and an
 * Auditor's session reads the log while its writes elsewhere are refused with the API's reason.
 */
interface Entry {
  id: string;
  seq: number;
  actorName?: string;
  action: string;
  targetName?: string;
  outcome: string;
  sourceAddress?: string;
  requestId?: string;
  details: Record<string, unknown>;
}

interface Report {
  ok: boolean;
  checked: number;
  problem?: { seq: number; id: string; kind: string; message: string };
}

interface Row {
  time: string;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  reason: string;
  source: string;
  requestId: string;
}

let server: ServerProcess;
let browser: Browser;
let operator: string;
let tab: ConsoleTab;
let opsBot: { id: string; secret: string };
let memberRefusal: string;

before(async () => {
  server = await startServerProcess();
  operator = await bootstrap(server.url);
  // The management actions the log is to show, done as a named Admin-role management token.
  const ops = await call<{ id: string; accessToken: string }>(server.url, 'POST', '/api/v0/management-tokens', {
    token: operator,
    json: { description: 'ops bot', name: 'ops-bot' },
  });
  assert.equal(ops.status, 200, ops.text);
  opsBot = { id: ops.body.id, secret: ops.body.accessToken };
  const db = await call(server.url, 'POST', '/api/v0/databases', { token: opsBot.secret, json: { name: 'sensors' } });
  assert.equal(db.status, 200, db.text);
  const ingest = await call<{ id: string }>(server.url, 'POST', '/api/v0/tokens', {
    token: opsBot.secret,
    json: { description: 'ingest bot', name: 'ingest-bot', permissions: [{ action: 'write', resource: 'sensors' }] },
  });
  assert.equal(ingest.status, 200, ingest.text);
  const revoked = await call(server.url, 'DELETE', `/api/v0/tokens/${ingest.body.id}`, { token: opsBot.secret });
  assert.equal(revoked.status, 204, revoked.text);
  // A refused action: a Member may not create management tokens.
  const member = await call<{ accessToken: string }>(server.url, 'POST', '/api/v0/management-tokens', {
    token: operator,
    json: { description: 'member bot', name: 'member-bot', role: 'member' },
  });
  assert.equal(member.status, 200, member.text);
  const refused = await call<{ message: string }>(server.url, 'POST', '/api/v0/management-tokens', {
    token: member.body.accessToken,
    json: { description: 'escalation' },
  });
  assert.equal(refused.status, 403, refused.text);
  memberRefusal = refused.body.message;

  browser = await launchBrowser();
  tab = await signedIn(operator);
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function signedIn(token: string): Promise<ConsoleTab> {
  const signed = await openTab(browser, server.url, { width: 1280, height: 800 });
  await signed.page.goto('/sign-in');
  await signed.page.getByLabel('Token').fill(token);
  await signed.page.getByRole('button', { name: 'Sign in' }).click();
  await signed.page.getByRole('navigation', { name: 'Console' }).waitFor();
  return signed;
}

async function goTo(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { name: label, level: 1 }).waitFor();
}

function list(query: string, token = operator) {
  return call<Entry[]>(server.url, 'GET', `/api/v0/audit${query}`, { token });
}

/** The table's rows as a reader sees them: each cell's value, and the notes under it (kind, reason, count). */
async function readRows(page: Page): Promise<Row[]> {
  const cells = await page.evaluate(() =>
    [...document.querySelectorAll('table.data-table tbody tr')]
      .filter((tr) => tr.querySelector('.table-empty') === null)
      .map((tr) =>
        Object.fromEntries(
          [...tr.querySelectorAll('td')].map((td) => {
            const notes = [...td.querySelectorAll('.cell-note')].map((note) => note.textContent ?? '');
            const value = td.cloneNode(true) as HTMLElement;
            for (const extra of value.querySelectorAll('.cell-note, .badge-bad')) extra.remove();
            return [td.dataset.label ?? '', { value: (value.textContent ?? '').trim(), notes }];
          }),
        ),
      ),
  );
  return cells.map((row) => ({
    time: row.Time?.value ?? '',
    actor: row.Actor?.value ?? '',
    action: row.Action?.value ?? '',
    target: row.Target?.value ?? '',
    outcome: row.Outcome?.value ?? '',
    reason: (row.Outcome?.notes ?? []).filter((note) => !note.startsWith('×')).join(' '),
    source: row.Source?.value ?? '',
    requestId: row['Request ID']?.value ?? '',
  }));
}

/** Waits for the table to show what `check` expects (it loads after each click), then returns it. */
async function rowsWhen(page: Page, what: string, check: (rows: Row[]) => boolean): Promise<Row[]> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const rows = await readRows(page);
    if (check(rows)) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`the audit table never showed ${what}: ${JSON.stringify(await readRows(page), null, 1)}`);
}

const requestIds = (entries: Entry[]) => entries.map((e) => e.requestId ?? '');
const sameIds = (rows: Row[], ids: string[]) => JSON.stringify(rows.map((r) => r.requestId)) === JSON.stringify(ids);

async function applyFilters(page: Page, fields: { actor?: string; action?: string; outcome?: string }) {
  const form = page.getByRole('form', { name: 'Audit filters' });
  await form.getByLabel('Actor').fill(fields.actor ?? '');
  await form.getByLabel('Action').fill(fields.action ?? '');
  await form.getByLabel('Outcome').selectOption(fields.outcome ?? '');
  await form.getByRole('button', { name: 'Apply Filters' }).click();
}

test('the actions show with their actor, outcome, source and request id; filtering by actor and by action changes the table', async () => {
  const { page } = tab;
  await goTo(page, 'Audit Log');
  const all = (await list('?limit=50')).body;
  const rows = await rowsWhen(page, 'every entry', (r) => sameIds(r, requestIds(all)));
  const row = (action: string, target: string) => {
    const found = rows.find((r) => r.action === action && r.target === target);
    assert.ok(found, `no row for ${action} ${target}`);
    return found;
  };
  const created = row('database_token.create', 'ingest-bot');
  assert.equal(created.actor, 'ops-bot');
  assert.equal(created.outcome, 'ok');
  const revokedRow = row('database_token.revoke', 'ingest-bot');
  assert.equal(revokedRow.actor, 'ops-bot');
  assert.equal(revokedRow.outcome, 'ok');
  const apiRevoke = all.find((e) => e.action === 'database_token.revoke') as Entry;
  assert.equal(revokedRow.source, apiRevoke.sourceAddress);
  assert.equal(revokedRow.requestId, apiRevoke.requestId);
  assert.match(revokedRow.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  const refusal = rows.find((r) => r.actor === 'member-bot' && r.outcome === 'denied');
  assert.ok(refusal, 'the refused action is listed');
  assert.equal(refusal.action, 'management_token.create');
  assert.equal(refusal.reason, memberRefusal, 'with the reason the API gave');

  await applyFilters(page, { actor: 'member-bot' });
  const byActor = (await list('?actor=member-bot&limit=50')).body;
  assert.ok(byActor.length >= 1);
  const memberRows = await rowsWhen(page, 'member-bot only', (r) => sameIds(r, requestIds(byActor)));
  assert.ok(memberRows.every((r) => r.actor === 'member-bot'));
  assert.ok(memberRows.length < rows.length, 'the filter took rows away');

  await applyFilters(page, { action: 'database_token.*' });
  const byAction = (await list('?action=database_token.*&limit=50')).body;
  const tokenRows = await rowsWhen(page, 'database token actions only', (r) => sameIds(r, requestIds(byAction)));
  assert.deepEqual(tokenRows.map((r) => r.action).sort(), ['database_token.create', 'database_token.revoke']);
  await screenshot(page, 'audit-log-filtered');

  await applyFilters(page, { action: 'management_token.create', outcome: 'denied' });
  await rowsWhen(page, 'the one refusal', (r) => r.length === 1 && r[0]?.actor === 'member-bot');

  const form = page.getByRole('form', { name: 'Audit filters' });
  await form.getByLabel('Since Date').fill('2099-01-01');
  await form.getByRole('button', { name: 'Apply Filters' }).click();
  await page.getByText('No entries match.').waitFor();
  await form.getByLabel('Until Date').fill('2098-12-31');
  await form.getByText('Until must not be before Since').waitFor();
  assert.equal(await form.getByRole('button', { name: 'Apply Filters' }).isDisabled(), true);
  await form.getByRole('button', { name: 'Clear' }).click();
  await rowsWhen(page, 'every entry again', (r) => sameIds(r, requestIds(all)));
  assert.deepEqual(tab.problems, []);
});

test('pages through more entries than one page with the cursor the server gives, forward and back', async () => {
  const { page } = tab;
  for (let i = 0; i < 55; i++) {
    const made = await call(server.url, 'POST', '/api/v0/databases', {
      token: opsBot.secret,
      json: { name: `bulk_${String(i).padStart(2, '0')}` },
    });
    assert.equal(made.status, 200, made.text);
  }
  const pages: Entry[][] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '?limit=25' : `?limit=25&cursor=${encodeURIComponent(cursor)}`;
    const answer = await list(query);
    pages.push(answer.body);
    cursor = answer.headers.get('x-next-cursor');
  } while (cursor !== null);
  assert.ok(pages.length >= 3, `${pages.length} pages of 25`);

  await goTo(page, 'Overview');
  await goTo(page, 'Audit Log');
  const pager = page.getByRole('navigation', { name: 'Audit entries pages' });
  await pager.getByLabel('Entries per page').selectOption('25');
  await rowsWhen(page, 'the first page', (r) => sameIds(r, requestIds(pages[0] as Entry[])));
  assert.equal(await pager.getByRole('button', { name: 'Previous page' }).isDisabled(), true);
  for (let i = 1; i < pages.length; i++) {
    await pager.getByRole('button', { name: 'Next page' }).click();
    await rowsWhen(page, `page ${i + 1}`, (r) => sameIds(r, requestIds(pages[i] as Entry[])));
    const first = i * 25 + 1;
    await pager.getByText(`Page ${i + 1}: entries ${first}–${first + (pages[i] as Entry[]).length - 1}`).waitFor();
  }
  assert.equal(await pager.getByRole('button', { name: 'Next page' }).isDisabled(), true, 'the last page');
  await screenshot(page, 'audit-log-last-page');
  await pager.getByRole('button', { name: 'Previous page' }).click();
  await rowsWhen(page, 'the page before', (r) => sameIds(r, requestIds(pages[pages.length - 2] as Entry[])));
  await pager.getByRole('button', { name: 'Newest' }).click();
  await rowsWhen(page, 'the first page again', (r) => sameIds(r, requestIds(pages[0] as Entry[])));
  assert.deepEqual(tab.problems, []);
});

test('an Auditor token signed in reads the audit log and verifies it; its writes elsewhere are refused with the API reason', async () => {
  const made = await call<{ accessToken: string }>(server.url, 'POST', '/api/v0/management-tokens', {
    token: operator,
    json: { description: 'audit reader', name: 'audit-reader', role: 'auditor' },
  });
  assert.equal(made.status, 200, made.text);
  const auditor = made.body.accessToken;
  const auditorTab = await signedIn(auditor);
  const { page } = auditorTab;
  await goTo(page, 'Audit Log');
  const newest = (await list('?limit=50', auditor)).body;
  const rows = await rowsWhen(page, 'the log, read by the Auditor', (r) => sameIds(r, requestIds(newest)));
  assert.ok(rows.some((r) => r.action === 'management_token.create' && r.target === 'audit-reader'));
  await page.getByRole('button', { name: 'Verify Audit Chain' }).click();
  await page.getByRole('status').filter({ hasText: 'Chain intact' }).waitFor();

  // The same refusal the API gives the same token for the same request (which changes nothing either).
  const dbRefusal = await call<{ message: string }>(server.url, 'POST', '/api/v0/databases', {
    token: auditor,
    json: { name: 'auditor_db' },
  });
  assert.equal(dbRefusal.status, 403, dbRefusal.text);
  await goTo(page, 'Databases');
  await page.getByRole('button', { name: 'New Database' }).click();
  const create = page.getByRole('dialog', { name: 'New Database' });
  await create.getByLabel('Database Name').fill('auditor_db');
  await create.getByRole('button', { name: 'Create Database' }).click();
  await create.getByRole('alert').filter({ hasText: dbRefusal.body.message }).waitFor();
  await screenshot(page, 'auditor-database-refused');
  await create.getByRole('button', { name: 'Cancel' }).click();

  const revokeRefusal = await call<{ message: string }>(
    server.url,
    'DELETE',
    `/api/v0/management-tokens/${opsBot.id}`,
    { token: auditor },
  );
  assert.equal(revokeRefusal.status, 403, revokeRefusal.text);
  await goTo(page, 'Management Tokens');
  const table = page.getByRole('table', { name: 'Management tokens' });
  await table
    .getByRole('row')
    .filter({ hasText: 'ops bot' })
    .getByRole('button', { name: 'Actions for ops bot' })
    .click();
  await page.getByRole('menuitem', { name: 'Revoke Token' }).click();
  const revoke = page.getByRole('dialog', { name: 'Revoke Management Token' });
  await revoke.getByLabel('I understand the risk of this action').check();
  await revoke.getByRole('button', { name: 'Revoke Token' }).click();
  await revoke.getByRole('alert').filter({ hasText: revokeRefusal.body.message }).waitFor();
  await revoke.getByRole('button', { name: 'Cancel' }).click();

  const databases = (await call<Array<{ name: string }>>(server.url, 'GET', '/api/v0/databases', { token: operator }))
    .body;
  assert.ok(!databases.some((d) => d.name === 'auditor_db'), 'nothing was created');
  const stillWorks = await call(server.url, 'GET', '/api/v0/tokens', { token: opsBot.secret });
  assert.equal(stillWorks.status, 200, 'nothing was revoked');

  // The refusals are in the log under the Auditor's name, with the API's reason.
  await goTo(page, 'Audit Log');
  await applyFilters(page, { actor: 'audit-reader', outcome: 'denied' });
  const denied = await rowsWhen(
    page,
    "the Auditor's refusals",
    (r) => r.length >= 2 && r.every((x) => x.actor === 'audit-reader'),
  );
  const reasons = new Map(denied.map((r) => [r.action, r.reason]));
  assert.equal(reasons.get('database.create'), dbRefusal.body.message);
  assert.equal(reasons.get('management_token.revoke'), revokeRefusal.body.message);
  assert.deepEqual(auditorTab.problems, []);
  await auditorTab.context.close();
});

test('Verify says the chain is intact, then names the entry edited in the SQLite catalog file', async () => {
  const { page } = tab;
  await goTo(page, 'Overview');
  await goTo(page, 'Audit Log');
  const good = await call<Report>(server.url, 'GET', '/api/v0/audit/verify', { token: operator });
  assert.equal(good.body.ok, true, good.text);
  await page.getByRole('button', { name: 'Verify Audit Chain' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Chain intact: ${good.body.checked} entries checked` })
    .waitFor();
  await screenshot(page, 'audit-log-verified');

  const target = (await list('?action=database.create&outcome=ok&limit=1')).body[0] as Entry;
  const newest = (await list('?limit=50')).body;
  assert.ok(
    newest.some((e) => e.id === target.id),
    'the entry to edit is on the first page',
  );
  await rowsWhen(page, 'the newest entries', (r) => sameIds(r, requestIds(newest)));
  const file = new Database(join(server.dataDir, 'catalog.sqlite'));
  try {
    const changed = file
      .prepare(`update audit_log set target_name = 'not-what-happened' where id = ?`)
      .run(Number(target.id));
    assert.equal(changed.changes, 1);
  } finally {
    file.close();
  }
  const bad = await call<Report>(server.url, 'GET', '/api/v0/audit/verify', { token: operator });
  assert.equal(bad.body.ok, false);
  assert.equal(bad.body.problem?.id, target.id);

  await page.getByRole('button', { name: 'Verify Audit Chain' }).click();
  const warning = page.getByRole('alert').filter({ hasText: 'Chain broken' });
  await warning.waitFor();
  const text = (await warning.textContent()) ?? '';
  assert.ok(
    text.includes(`First bad entry: ${target.id} (seq ${target.seq}, edited)`),
    `the first bad entry is named: ${text}`,
  );
  assert.ok(text.includes(bad.body.problem?.message ?? '-'), 'with the API message');
  const marked = page.locator('tr.row-bad');
  assert.equal(await marked.count(), 1);
  assert.equal(await marked.locator('td[data-label="Request ID"]').textContent(), target.requestId);
  await marked.getByText('First bad entry').waitFor();
  await screenshot(page, 'audit-log-tampered');
  assert.deepEqual(tab.problems, []);
});
