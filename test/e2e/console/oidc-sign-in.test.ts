import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type ConsoleTab, launchBrowser, openTab, screenshot } from '../../helpers/browser.ts';
import { bootstrap, call } from '../../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';
import { TestIdp } from '../../helpers/test-idp.ts';

let idp: TestIdp;
let server: ServerProcess;
let browser: Browser;
let operator: string;

before(async () => {
  idp = await TestIdp.start();
  idp.setAccount({ sub: 'alice', groups: 'admin', name: 'Alice Admin', email: 'alice@example.com' });
  idp.setAccount({ sub: 'bob', groups: 'member', name: 'Bob Member' });
  idp.setAccount({ sub: 'nobody', name: 'No Group' });
  server = await startServerProcess({
    args: [
      '--oidc-issuer',
      idp.issuer,
      '--oidc-audience',
      idp.audience,
      '--oidc-client-id',
      idp.clientId,
      '--oidc-group-claim',
      'groups',
    ],
  });
  idp.allowRedirect(`${server.url}/console/api/oidc/callback`);
  operator = await bootstrap(server.url);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
  await idp?.stop();
});

/**
 * What a person does: the console's button, then the provider's own sign-in pages (its login form
 * and, if it asks, its consent), and back to the console.
 */
async function signInWithProvider(page: Page, sub: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Sign in with your identity provider' }).click();
  await page.waitForURL((url) => url.origin === idp.issuer);
  await page.locator('input[name="login"]').fill(sub);
  await page.locator('input[name="password"]').fill('any');
  await page.locator('button[type="submit"]').click();
  for (let step = 0; step < 3; step++) {
    await page.waitForURL((url) => url.origin === server.url || /consent|interaction/.test(url.pathname));
    if (new URL(page.url()).origin === server.url) return;
    await page.locator('button[type="submit"]').click();
  }
}

async function providerTab(sub: string): Promise<ConsoleTab> {
  const tab = await openTab(browser, server.url);
  await signInWithProvider(tab.page, sub);
  // The provider's own development pages ask for a stylesheet from the internet; only the console's count.
  tab.problems.length = 0;
  await tab.page.getByRole('navigation', { name: 'Console' }).waitFor();
  return tab;
}

function sessionCookieOf(tab: ConsoleTab) {
  return tab.context.cookies().then((cookies) => cookies.find((c) => c.name === 'fluxgate_session'));
}

test('the server offers the identity provider when it runs with OIDC', async () => {
  const options = await call<{ oidc: boolean }>(server.url, 'GET', '/console/api/sign-in-options');
  assert.deepEqual(options.body, { oidc: true });
  const start = await fetch(`${server.url}/console/api/oidc/start`, { redirect: 'manual' });
  assert.equal(start.status, 302);
  const target = new URL(start.headers.get('location') ?? '');
  assert.equal(target.origin, idp.issuer, 'the browser is sent to the provider');
  assert.equal(target.searchParams.get('response_type'), 'code');
  assert.equal(target.searchParams.get('code_challenge_method'), 'S256');
  assert.match(target.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.equal(target.searchParams.get('redirect_uri'), `${server.url}/console/api/oidc/callback`);
  assert.ok(target.searchParams.get('state'), 'a state ties the answer to this flow');
  assert.match(start.headers.get('set-cookie') ?? '', /fluxgate_oidc_flow=[^;]+;.*HttpOnly; SameSite=Lax/);
});

test('an Admin signs in on the provider pages; the session is an HttpOnly SameSite=Strict cookie with their group', async () => {
  const tab = await providerTab('alice');
  const { page } = tab;
  assert.match(page.url(), /\/overview$/);
  await page.getByText('Signed in as').waitFor();
  assert.equal(await page.locator('.who strong').textContent(), 'Alice Admin');
  const cookie = await sessionCookieOf(tab);
  assert.ok(cookie, 'a session cookie is set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  const session = await call<{ principal: { kind: string; name: string; role: string } }>(
    server.url,
    'GET',
    '/console/api/session',
    { headers: { cookie: `fluxgate_session=${cookie.value}` } },
  );
  assert.equal(session.status, 200);
  assert.deepEqual(
    [session.body.principal.kind, session.body.principal.name, session.body.principal.role],
    ['user', 'Alice Admin', 'admin'],
  );
  // Neither the provider's access token nor its id token reaches the page.
  const leaks = await page.evaluate(() => ({
    cookie: document.cookie,
    storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    jwtInPage: /eyJ[A-Za-z0-9_-]{10,}\./.test(document.documentElement.outerHTML),
    url: location.href,
  }));
  assert.deepEqual(leaks, { cookie: '', storage: '{}{}', jwtInPage: false, url: `${server.url}/overview` });

  // The session acts as Alice: what she does through the console is audited under her name.
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('table', { name: 'Users' }).getByText('alice', { exact: true }).waitFor();
  await screenshot(page, 'users-oidc-admin');
  const users = await call<Array<{ subject: string; group: string; source: string }>>(
    server.url,
    'GET',
    '/api/v0/users',
    { token: operator },
  );
  assert.deepEqual(
    users.body.map((u) => [u.subject, u.group, u.source]),
    [['alice', 'admin', 'claim']],
  );
  assert.deepEqual(tab.problems, []);
  await tab.context.close();
});

test('sign-out ends a provider session on the server', async () => {
  const tab = await providerTab('alice');
  const cookie = await sessionCookieOf(tab);
  assert.ok(cookie);
  await tab.page.getByRole('button', { name: 'Sign out' }).click();
  await tab.page.getByText('You signed out.').waitFor();
  const replayed = await call(server.url, 'GET', '/api/v0/users', {
    headers: { cookie: `fluxgate_session=${cookie.value}` },
  });
  assert.equal(replayed.status, 401);
  assert.equal(replayed.headers.get('x-fluxgate-error'), 'CONSOLE_SESSION_INVALID');
  await tab.context.close();
});

test('a request still in flight at sign-out, answered 401 after it, leaves "You signed out." on the page', async () => {
  const tab = await providerTab('alice');
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived = () => {};
  const holding = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  await tab.page.route('**/api/v0/databases**', async (route) => {
    arrived();
    await held;
    await route.continue();
  });
  await tab.page.getByRole('link', { name: 'Databases' }).click();
  await holding;
  await tab.page.getByRole('button', { name: 'Sign out' }).click();
  await tab.page.getByText('You signed out.').waitFor();
  const late = tab.page.waitForResponse((response) => response.url().includes('/api/v0/databases'));
  release();
  assert.equal((await late).status(), 401);
  // The 401 is handled before the next frame; the message must still be the sign-out's.
  await tab.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50))));
  assert.equal(await tab.page.getByText('You signed out.').isVisible(), true);
  assert.equal(await tab.page.getByText('Your session ended').count(), 0);
  await tab.context.close();
});

test('a subject in no group is sent back to the sign-in page with the reason, and gets no session', async () => {
  const tab = await openTab(browser, server.url);
  await signInWithProvider(tab.page, 'nobody');
  await tab.page.getByText(/Identity provider sign-in failed: .*is in no group here/).waitFor();
  assert.equal(await sessionCookieOf(tab), undefined);
  await tab.context.close();
});

test('a callback this browser did not start makes no session', async () => {
  const answer = await fetch(`${server.url}/console/api/oidc/callback?code=stolen&state=guessed`, {
    redirect: 'manual',
  });
  assert.equal(answer.status, 302);
  assert.match(answer.headers.get('location') ?? '', /^\/sign-in\?error=/);
  assert.doesNotMatch(answer.headers.get('set-cookie') ?? '', /fluxgate_session=[A-Za-z0-9_-]/);
});

test('a Member sees the Admin-only user actions refused with the API reason', async () => {
  const tab = await providerTab('bob');
  const { page } = tab;
  const jwt = await idp.signIn('bob');
  const listRefusal = await call<{ message: string }>(server.url, 'GET', '/api/v0/users', { token: jwt });
  assert.equal(listRefusal.status, 403);
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('alert').filter({ hasText: listRefusal.body.message }).waitFor();

  const addRefusal = await call<{ message: string }>(server.url, 'POST', '/api/v0/users', {
    token: jwt,
    json: { subject: 'mallory', group: 'admin' },
  });
  assert.equal(addRefusal.status, 403);
  await page.getByRole('button', { name: 'Add User' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add User' });
  await dialog.getByLabel('Subject').fill('mallory');
  await dialog.getByLabel('Group').selectOption('admin');
  await dialog.getByRole('button', { name: 'Add User' }).click();
  await dialog.getByRole('alert').filter({ hasText: addRefusal.body.message }).waitFor();
  await screenshot(page, 'users-member-refused');
  const subjects = (await call<Array<{ subject: string }>>(server.url, 'GET', '/api/v0/users', { token: operator }))
    .body;
  assert.ok(!subjects.some((u) => u.subject === 'mallory'), 'nothing was added');
  await tab.context.close();
});

test('an Admin adds a user, changes their group and removes them (with confirmation) on the Users page', async () => {
  idp.setAccount({ sub: 'dana', name: 'Dana' });
  const tab = await providerTab('alice');
  const { page } = tab;
  await page.getByRole('link', { name: 'Users' }).click();
  const table = page.getByRole('table', { name: 'Users' });
  await table.getByText('alice', { exact: true }).waitFor();

  await page.getByRole('button', { name: 'Add User' }).click();
  const add = page.getByRole('dialog', { name: 'Add User' });
  await add.getByLabel('Subject').fill('dana');
  await add.getByLabel('Email').fill('dana@example.com');
  await add.getByLabel('Group').selectOption('member');
  await add.getByRole('button', { name: 'Add User' }).click();
  await add.waitFor({ state: 'detached' });
  const row = table.getByRole('row').filter({ hasText: 'dana@example.com' });
  await row.getByText('Member', { exact: true }).waitFor();
  const added = await call<{ group: string; source: string; email: string }>(server.url, 'GET', '/api/v0/users/dana', {
    token: operator,
  });
  assert.deepEqual([added.body.group, added.body.source, added.body.email], ['member', 'manual', 'dana@example.com']);
  // Dana can now sign in (she has no group claim: only being added lets her in).
  const danaJwt = await idp.signIn('dana');
  assert.equal((await call(server.url, 'GET', '/api/v0/tokens', { token: danaJwt })).status, 200);

  await row.getByRole('button', { name: 'Actions for dana' }).click();
  await page.getByRole('menuitem', { name: 'Edit User' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit User' });
  await edit.getByLabel('Group').selectOption('auditor');
  await edit.getByRole('button', { name: 'Save Changes' }).click();
  await edit.waitFor({ state: 'detached' });
  await row.getByText('Auditor', { exact: true }).waitFor();
  const regrouped = await call<{ group: string }>(server.url, 'GET', '/api/v0/users/dana', { token: operator });
  assert.equal(regrouped.body.group, 'auditor');
  // Her very next request is an Auditor's: she may read users but not create tokens.
  assert.equal((await call(server.url, 'GET', '/api/v0/users', { token: danaJwt })).status, 200);
  const minted = await call(server.url, 'POST', '/api/v0/tokens', {
    token: danaJwt,
    json: { description: 'x', permissions: [{ action: 'read', resource: '*' }] },
  });
  assert.equal(minted.status, 403);

  await row.getByRole('button', { name: 'Actions for dana' }).click();
  await page.getByRole('menuitem', { name: 'Remove User' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove User' });
  const confirm = remove.getByRole('button', { name: 'Remove User' });
  assert.equal(await confirm.isDisabled(), true, 'removing waits for the risk to be acknowledged');
  await screenshot(page, 'users-remove');
  await remove.getByLabel('I understand the risk of this action').check();
  await confirm.click();
  await remove.waitFor({ state: 'detached' });
  await table.getByText('dana@example.com').waitFor({ state: 'detached' });
  assert.equal((await call(server.url, 'GET', '/api/v0/users/dana', { token: operator })).status, 404);
  const afterRemoval = await call(server.url, 'GET', '/api/v0/users', { token: danaJwt });
  assert.equal(afterRemoval.status, 401, 'her live session stops at once');
  assert.deepEqual(tab.problems, []);
  await tab.context.close();
});
