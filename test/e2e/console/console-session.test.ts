import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openTab, screenshot } from '../../helpers/browser.ts';
import { bootstrap, call } from '../../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

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

async function signIn(token: string) {
  const tab = await openTab(browser, server.url);
  await tab.page.goto('/');
  await tab.page.getByLabel('Token').fill(token);
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await tab.page.getByRole('navigation', { name: 'Console' }).waitFor();
  return tab;
}

test('the console is served at / under a strict Content-Security-Policy', async () => {
  const page = await call(server.url, 'GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  const csp = page.headers.get('content-security-policy') ?? '';
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
  }
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.doesNotMatch(page.text, /<script>|<style>|style="/, 'the page has no inline script or style');
  const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
  assert.ok(script, 'the page loads its script from /console/assets');
  const asset = await call(server.url, 'GET', script);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.equal((await call(server.url, 'GET', '/console/assets/nope.js')).status, 404);
  assert.equal((await call(server.url, 'GET', '/database-tokens')).status, 200, 'every page path serves the console');
});

test('signing in with a pasted token makes an HttpOnly SameSite=Strict session; no token stays in the page', async () => {
  const tab = await signIn(operator);
  const { page, context } = tab;
  await page.getByText('Signed in as').waitFor();
  assert.match(page.url(), /\/overview$/);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'fluxgate_session');
  assert.ok(session, 'a session cookie is set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.notEqual(session.value, operator);
  const leaks = await page.evaluate(
    (secret) => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      html: document.documentElement.outerHTML.includes(secret),
      url: location.href.includes(secret),
    }),
    operator,
  );
  assert.deepEqual(leaks, { cookie: '', local: '{}', session: '{}', html: false, url: false });
  await screenshot(page, 'sign-in-overview');
  assert.deepEqual(tab.problems, []);
  await context.close();
});

test('a wrong token is refused with the API reason next to the sign-in form', async () => {
  const tab = await openTab(browser, server.url);
  await tab.page.goto('/sign-in');
  await screenshot(tab.page, 'sign-in');
  const options = await call<{ oidc: boolean }>(server.url, 'GET', '/console/api/sign-in-options');
  assert.deepEqual(options.body, { oidc: false }, 'this server runs without OIDC');
  assert.equal(
    await tab.page.getByRole('link', { name: 'Sign in with your identity provider' }).count(),
    0,
    'so the page offers no identity provider',
  );
  assert.equal((await call(server.url, 'GET', '/console/api/oidc/start')).status, 404);
  await tab.page.getByLabel('Token').fill('fgo_not-a-real-token');
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await tab.page.getByRole('alert').filter({ hasText: 'the token is not valid' }).waitFor();
  assert.equal((await tab.context.cookies()).length, 0, 'no session for a refused token');
  await tab.context.close();
});

test('a state-changing call with the session cookie but without its CSRF token is refused', async () => {
  const tab = await signIn(operator);
  const cookie = (await tab.context.cookies()).find((c) => c.name === 'fluxgate_session');
  assert.ok(cookie);
  const headers = { cookie: `fluxgate_session=${cookie.value}` };
  const listed = await call(server.url, 'GET', '/api/v3/configure/token', { headers });
  assert.equal(listed.status, 200, 'a read needs only the cookie');
  const refused = await call(server.url, 'POST', '/api/v3/configure/token/named_admin', {
    headers,
    json: { token_name: 'csrf-victim' },
  });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('x-fluxgate-error'), 'CSRF_REFUSED');
  const wrong = await call(server.url, 'POST', '/api/v3/configure/token/named_admin', {
    headers: { ...headers, 'x-csrf-token': 'guessed' },
    json: { token_name: 'csrf-victim' },
  });
  assert.equal(wrong.status, 403);
  const names = (await call<Array<{ name: string }>>(server.url, 'GET', '/api/v3/configure/token', { token: operator }))
    .body;
  assert.ok(!names.some((t) => t.name === 'csrf-victim'), 'nothing was created');
  await tab.context.close();
});

test('a cross-site page cannot make the signed-in browser create a token', async () => {
  const tab = await signIn(operator);
  const target = `${server.url}/api/v3/configure/token/named_admin`;
  const attacker = await serveAttackerPage(
    `<form id="f" method="POST" enctype="text/plain" action="${target}">` +
      `<input name='{"token_name":"evil-form","x":"' value='"}'></form>` +
      `<script>fetch(${JSON.stringify(target)}, {method: 'POST', mode: 'no-cors', credentials: 'include',` +
      ` headers: {'content-type': 'text/plain'}, body: '{"token_name":"evil-fetch"}'})` +
      `.finally(() => document.getElementById('f').submit());</script>`,
  );
  try {
    const formAnswer = tab.page.waitForResponse(
      (r) => r.url() === target && r.request().method() === 'POST' && r.request().resourceType() === 'document',
    );
    await tab.page.goto(attacker.url);
    const answer = await formAnswer;
    assert.equal(answer.status(), 403, 'the forged form post is refused');
    assert.equal(answer.headers()['x-fluxgate-error'], 'CSRF_REFUSED');
  } finally {
    attacker.server.close();
  }
  const names = (
    await call<Array<{ name: string }>>(server.url, 'GET', '/api/v3/configure/token', { token: operator })
  ).body.map((t) => t.name);
  assert.ok(!names.includes('evil-form') && !names.includes('evil-fetch'), `nothing was created: ${names.join(', ')}`);
  await tab.context.close();
});

test('sign-out ends the session on the server, not only in the browser', async () => {
  const tab = await signIn(operator);
  const cookie = (await tab.context.cookies()).find((c) => c.name === 'fluxgate_session');
  assert.ok(cookie);
  await tab.page.getByRole('button', { name: 'Sign out' }).click();
  await tab.page.getByRole('button', { name: 'Sign in' }).waitFor();
  await tab.page.getByText('You signed out.').waitFor();
  const replayed = await call(server.url, 'GET', '/api/v3/configure/token', {
    headers: { cookie: `fluxgate_session=${cookie.value}` },
  });
  assert.equal(replayed.status, 401, 'the old cookie no longer works');
  assert.equal(replayed.headers.get('x-fluxgate-error'), 'CONSOLE_SESSION_INVALID');
  await tab.context.close();
});

async function serveAttackerPage(html: string): Promise<{ server: Server; url: string }> {
  const attacker = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><body>${html}</body></html>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  const { port } = attacker.address() as { port: number };
  // Another port is another origin (same site, so SameSite alone would not stop it: the CSRF check must).
  return { server: attacker, url: `http://127.0.0.1:${port}/` };
}
