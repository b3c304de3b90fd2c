// End-to-end check of the dashboard page in headless Chromium.
//
// Needs a running API (BASE_URL) with data for VENUE_ID, an admin JWT (ANALYTICS_TOKEN) and a
// shell command (PUBLISH_CMD) that publishes exactly one ticket-purchase of PUBLISH_AMOUNT minor
// units for VENUE_ID. The page must pick the purchase up live, without a reload.
//
//   BASE_URL=http://127.0.0.1:3000 ANALYTICS_TOKEN=... VENUE_ID=... \
//   PUBLISH_CMD='...' PUBLISH_AMOUNT=4500 npm test
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
const TOKEN = process.env.ANALYTICS_TOKEN;
const VENUE_ID = process.env.VENUE_ID;
const PUBLISH_CMD = process.env.PUBLISH_CMD;
const PUBLISH_AMOUNT = Number(process.env.PUBLISH_AMOUNT);
const ARTIFACTS_DIR = process.env.ARTIFACTS_DIR
  ? resolve(process.cwd(), process.env.ARTIFACTS_DIR)
  : resolve(HERE, '../../artifacts');
const LIVE_TIMEOUT_MS = 20_000;
const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** KPI test id -> how to read the same number from GET /api/dashboards/{venueId}. */
const KPI_FROM_API = {
  'kpi-revenue': (d) => d.revenue.amount,
  'kpi-net-revenue': (d) => d.netRevenue.amount,
  'kpi-refunds': (d) => d.refunds.amount.amount,
  'kpi-tickets-sold': (d) => d.ticketsSold,
  'kpi-orders': (d) => d.orders,
};

let browser;
const pageErrors = [];

function requireEnv() {
  const missing = ['ANALYTICS_TOKEN', 'VENUE_ID', 'PUBLISH_CMD', 'PUBLISH_AMOUNT'].filter((k) => !process.env[k]);
  assert.deepEqual(missing, [], `missing environment: ${missing.join(', ')} (see the header of ${fileURLToPath(import.meta.url)})`);
  assert.ok(Number.isInteger(PUBLISH_AMOUNT) && PUBLISH_AMOUNT > 0, `PUBLISH_AMOUNT must be a positive integer of minor units, got ${process.env.PUBLISH_AMOUNT}`);
}

const dashboardUrl = () => `${BASE_URL}/?token=${encodeURIComponent(TOKEN)}#venue=${encodeURIComponent(VENUE_ID)}`;

async function fetchDashboard() {
  const res = await fetch(`${BASE_URL}/api/dashboards/${encodeURIComponent(VENUE_ID)}`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(res.status, 200, `GET /api/dashboards/${VENUE_ID} answered ${res.status}: ${await res.clone().text()}`);
  return res.json();
}

async function kpiValues(page) {
  const out = {};
  for (const id of Object.keys(KPI_FROM_API)) {
    out[id] = await page.getAttribute(`[data-testid="${id}"]`, 'data-value');
  }
  return out;
}

async function openDashboard(viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${viewport.width}px: ${err.message}`));
  await page.goto(dashboardUrl(), { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 }).catch(async (err) => {
    const state = await page.getAttribute('body', 'data-state');
    const error = await page.textContent('#signin-error, #load-error').catch(() => '');
    throw new Error(`dashboard never became ready (state=${state}, message=${error?.trim()}): ${err.message}`);
  });
  await page.waitForSelector('[data-testid="kpi-revenue"][data-value]:not([data-value=""])');
  return { context, page };
}

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (installs Debian chromium) or set CHROMIUM_PATH`);
  }
  requireEnv();
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
});

after(async () => {
  await browser?.close();
});

test('desktop dashboard matches the API and updates live without a reload', async () => {
  const { context, page } = await openDashboard({ width: 1440, height: 900 });
  try {
    // The page and the API must agree on the headline numbers. Both can move while we look
    // (other traffic), so compare against an API read taken right after the page read.
    let api;
    let shown;
    const deadline = Date.now() + 10_000;
    for (;;) {
      shown = await kpiValues(page);
      api = await fetchDashboard();
      const expected = Object.fromEntries(Object.entries(KPI_FROM_API).map(([id, read]) => [id, String(read(api))]));
      if (JSON.stringify(shown) === JSON.stringify(expected) || Date.now() > deadline) {
        assert.deepEqual(shown, expected, 'KPI data-value attributes differ from GET /api/dashboards');
        break;
      }
      await page.waitForTimeout(500);
    }
    for (const id of ['kpi-attendance-rate', 'kpi-sales-velocity', 'kpi-cart-abandonment']) {
      assert.notEqual(await page.getAttribute(`[data-testid="${id}"]`, 'data-value'), null, `${id} has no data-value`);
    }
    // Flow health loads after the KPIs (one query per source); give it time.
    await page.waitForSelector('[data-testid="flow-row"]', { timeout: 20_000 }).catch(() => {});
    const flowRows = await page.$$eval('[data-testid="flow-row"]', (rows) => rows.map((r) => r.dataset.status));
    assert.ok(flowRows.length > 0, 'the admin token should show flow-health rows');
    for (const status of flowRows) assert.ok(['flowing', 'silent', 'never', 'unattributed'].includes(status), `unexpected flow status ${status}`);

    // The charts load after the KPIs: the screenshot shows them drawn, not "Loading…".
    for (const chart of ['chart-revenue', 'chart-velocity', 'chart-checkins']) {
      await page.waitForSelector(`[data-testid="${chart}"] svg`, { timeout: 20_000 });
    }
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dashboard.png'), fullPage: true });

    // Anything that reloads the document loses this marker and fires another "load".
    let loads = 0;
    page.on('load', () => loads++);
    await page.evaluate(() => { window.__e2eNoReload = 'still-here'; });
    const before = Number(await page.getAttribute('[data-testid="kpi-revenue"]', 'data-value'));
    const want = before + PUBLISH_AMOUNT;

    execSync(PUBLISH_CMD, { stdio: ['ignore', 'inherit', 'inherit'], shell: '/bin/sh', timeout: 60_000 });

    await page.waitForFunction(
      (v) => document.querySelector('[data-testid="kpi-revenue"]')?.dataset.value === String(v),
      want,
      { timeout: LIVE_TIMEOUT_MS, polling: 100 },
    ).catch(async (err) => {
      const now = await page.getAttribute('[data-testid="kpi-revenue"]', 'data-value');
      const live = await page.getAttribute('[data-testid="live-status"]', 'data-state');
      throw new Error(`kpi-revenue stayed at ${now}, expected ${want} within ${LIVE_TIMEOUT_MS} ms (live-status=${live}): ${err.message}`);
    });
    assert.equal(await page.evaluate(() => window.__e2eNoReload), 'still-here', 'the page reloaded');
    assert.equal(loads, 0, 'the page navigated while waiting for the live update');

    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dashboard-live.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('comparison with the previous period and check-ins per gate', async () => {
  const { context, page } = await openDashboard({ width: 1440, height: 900 });
  try {
    // Doors are open in the simulated night: bars per 5 minutes and a legend entry per gate.
    await page.waitForSelector('[data-testid="chart-checkins"] svg rect', { timeout: 20_000 });
    const gates = await page.$$eval('#checkins-legend li', (items) => items.map((li) => li.textContent));
    assert.ok(gates.length > 0, 'the check-ins legend names the gates');
    assert.match(await page.textContent('#checkins-note'), /admitted · peak \d+/);

    await page.click('#compare-switch button[data-compare="previous"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="delta-net-revenue"]')?.textContent.includes('vs previous period'),
      null,
      { timeout: 20_000 },
    );
    assert.match(new URL(page.url()).hash, /cmp=previous/, 'the comparison is kept in the URL');
    // The revenue chart draws the compared window as a second line.
    const paths = await page.$$eval('[data-testid="chart-revenue"] svg path', (ps) => ps.length);
    assert.ok(paths >= 3, `revenue chart has ${paths} paths; expected area, line and the compared line`);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dashboard-compare.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('a comparison a year back charts at a granularity whose rows are still kept', async () => {
  const { context, page } = await openDashboard({ width: 1440, height: 900 });
  try {
    // Six hours chart at 5m; a year back only hours and days are kept (1m: 8 days, 5m: 35),
    // and the API refuses a comparison reaching before its granularity's rows.
    await page.click('#range-switch button[data-range="6h"]');
    const compared = page.waitForResponse(
      (r) => r.url().includes('/api/metrics/') && new URL(r.url()).searchParams.get('compare') === 'year',
      { timeout: 20_000 },
    );
    await page.click('#compare-switch button[data-compare="year"]');
    const response = await compared;
    const granularity = new URL(response.url()).searchParams.get('granularity');
    assert.equal(response.status(), 200, `${response.url()} answered ${response.status()}: ${await response.text()}`);
    assert.ok(['1h', '1d'].includes(granularity), `charted at ${granularity} with a comparison a year back`);
    for (const g of ['1m', '5m']) {
      assert.ok(
        await page.$eval(`#granularity-switch button[data-granularity="${g}"]`, (b) => b.disabled),
        `${g} is offered for a comparison a year back`,
      );
    }
  } finally {
    await context.close();
  }
});

test('mobile layout renders without horizontal overflow', async () => {
  const { context, page } = await openDashboard({ width: 390, height: 844 });
  try {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the 390px viewport`);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dashboard-mobile.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('no uncaught errors in the page', () => {
  assert.deepEqual(pageErrors, []);
});
