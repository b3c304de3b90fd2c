// The page's two ways in without a pasted token, in headless Chromium against the running stack:
//
// - hosted sign-in (as on AWS with the stack's Cognito user pool): authorization code + PKCE
//   against a fake authorization server started here, which checks the PKCE proof itself
//   (SHA-256 of the verifier, with node's crypto, not the page's code) and hands out a viewer
//   token of VENUE_ID; the stack's `/api/sign-in` answer is replaced (page.route) by one naming
//   that server, since the running stack is configured for the local token form;
// - a show's share link: the page reads through /share/… and does not keep asking for the
//   venue-wide panels the link may not read.
//
//   BASE_URL, ANALYTICS_TOKEN (admin), VIEWER_TOKEN (viewer of VENUE_ID), VENUE_ID
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
const ADMIN_TOKEN = process.env.ANALYTICS_TOKEN;
const VIEWER_TOKEN = process.env.VIEWER_TOKEN;
const VENUE_ID = process.env.VENUE_ID;
const ARTIFACTS_DIR = process.env.ARTIFACTS_DIR
  ? resolve(process.cwd(), process.env.ARTIFACTS_DIR)
  : resolve(HERE, '../../artifacts');
const CLIENT_ID = 'dashboard-client';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

let browser;
let idp;
const pageErrors = [];

/** An authorization server with the endpoints Cognito's hosted UI has. */
function startAuthorizationServer() {
  const codes = new Map(); // code -> { challenge, redirectUri }
  const seen = { authorize: 0, token: 0, refused: [], logout: 0 };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://idp');
    const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'content-type, accept' };
    const json = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...cors });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
    } else if (url.pathname === '/oauth2/authorize') {
      seen.authorize++;
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri');
      if (q.get('response_type') !== 'code' || q.get('client_id') !== CLIENT_ID
        || q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') || '')) {
        seen.refused.push(`authorize: ${url.search}`);
        return json(400, { error: 'invalid_request' });
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, { challenge: q.get('code_challenge'), redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state'));
      res.writeHead(302, { Location: back.toString() });
      res.end();
    } else if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      seen.token++;
      let raw = '';
      req.on('data', (c) => { raw += c; });
      req.on('end', () => {
        const form = new URLSearchParams(raw);
        const grant = codes.get(form.get('code'));
        codes.delete(form.get('code')); // one use only
        const proof = createHash('sha256').update(form.get('code_verifier') || '').digest('base64url');
        if (!grant || form.get('grant_type') !== 'authorization_code' || form.get('client_id') !== CLIENT_ID
          || form.get('redirect_uri') !== grant.redirectUri || proof !== grant.challenge) {
          seen.refused.push(`token: ${raw}`);
          return json(400, { error: 'invalid_grant', error_description: 'code, verifier or redirect_uri do not match' });
        }
        json(200, { id_token: VIEWER_TOKEN, access_token: 'opaque-access-token', token_type: 'Bearer', expires_in: 3600 });
      });
    } else if (url.pathname === '/logout') {
      seen.logout++;
      res.writeHead(302, { Location: url.searchParams.get('logout_uri') });
      res.end();
    } else {
      json(404, { error: 'not_found' });
    }
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => {
    const base = `http://127.0.0.1:${server.address().port}`;
    done({ server, seen, base });
  }));
}

async function hostedPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.route(`${BASE_URL}/api/sign-in`, (route) => route.fulfill({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({
      mode: 'oauth',
      authorizeUrl: `${idp.base}/oauth2/authorize`,
      tokenUrl: `${idp.base}/oauth2/token`,
      clientId: CLIENT_ID,
      scopes: 'openid email profile',
      logoutUrl: `${idp.base}/logout`,
    }),
  }));
  return { context, page };
}

async function api(path, token) {
  const res = await fetch(`${BASE_URL}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json().catch(() => null) };
}

before(async () => {
  const missing = ['ANALYTICS_TOKEN', 'VIEWER_TOKEN', 'VENUE_ID'].filter((k) => !process.env[k]);
  assert.deepEqual(missing, [], `missing environment: ${missing.join(', ')}`);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh`);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  idp = await startAuthorizationServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
});

after(async () => {
  await browser?.close();
  idp?.server.close();
});

test('hosted sign-in: authorization code + PKCE, then the dashboard with the issued token', async () => {
  const { context, page } = await hostedPage();
  try {
    await page.goto(`${BASE_URL}/#venue=${encodeURIComponent(VENUE_ID)}`);
    await page.waitForSelector('body[data-state="signin"]');
    assert.equal(await page.isVisible('#token-input'), false, 'no token field with hosted sign-in');
    assert.equal((await page.textContent('#signin-submit')).trim(), 'Sign in');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'sign-in-hosted.png') });

    await page.click('#signin-submit');
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    assert.equal(idp.seen.authorize, 1);
    assert.equal(idp.seen.token, 1);
    assert.deepEqual(idp.seen.refused, [], 'the authorization server refused a request of the page');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('code'), null, 'the code is removed from the address bar');
    assert.equal(url.searchParams.get('state'), null);
    assert.equal(new URLSearchParams(url.hash.slice(1)).get('venue'), VENUE_ID, 'the venue chosen before sign-in is kept');

    // The page shows what the API answers to the issued (viewer) token.
    const dash = await api(`/api/dashboards/${encodeURIComponent(VENUE_ID)}`, VIEWER_TOKEN);
    assert.equal(dash.status, 200);
    await page.waitForSelector('[data-testid="kpi-revenue"][data-value]:not([data-value=""])');
    const shown = Number(await page.getAttribute('[data-testid="kpi-revenue"]', 'data-value'));
    assert.ok(shown >= dash.body.revenue.amount, `revenue ${shown} < API ${dash.body.revenue.amount}`);

    // Sign out ends the provider's session too and comes back to the sign-in card.
    await page.click('#sign-out');
    await page.waitForSelector('body[data-state="signin"]');
    assert.equal(idp.seen.logout, 1);
    assert.equal(await page.evaluate(() => localStorage.getItem('venueAnalytics.token')), null);
  } finally {
    await context.close();
  }
});

test('hosted sign-in: a code this tab did not ask for is refused before it reaches the token endpoint', async () => {
  const { context, page } = await hostedPage();
  const tokenCalls = idp.seen.token;
  try {
    await page.goto(`${BASE_URL}/?code=stolen-code&state=forged-state`);
    await page.waitForSelector('body[data-state="signin"]');
    const message = (await page.textContent('#signin-error')).trim();
    assert.match(message, /not started here/);
    assert.equal(idp.seen.token, tokenCalls, 'the forged code was sent to the token endpoint');
    assert.equal(new URL(page.url()).searchParams.get('code'), null);
    // An error from the provider is shown, not swallowed.
    await page.goto(`${BASE_URL}/?error=access_denied&error_description=User+is+disabled`);
    await page.waitForSelector('body[data-state="signin"]');
    assert.equal((await page.textContent('#signin-error')).trim(), 'User is disabled');
  } finally {
    await context.close();
  }
});

test('a show share link reads through /share and stops asking for panels it may not read', async () => {
  const venues = await api('/api/venues', ADMIN_TOKEN);
  const show = venues.body.venues.find((v) => v.venueId === VENUE_ID)?.shows?.[0]?.eventId;
  assert.ok(show, `a show of ${VENUE_ID}`);
  const res = await fetch(`${BASE_URL}/api/share-links/${encodeURIComponent(VENUE_ID)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ eventId: show, label: 'browser test', expiresInHours: 1 }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const link = await res.json();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const calls = [];
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.origin === BASE_URL && (u.pathname.startsWith('/api/') || u.pathname.startsWith('/share/'))) {
      calls.push({ path: `${u.pathname}${u.search}`, status: r.status() });
    }
  });
  try {
    await page.goto(`${BASE_URL}${link.url}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    assert.equal(new URL(page.url()).searchParams.get('token'), null, 'the link token leaves the address bar');
    assert.equal(await page.inputValue('[data-testid="show-select"]'), show);
    const forbiddenOnce = calls.filter((c) => c.status === 403).map((c) => c.path);
    // Each range change reloads every panel; the 5-s poll reloads the summary.
    for (const range of ['7d', '24h']) {
      await page.evaluate((r) => {
        const p = new URLSearchParams(location.hash.slice(1));
        p.set('range', r);
        location.hash = p.toString();
      }, range);
      await page.waitForTimeout(3_000);
    }
    await page.waitForTimeout(3_000);
    assert.ok(calls.filter((c) => c.path.startsWith('/share/api/dashboards/')).length >= 2, 'the summary was not reloaded');
    const forbidden = calls.filter((c) => c.status === 403).map((c) => c.path);
    assert.deepEqual(forbidden, forbiddenOnce, 'a panel refused once was asked again');
    assert.ok(forbidden.length === new Set(forbidden).size, `a refused panel was asked twice: ${forbidden}`);
    const data = calls.filter((c) => c.path !== '/api/sign-in');
    assert.ok(data.length > 0 && data.every((c) => c.path.startsWith('/share/api/')), `calls outside /share: ${JSON.stringify(data)}`);
    assert.ok(data.some((c) => c.status === 200 && c.path.startsWith(`/share/api/dashboards/`)));
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'share-link-show.png'), fullPage: true });
  } finally {
    await context.close();
    await fetch(`${BASE_URL}/api/share-links/${encodeURIComponent(VENUE_ID)}/${encodeURIComponent(link.linkId)}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
  }
});

test('no uncaught errors in the sign-in pages', () => {
  assert.deepEqual(pageErrors, []);
});
