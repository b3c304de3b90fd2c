// Venue Analytics dashboard.
//
// Plain browser JavaScript, no framework and no build step: the API serves this file as-is.
// Data comes from the JSON API (see the HTTP contract); charts are drawn as inline SVG.
// Live updates arrive over a WebSocket; when it is down the page polls every 5 s instead.
'use strict';

(() => {
  const TOKEN_KEY = 'venueAnalytics.token';
  const PKCE_KEY = 'venueAnalytics.pkce';
  const SHARE_PREFIX = 'share.';
  const POLL_MS = 5000;
  const KEEPALIVE_MS = 5 * 60 * 1000;
  const LIVE_REFRESH_DEBOUNCE_MS = 2000;
  const MAX_POINTS = 1500;
  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  const GRANULARITY_MS = { '1m': MINUTE, '5m': 5 * MINUTE, '1h': HOUR, '1d': DAY };
  const RANGE_MS = { '6h': 6 * HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY };
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const $ = (id) => document.getElementById(id);

  /** An HTTP error from the API, carrying the status so callers can treat 403/404 specially. */
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  const state = {
    token: null,
    signIn: { mode: 'token' }, // from /api/sign-in: 'token' (paste one) or 'oauth' (hosted sign-in, PKCE)
    forbidden: new Set(), // optional panels this token may not read (403): not asked again
    venues: [],
    venueId: null,
    eventId: null,
    range: 'auto',
    granularity: null, // null = pick from the range
    dashboard: null,
    series: null, // { revenue, ticketsSold, from, to, granularity }
    compare: '', // '' | 'previous' | 'year'
    comparison: null, // the chart window against the compared one (dashboard `comparison`)
    checkins: null,
    flows: null,
    autoRange: null, // { key, from, end }
    generation: 0, // bumps on every selection change; stale responses are dropped
    deltaSeq: 0, // bumps on every applied live delta
    staleSkips: 0,
    ws: null,
    wsAttempts: 0,
    wsTimer: null,
    wsKeepAlive: null,
    websocketUrl: null, // the WebSocket API on AWS; null: this host's /api/realtime/…/ws
    pollTimer: null,
    pollTicks: 0,
    refreshTimer: null,
  };

  // ---------------------------------------------------------------------------
  // Small DOM helpers (no innerHTML with data, ever)
  // ---------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    appendAll(el, children);
    return el;
  }

  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    setAttrs(el, attrs);
    appendAll(el, children);
    return el;
  }

  function setAttrs(el, attrs) {
    if (!attrs) return;
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k === 'class') el.setAttribute('class', v);
      else if (k === 'style') el.style.cssText = v; // CSSOM, so a strict style-src CSP still allows it
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function appendAll(el, children) {
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  function emptyState(message) {
    return h('div', { class: 'empty', text: message });
  }

  // ---------------------------------------------------------------------------
  // Formatting
  // ---------------------------------------------------------------------------

  const nf = new Intl.NumberFormat(undefined);
  const nf1 = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const nfCompact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
  const pf = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const moneyFormats = new Map();
  const dateFormats = new Map();

  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const fmtInt = (v) => (isNum(v) ? nf.format(v) : '—');
  const fmtPct = (v) => (isNum(v) ? pf.format(v) : '—');

  function moneyFormat(currency, compact) {
    const key = `${currency}|${compact ? 'c' : ''}`;
    if (!moneyFormats.has(key)) {
      let f;
      try {
        f = new Intl.NumberFormat(undefined, compact
          ? { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }
          : { style: 'currency', currency });
      } catch {
        f = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
      }
      moneyFormats.set(key, f);
    }
    return moneyFormats.get(key);
  }

  /** Digits after the decimal point of a currency's minor unit (USD 2, JPY 0). */
  function minorDigits(currency) {
    try {
      return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    } catch {
      return 2;
    }
  }

  const toMajor = (minor, currency) => minor / 10 ** minorDigits(currency);

  function fmtMoney(minor, currency, compact = false) {
    if (!isNum(minor)) return '—';
    return moneyFormat(currency || 'USD', compact).format(toMajor(minor, currency || 'USD'));
  }

  /** Amount in minor units from either a Money object or a bare number. */
  function amountOf(v) {
    if (isNum(v)) return v;
    if (v && isNum(v.amount)) return v.amount;
    return null;
  }

  function dateFormat(tz, options) {
    const key = `${tz}|${JSON.stringify(options)}`;
    if (!dateFormats.has(key)) {
      let f;
      try {
        f = new Intl.DateTimeFormat(undefined, { timeZone: tz, ...options });
      } catch {
        f = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', ...options });
      }
      dateFormats.set(key, f);
    }
    return dateFormats.get(key);
  }

  const tz = () => state.dashboard?.timezone || currentVenue()?.timezone || 'UTC';
  const currency = () => state.dashboard?.currency || state.dashboard?.revenue?.currency || 'USD';

  function fmtDateTime(t, zone = tz()) {
    return dateFormat(zone, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
  }

  function fmtTime(t, zone = tz(), seconds = false) {
    return dateFormat(zone, { hour: '2-digit', minute: '2-digit', second: seconds ? '2-digit' : undefined, hourCycle: 'h23' }).format(t);
  }

  function fmtDay(t, zone = tz()) {
    return dateFormat(zone, { weekday: 'short', month: 'short', day: 'numeric' }).format(t);
  }

  /** Offset of a time zone from UTC at instant t, in ms (positive east of Greenwich). */
  function tzOffset(zone, t) {
    const parts = dateFormat(zone, {
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
    }).formatToParts(t);
    const get = (type) => Number(parts.find((p) => p.type === type)?.value);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
    return asUtc - Math.floor(t / 1000) * 1000;
  }

  function fmtOffset(zone) {
    const off = tzOffset(zone, Date.now()) / MINUTE;
    const sign = off < 0 ? '−' : '+';
    const abs = Math.abs(off);
    const hh = String(Math.floor(abs / 60)).padStart(2, '0');
    const mm = String(abs % 60).padStart(2, '0');
    return `UTC${sign}${hh}:${mm}`;
  }

  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
  function fmtRelative(iso) {
    if (!iso) return 'never';
    const t = Date.parse(iso);
    if (!Number.isFinite(t)) return '—';
    const diff = (t - Date.now()) / 1000;
    const abs = Math.abs(diff);
    if (abs < 45) return 'just now';
    if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
    if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
    return rtf.format(Math.round(diff / 86400), 'day');
  }

  // ---------------------------------------------------------------------------
  // API access and auth
  // ---------------------------------------------------------------------------

  const holdsShareLink = () => Boolean(state.token?.startsWith(SHARE_PREFIX));

  // A share link reads through /share/… (on AWS the gateway's JWT authorizer
  // guards /api/… and would refuse it: it is not a JWT).
  const apiBase = () => (holdsShareLink() ? '/share' : '');

  async function api(path) {
    let res;
    try {
      res = await fetch(`${apiBase()}${path}`, {
        headers: { Authorization: `Bearer ${state.token}`, Accept: 'application/json' },
        cache: 'no-store',
      });
    } catch (err) {
      throw new ApiError(0, `Network error: ${err.message}`);
    }
    let body = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (res.status === 401) {
      const message = body?.error || 'The access token was rejected. Please sign in again.';
      signOut(message);
      throw new ApiError(401, message);
    }
    if (!res.ok) throw new ApiError(res.status, body?.error || `Request failed (${res.status})`);
    return body;
  }

  function readStoredToken() {
    try {
      return localStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  }

  function storeToken(token) {
    try {
      if (token) localStorage.setItem(TOKEN_KEY, token);
      else localStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage disabled: the token then lives for this page only.
    }
  }

  function showSignIn(message) {
    document.body.dataset.state = 'signin';
    $('dashboard').hidden = true;
    $('venue-title').hidden = true;
    $('topbar-actions').hidden = true;
    $('signin').hidden = false;
    const err = $('signin-error');
    err.textContent = message || '';
    err.hidden = !message;
    const hosted = state.signIn.mode === 'oauth';
    $('signin-token').hidden = hosted;
    $('signin-hosted').hidden = !hosted;
    $('token-input').required = !hosted;
    $('signin-submit').textContent = hosted ? 'Sign in' : 'Open dashboard';
    $('token-input').value = '';
    (hosted ? $('signin-submit') : $('token-input')).focus();
  }

  function signOut(message) {
    state.token = null;
    state.forbidden.clear();
    storeToken(null);
    stopLive();
    stopPolling();
    clearTimeout(state.refreshTimer);
    state.generation++;
    state.dashboard = null;
    state.venueId = null;
    showSignIn(message);
  }

  // ---------------------------------------------------------------------------
  // Hosted sign-in: OAuth 2.0 authorization code with PKCE (RFC 7636)
  // ---------------------------------------------------------------------------

  const redirectUri = () => `${location.origin}${location.pathname}`;

  function base64url(bytes) {
    let bin = '';
    for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

  /** Sends the browser to the identity provider; it comes back with ?code=&state=. */
  async function beginHostedSignIn() {
    const cfg = state.signIn;
    const verifier = randomString();
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const nonce = randomString();
    sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state: nonce, hash: location.hash }));
    const url = new URL(cfg.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', cfg.clientId);
    url.searchParams.set('redirect_uri', redirectUri());
    url.searchParams.set('scope', cfg.scopes);
    url.searchParams.set('state', nonce);
    url.searchParams.set('code_challenge', challenge);
    url.searchParams.set('code_challenge_method', 'S256');
    location.assign(url.toString());
  }

  /**
   * Back from the identity provider: checks `state` against the one this tab
   * sent (a code arriving from anywhere else is refused), then trades the code
   * and verifier for tokens. The ID token carries the venue groups and
   * attributes; the access token is the fallback.
   */
  async function completeHostedSignIn(params) {
    let pending = null;
    try {
      pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) || 'null');
    } catch {
      pending = null;
    }
    sessionStorage.removeItem(PKCE_KEY);
    const clean = new URL(location.href);
    for (const k of ['code', 'state', 'error', 'error_description', 'session_state']) clean.searchParams.delete(k);
    history.replaceState(null, '', `${clean.pathname}${clean.search}${pending?.hash || location.hash}`);
    if (params.get('error')) throw new Error(params.get('error_description') || params.get('error'));
    if (!pending || !pending.state || pending.state !== params.get('state')) {
      throw new Error('This sign-in response was not started here. Please sign in again.');
    }
    const cfg = state.signIn;
    let res;
    try {
      res = await fetch(cfg.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: cfg.clientId,
          code: params.get('code'),
          redirect_uri: redirectUri(),
          code_verifier: pending.verifier,
        }),
      });
    } catch (err) {
      throw new Error(`The sign-in service could not be reached: ${err.message}`);
    }
    const body = await res.json().catch(() => null);
    const token = body?.id_token || body?.access_token;
    if (!res.ok || !token) {
      throw new Error(body?.error_description || body?.error || `Sign-in failed (${res.status})`);
    }
    return token;
  }

  async function loadSignInMethod() {
    try {
      const res = await fetch('/api/sign-in', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      const cfg = res.ok ? await res.json() : null;
      if (cfg?.mode === 'oauth' && cfg.authorizeUrl && cfg.tokenUrl && cfg.clientId) state.signIn = cfg;
    } catch {
      // Unreachable: keep the token form.
    }
  }

  function hostedSignOut() {
    const cfg = state.signIn;
    if (cfg.mode !== 'oauth' || !cfg.logoutUrl) return;
    const url = new URL(cfg.logoutUrl);
    url.searchParams.set('client_id', cfg.clientId);
    url.searchParams.set('logout_uri', redirectUri());
    location.assign(url.toString());
  }

  // ---------------------------------------------------------------------------
  // Selection (venue / show / range) and the URL hash
  // ---------------------------------------------------------------------------

  function readHash() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ''));
    return {
      venue: p.get('venue'),
      event: p.get('event'),
      range: RANGE_MS[p.get('range')] ? p.get('range') : 'auto',
      granularity: GRANULARITY_MS[p.get('g')] ? p.get('g') : null,
      compare: ['previous', 'year'].includes(p.get('cmp')) ? p.get('cmp') : '',
    };
  }

  function writeHash() {
    const p = new URLSearchParams();
    if (state.venueId) p.set('venue', state.venueId);
    if (state.eventId) p.set('event', state.eventId);
    if (state.range !== 'auto') p.set('range', state.range);
    if (state.granularity) p.set('g', state.granularity);
    if (state.compare) p.set('cmp', state.compare);
    const hash = `#${p.toString()}`;
    if (location.hash !== hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  }

  const currentVenue = () => state.venues.find((v) => v.venueId === state.venueId) || null;
  const currentShows = () => currentVenue()?.shows || state.dashboard?.shows || [];
  const currentShow = () => currentShows().find((sh) => sh.eventId === state.eventId) || null;

  function fillVenueSelect() {
    const sel = $('venue-select');
    sel.replaceChildren(...state.venues.map((v) => h('option', { value: v.venueId, text: v.name || v.venueId })));
    sel.value = state.venueId;
    sel.disabled = state.venues.length < 2;
  }

  function fillShowSelect() {
    const sel = $('show-select');
    const shows = [...currentShows()].sort((a, b) => String(a.startsAt).localeCompare(String(b.startsAt)));
    const zone = currentVenue()?.timezone || 'UTC';
    sel.replaceChildren(
      h('option', { value: '', text: 'All shows' }),
      ...shows.map((sh) => {
        const t = Date.parse(sh.startsAt);
        const when = Number.isFinite(t) ? ` · ${fmtDay(t, zone)}` : '';
        return h('option', { value: sh.eventId, text: `${sh.name || sh.eventId}${when}` });
      }),
    );
    sel.value = state.eventId || '';
  }

  /** Applies a selection; reconnects the live socket when the venue changes. */
  function select({ venue, event, range, granularity, compare = state.compare }) {
    state.compare = compare || '';
    const venueId = state.venues.some((v) => v.venueId === venue) ? venue : state.venues[0].venueId;
    const venueChanged = venueId !== state.venueId;
    state.venueId = venueId;
    const shows = currentVenue()?.shows || [];
    state.eventId = event && shows.some((sh) => sh.eventId === event) ? event : null;
    state.range = range || 'auto';
    state.granularity = granularity || null;
    state.generation++;
    state.autoRange = null;
    state.series = null;
    state.checkins = null;
    state.pacing = null;
    $('checkins-legend').replaceChildren();
    $('checkins-note').textContent = '';
    for (const id of ['revenue-chart', 'velocity-chart', 'checkins-chart']) $(id).replaceChildren(h('div', { class: 'empty empty--loading', text: 'Loading…' }));
    $('revenue-total').textContent = '';
    $('velocity-total').textContent = '';
    if (venueChanged) {
      state.dashboard = null;
      resetKpis();
    }
    fillVenueSelect();
    fillShowSelect();
    renderHeader();
    writeHash();
    if (venueChanged) connectLive();
    refreshAll();
  }

  // ---------------------------------------------------------------------------
  // Loading
  // ---------------------------------------------------------------------------

  async function start() {
    $('signin').hidden = true;
    $('topbar-actions').hidden = false;
    document.body.dataset.state = 'loading';
    let data;
    try {
      data = await api('/api/venues');
    } catch (err) {
      if (err.status === 401) return;
      $('dashboard').hidden = false;
      showLoadError(`Could not load venues: ${err.message}. Retrying…`);
      setTimeout(() => state.token && start(), 5000);
      return;
    }
    state.venues = Array.isArray(data?.venues) ? data.venues : [];
    state.websocketUrl = typeof data?.websocketUrl === 'string' ? data.websocketUrl : null;
    if (state.venues.length === 0) {
      signOut('This token does not grant access to any venue.');
      return;
    }
    showLoadError(null);
    $('dashboard').hidden = false;
    select(readHash());
  }

  function showLoadError(message) {
    const el = $('load-error');
    el.textContent = message || '';
    el.hidden = !message;
  }

  const eventQuery = (sep = '?') => (state.eventId ? `${sep}eventId=${encodeURIComponent(state.eventId)}` : '');

  async function refreshAll() {
    const gen = state.generation;
    await Promise.allSettled([
      refreshDashboard(gen),
      refreshCharts(gen),
      refreshFlows(gen),
      refreshAlerts(gen),
      refreshForecast(gen),
      refreshCustomers(gen),
    ]);
  }

  async function refreshDashboard(gen = state.generation) {
    const seqAtStart = state.deltaSeq;
    let d;
    try {
      d = await api(`/api/dashboards/${encodeURIComponent(state.venueId)}${eventQuery()}`);
    } catch (err) {
      if (gen !== state.generation || err.status === 401) return;
      showLoadError(`Could not load the dashboard: ${err.message}`);
      document.body.dataset.state = 'error';
      return;
    }
    if (gen !== state.generation) return;
    // A live delta landed while this request was in flight: the response may predate it, and
    // rendering it would briefly roll the KPIs back. Ask again instead (bounded).
    if (state.deltaSeq !== seqAtStart && state.dashboard && state.staleSkips < 3) {
      state.staleSkips++;
      scheduleRefresh();
      return;
    }
    state.staleSkips = 0;
    showLoadError(null);
    state.dashboard = d;
    renderDashboard();
    document.body.dataset.state = 'ready';
  }

  function renderDashboard() {
    renderHeader();
    renderKpis();
    renderFunnel();
    renderEntryPoints();
    renderBreakdowns();
    renderUpdatedAt();
  }

  function renderHeader() {
    const v = currentVenue();
    const d = state.dashboard;
    $('venue-title').hidden = false;
    $('venue-name').textContent = d?.venueName || v?.name || state.venueId || '';
    const zone = d?.timezone || v?.timezone || 'UTC';
    const parts = [`${zone} (${fmtOffset(zone)})`];
    if (d?.currency) parts.push(d.currency);
    const show = currentShow();
    if (show) {
      const t = Date.parse(show.startsAt);
      if (Number.isFinite(t)) parts.push(`${show.name || show.eventId} · ${fmtDay(t, zone)} ${fmtTime(t, zone)}`);
    }
    $('venue-meta').textContent = parts.join(' · ');
    document.title = `${$('venue-name').textContent} · Venue Analytics`;
  }

  function renderUpdatedAt() {
    const d = state.dashboard;
    const t = Date.parse(d?.updatedAt);
    $('updated-at').textContent = Number.isFinite(t) ? `Updated ${fmtTime(t, tz(), true)} venue time` : '';
  }

  // ---------------------------------------------------------------------------
  // KPI tiles
  // ---------------------------------------------------------------------------

  const KPI_IDS = [
    'kpi-net-revenue', 'kpi-revenue', 'kpi-tickets-sold', 'kpi-orders', 'kpi-average-order-value', 'kpi-sales-velocity',
    'kpi-attendance-rate', 'kpi-refunds', 'kpi-cart-abandonment', 'kpi-page-views', 'kpi-capacity-utilisation',
  ];

  function resetKpis() {
    for (const id of KPI_IDS) {
      const el = $(id);
      el.textContent = '—';
      el.removeAttribute('data-value');
      $(`${id}-sub`).textContent = '';
    }
  }

  function setKpi(id, raw, text, bumped) {
    const el = $(id);
    const value = raw === null || raw === undefined ? '' : String(raw);
    const changed = el.dataset.value !== undefined && el.dataset.value !== value;
    el.textContent = text;
    el.dataset.value = value;
    el.title = text;
    if (bumped && changed) {
      el.classList.add('is-bumped');
      setTimeout(() => el.classList.remove('is-bumped'), 50);
    }
  }

  function setSub(id, ...parts) {
    $(`${id}-sub`).replaceChildren(...parts.flat().filter((p) => p !== null && p !== undefined));
  }

  function renderKpis(bumped = false) {
    const d = state.dashboard;
    if (!d) return;
    renderDeltas();
    const cur = currency();
    const revenue = amountOf(d.revenue);
    const aov = amountOf(d.averageOrderValue);

    setKpi('kpi-revenue', revenue, fmtMoney(revenue, cur), bumped);
    // Money in other currencies is never added to the tile; it is named here.
    const others = (d.revenueByCurrency || [])
      .filter((c) => c.revenue && c.revenue.currency !== cur)
      .map((c) => `+ ${fmtMoney(amountOf(c.revenue), c.revenue.currency)}`);
    setSub('kpi-revenue', others.length ? `before refunds · ${cur} · ${others.join(' · ')} (not added)` : `before refunds · ${cur}`);

    const refunds = d.refunds || {};
    const refunded = amountOf(refunds.amount);
    const net = amountOf(d.netRevenue);
    setKpi('kpi-net-revenue', net, fmtMoney(net, cur), bumped);
    setSub('kpi-net-revenue', isNum(refunded) && refunded !== 0
      ? ['gross − ', h('strong', { text: fmtMoney(refunded, cur) }), ' refunded']
      : `after refunds · ${cur}`);

    setKpi('kpi-refunds', refunded, fmtMoney(refunded, cur), bumped);
    const reasons = Object.fromEntries((refunds.byReason || []).map((r) => [r.reason, r]));
    const disputes = ['chargeback', 'chargebackWon', 'chargebackLost'].map((k) => reasons[k]?.count || 0);
    setSub('kpi-refunds', isNum(refunds.count) && refunds.count > 0
      ? [h('strong', { text: fmtInt(refunds.count) }), ` refunds · ${fmtInt(refunds.tickets || 0)} tickets`,
        disputes[0] ? ` · ${fmtInt(disputes[0])} chargebacks (${fmtInt(disputes[1])} won, ${fmtInt(disputes[2])} lost)` : '']
      : 'none');

    setKpi('kpi-tickets-sold', d.ticketsSold, fmtInt(d.ticketsSold), bumped);
    const capacity = isNum(d.capacity) ? d.capacity : null;
    const netTickets = isNum(d.netTicketsSold) && d.netTicketsSold !== d.ticketsSold
      ? [h('strong', { text: fmtInt(d.netTicketsSold) }), ' held after refunds'] : null;
    setSub('kpi-tickets-sold', netTickets
      ? [...netTickets, capacity ? ` · of ${fmtInt(capacity)}` : '']
      : capacity ? ['of ', h('strong', { text: fmtInt(capacity) }), ' capacity'] : 'all channels');

    setKpi('kpi-orders', d.orders, fmtInt(d.orders), bumped);
    setSub('kpi-orders', isNum(d.orders) && d.orders > 0 && isNum(d.ticketsSold)
      ? [h('strong', { text: nf1.format(d.ticketsSold / d.orders) }), ' tickets per order'] : '');

    setKpi('kpi-average-order-value', aov, fmtMoney(aov, cur), bumped);
    setSub('kpi-average-order-value', 'gross revenue ÷ orders');

    setKpi('kpi-sales-velocity', d.salesVelocity, isNum(d.salesVelocity) ? nf1.format(d.salesVelocity) : '—', bumped);
    setSub('kpi-sales-velocity', 'tickets / hour, last 60 min');

    setKpi('kpi-attendance-rate', d.attendanceRate, fmtPct(d.attendanceRate), bumped);
    const scans = d.scans || {};
    setSub('kpi-attendance-rate', isNum(scans.admitted)
      ? [h('strong', { text: fmtInt(scans.admitted) }), ' admitted', isNum(d.noShows) ? ` · ${fmtInt(d.noShows)} no-shows` : '']
      : 'no scans yet');

    setKpi('kpi-cart-abandonment', d.cartAbandonmentRate, fmtPct(d.cartAbandonmentRate), bumped);
    const cart = d.cart || {};
    setSub('kpi-cart-abandonment', isNum(cart.abandons)
      ? [h('strong', { text: fmtInt(cart.abandons) }), ' abandoned · ', fmtInt(cart.checkouts), ' checkouts']
      : 'no carts yet');

    setKpi('kpi-page-views', d.pageViews, fmtInt(d.pageViews), bumped);
    setSub('kpi-page-views', isNum(d.uniqueSessions) ? [h('strong', { text: fmtInt(d.uniqueSessions) }), ' unique sessions'] : '');

    const util = d.capacityUtilisation;
    $('kpi-capacity-card').hidden = !isNum(util);
    if (isNum(util)) {
      setKpi('kpi-capacity-utilisation', util, fmtPct(util), bumped);
      setSub('kpi-capacity-utilisation', h('span', { class: 'meter', role: 'presentation' },
        h('span', { style: `width:${Math.min(100, Math.max(0, util * 100)).toFixed(1)}%` })));
    }
  }

  // ---------------------------------------------------------------------------
  // Live updates: WebSocket with backoff, polling fallback
  // ---------------------------------------------------------------------------

  function setLive(kind) {
    const el = $('live-status');
    el.dataset.state = kind;
    const labels = { live: 'Live', connecting: 'Connecting', polling: 'Polling every 5 s', offline: 'Offline' };
    el.querySelector('.live__label').textContent = labels[kind] || kind;
    el.title = kind === 'live' ? 'Receiving updates as events are ingested' : labels[kind];
  }

  function connectLive() {
    stopLive();
    if (!state.token || !state.venueId) return;
    // The live socket takes a signed-in token; a share link polls.
    if (holdsShareLink()) {
      startPolling();
      return;
    }
    const venue = encodeURIComponent(state.venueId);
    const token = encodeURIComponent(state.token);
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = state.websocketUrl
      ? `${state.websocketUrl}?venue=${venue}&token=${token}`
      : `${proto}//${location.host}/api/realtime/${venue}/ws?token=${token}`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      onLiveDown(null);
      return;
    }
    state.ws = ws;
    if (!state.pollTimer) setLive('connecting');
    ws.addEventListener('open', () => {
      if (state.ws !== ws) return;
      const wasPolling = Boolean(state.pollTimer);
      state.wsAttempts = 0;
      stopPolling();
      setLive('live');
      // API Gateway drops a WebSocket idle for 10 minutes; the realtime
      // function answers {"action":"ping"} and keeps the connection's record.
      if (state.websocketUrl) {
        clearInterval(state.wsKeepAlive);
        state.wsKeepAlive = setInterval(() => {
          if (state.ws === ws && ws.readyState === WebSocket.OPEN) ws.send('{"action":"ping"}');
        }, KEEPALIVE_MS);
      }
      if (wasPolling) scheduleRefresh(0); // catch up on anything missed while down
    });
    ws.addEventListener('message', (ev) => {
      if (state.ws !== ws) return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg?.type === 'delta') applyDelta(msg);
      else if (msg?.type === 'alert') refreshAlerts(state.generation);
    });
    ws.addEventListener('close', () => onLiveDown(ws));
  }

  function onLiveDown(ws) {
    if (ws && state.ws !== ws) return; // an old socket we replaced on purpose
    clearInterval(state.wsKeepAlive);
    state.ws = null;
    if (!state.token) return;
    startPolling();
    const delay = Math.min(30_000, 1000 * 2 ** state.wsAttempts) * (0.8 + Math.random() * 0.4);
    state.wsAttempts = Math.min(state.wsAttempts + 1, 6);
    clearTimeout(state.wsTimer);
    state.wsTimer = setTimeout(connectLive, delay);
  }

  function stopLive() {
    clearTimeout(state.wsTimer);
    clearInterval(state.wsKeepAlive);
    const ws = state.ws;
    state.ws = null;
    if (ws) ws.close();
  }

  function startPolling() {
    setLive('polling');
    if (state.pollTimer) return;
    state.pollTicks = 0;
    state.pollTimer = setInterval(() => {
      state.pollTicks++;
      refreshDashboard();
      if (state.pollTicks % 6 === 0) refreshCharts();
    }, POLL_MS);
  }

  function stopPolling() {
    clearInterval(state.pollTimer);
    state.pollTimer = null;
  }

  /** Maps delta counter names onto the dashboard summary fields they increment. */
  const DELTA_FIELDS = {
    revenue: ['revenue', 'amount'],
    ticketsSold: ['ticketsSold'],
    orders: ['orders'],
    scansAdmitted: ['scans', 'admitted'],
    scansRejected: ['scans', 'rejected'],
    scansDuplicate: ['scans', 'duplicate'],
    pageViews: ['pageViews'],
    uniqueSessions: ['uniqueSessions'],
    cartAdds: ['cart', 'adds'],
    cartRemoves: ['cart', 'removes'],
    cartCheckouts: ['cart', 'checkouts'],
    cartAbandons: ['cart', 'abandons'],
    refunds: ['refunds', 'count'],
    refundedAmount: ['refunds', 'amount', 'amount'],
    ticketsRefunded: ['refunds', 'tickets'],
  };

  function applyDelta(msg) {
    if (msg.venueId && msg.venueId !== state.venueId) return;
    scheduleRefresh();
    const d = state.dashboard;
    if (!d) return;
    if (state.eventId && msg.eventId !== state.eventId) return;
    let touched = false;
    for (const [name, path] of Object.entries(DELTA_FIELDS)) {
      const inc = amountOf(msg.counters?.[name]);
      if (!isNum(inc) || inc === 0) continue;
      let target = d;
      for (const key of path.slice(0, -1)) {
        if (!target[key] || typeof target[key] !== 'object') target[key] = {};
        target = target[key];
      }
      const last = path[path.length - 1];
      target[last] = (isNum(target[last]) ? target[last] : 0) + inc;
      touched = true;
    }
    if (!touched) return;
    // Ratios the page can recompute exactly; everything else waits for the debounced refresh.
    const revenue = amountOf(d.revenue);
    if (isNum(revenue) && isNum(d.orders) && d.orders > 0) {
      d.averageOrderValue = { amount: Math.round(revenue / d.orders), currency: currency() };
    }
    // Net figures: gross minus what went back (a live refund moves only these).
    const refunded = amountOf(d.refunds?.amount) || 0;
    if (isNum(revenue)) d.netRevenue = { amount: revenue - refunded, currency: currency() };
    if (isNum(d.ticketsSold)) d.netTicketsSold = d.ticketsSold - (d.refunds?.tickets || 0);
    const held = d.netTicketsSold;
    if (isNum(held) && held > 0 && isNum(d.scans?.admitted)) d.attendanceRate = d.scans.admitted / held;
    if (isNum(d.capacity) && d.capacity > 0 && isNum(held)) d.capacityUtilisation = held / d.capacity;
    const cart = d.cart || {};
    if (isNum(cart.abandons) && isNum(cart.checkouts)) {
      const closed = cart.abandons + cart.checkouts;
      d.cartAbandonmentRate = closed > 0 ? cart.abandons / closed : null;
    }
    // The funnel is built from the same counters as the KPIs: keep them in step, or the
    // "Page views" bar lags the Page views tile until the next refresh.
    d.funnel = funnelFrom(d.pageViews, cart.adds ?? d.funnel?.carts, d.orders);
    state.deltaSeq++;
    renderKpis(true);
    renderFunnel();
  }

  /** The API's funnel (page views → cart adds → orders) from its three counters. */
  function funnelFrom(views, carts, purchases) {
    const ratio = (a, b) => (isNum(a) && isNum(b) && b > 0 ? a / b : null);
    return {
      views, carts, purchases,
      viewToCart: ratio(carts, views),
      cartToPurchase: ratio(purchases, carts),
      viewToPurchase: ratio(purchases, views),
    };
  }

  function scheduleRefresh(delay = LIVE_REFRESH_DEBOUNCE_MS) {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(() => {
      const gen = state.generation;
      refreshDashboard(gen);
      refreshCharts(gen);
      refreshFlows(gen);
    }, delay);
  }

  // ---------------------------------------------------------------------------
  // Time range and series
  // ---------------------------------------------------------------------------

  const GRANULARITIES = ['1m', '5m', '1h', '1d'];
  /** How long fine rows are kept: the API refuses series reaching before. */
  const KEPT_MS = { '1m': 8 * DAY, '5m': 35 * DAY };

  /** The earliest instant the window's series read: its start, or its compared window's. */
  function earliestRead(win) {
    if (state.compare === 'year') return win.from - 52 * 7 * DAY;
    if (state.compare === 'previous') return win.from - (win.to - win.from);
    return win.from;
  }

  // An hour's margin: this clock is not the server's.
  const granularityKept = (g, win) => !KEPT_MS[g] || earliestRead(win) > Date.now() - KEPT_MS[g] + HOUR;

  /** The span's usual granularity, or the finest coarser one still kept (a past show). */
  function defaultGranularity(span, win) {
    const usual = span <= 2 * HOUR ? '1m' : span <= 12 * HOUR ? '5m' : span <= 8 * DAY ? '1h' : '1d';
    let i = GRANULARITIES.indexOf(usual);
    while (i < GRANULARITIES.length - 1 && !granularityKept(GRANULARITIES[i], win)) i += 1;
    return GRANULARITIES[i];
  }

  const granularityFits = (g, span) => span / GRANULARITY_MS[g] <= MAX_POINTS && GRANULARITY_MS[g] < span;

  /** End of the window worth charting: now, or a past show's start + 6 h. */
  function windowEnd() {
    const now = Math.ceil(Date.now() / MINUTE) * MINUTE;
    const show = currentShow();
    const starts = Date.parse(show?.startsAt);
    if (Number.isFinite(starts) && starts + 6 * HOUR < now) return starts + 6 * HOUR;
    return now;
  }

  async function fetchSeries(metric, from, to, granularity) {
    const q = new URLSearchParams({ metric, granularity, from: new Date(from).toISOString(), to: new Date(to).toISOString() });
    if (state.eventId) q.set('eventId', state.eventId);
    if (state.compare) q.set('compare', state.compare);
    const data = await api(`/api/metrics/${encodeURIComponent(state.venueId)}?${q}`);
    const parse = (list) => (Array.isArray(list) ? list : [])
      .map((p) => ({ t: Date.parse(p.t), value: Number(p.value) || 0 }))
      .filter((p) => Number.isFinite(p.t));
    const points = parse(data?.points);
    // The compared window, point for point, drawn at the current points' times.
    const previous = parse(data?.comparison?.points);
    points.previous = data?.comparison
      ? points.map((p, i) => ({ t: p.t, value: previous[i]?.value ?? 0, at: previous[i]?.t }))
      : null;
    return points;
  }

  const COMPARE_LABEL = { previous: 'previous period', year: 'last year (same weekdays)' };

  /** The chart window's totals against the compared window, for the KPI tiles. */
  async function refreshComparison(win, gen) {
    if (!state.compare) {
      state.comparison = null;
      renderKpis();
      return;
    }
    const q = new URLSearchParams({ from: new Date(win.from).toISOString(), to: new Date(win.to).toISOString(), compare: state.compare });
    if (state.eventId) q.set('eventId', state.eventId);
    try {
      const d = await api(`/api/dashboards/${encodeURIComponent(state.venueId)}?${q}`);
      if (gen !== state.generation) return;
      state.comparison = d.comparison || null;
    } catch (err) {
      if (gen !== state.generation || err.status === 401) return;
      state.comparison = null;
    }
    renderKpis();
  }

  function renderDeltas() {
    const c = state.comparison;
    const cur = currency();
    const tiles = [
      ['kpi-net-revenue', 'netRevenue', (v) => fmtMoney(v, cur)],
      ['kpi-revenue', 'revenue', (v) => fmtMoney(v, cur)],
      ['kpi-tickets-sold', 'ticketsSold', fmtInt],
      ['kpi-orders', 'orders', fmtInt],
    ];
    for (const [id, name, fmt] of tiles) {
      const el = $(`${id}-delta`);
      const change = c?.changes?.[name];
      if (!c || !change) {
        el.replaceChildren();
        continue;
      }
      const pct = change.percent;
      const cls = change.absolute > 0 ? 'up' : change.absolute < 0 ? 'down' : '';
      const text = isNum(pct) ? `${pct > 0 ? '+' : ''}${nf1.format(pct)}%` : 'new';
      el.replaceChildren(`chart window ${fmt(c.current[name])} · `, h('span', { class: cls, text }),
        ` vs ${COMPARE_LABEL[c.compare] || c.compare}`);
    }
  }

  /**
   * "Auto" range: find where sales actually happened (daily buckets over 30 days, then hourly
   * buckets from the first active day) so the default chart is never an empty last-24-hours.
   */
  async function resolveAutoRange() {
    const key = `${state.venueId}|${state.eventId || ''}`;
    if (state.autoRange?.key === key) return { from: state.autoRange.from, to: windowEnd() };
    const end = windowEnd();
    let from = end - DAY;
    let prefetched = null;
    try {
      const days = await fetchSeries('ticketsSold', end - 30 * DAY, end, '1d');
      const firstDay = days.find((p) => p.value > 0);
      if (firstDay) {
        from = firstDay.t;
        if (end - firstDay.t <= 8 * DAY) {
          // Both hourly series at once: they find the first active hour and, trimmed to it,
          // are the default chart, so the first paint needs no further round trip.
          const [tickets, revenue] = await Promise.all([
            fetchSeries('ticketsSold', firstDay.t, end, '1h'),
            fetchSeries('revenue', firstDay.t, end, '1h'),
          ]);
          const firstHour = tickets.find((p) => p.value > 0);
          if (firstHour) from = firstHour.t;
          from = Math.min(from, end - HOUR);
          const keep = (p) => p.t >= from;
          prefetched = { granularity: '1h', tickets: tickets.filter(keep), revenue: revenue.filter(keep) };
        }
      }
    } catch (err) {
      if (err.status === 401) throw err;
    }
    from = Math.min(from, end - HOUR);
    state.autoRange = { key, from };
    return { from, to: end, prefetched };
  }

  async function currentWindow() {
    if (state.range === 'auto') return resolveAutoRange();
    const to = windowEnd();
    return { from: to - RANGE_MS[state.range], to };
  }

  async function refreshCharts(gen = state.generation) {
    let win;
    try {
      win = await currentWindow();
    } catch {
      return;
    }
    if (gen !== state.generation) return;
    const span = win.to - win.from;
    let g = state.granularity;
    if (!g || !granularityFits(g, span) || !granularityKept(g, win)) g = defaultGranularity(span, win);
    renderRangeControls(span, g, win);
    try {
      const pre = win.prefetched?.granularity === g ? win.prefetched : null;
      const [revenue, tickets] = pre ? [pre.revenue, pre.tickets] : await Promise.all([
        fetchSeries('revenue', win.from, win.to, g),
        fetchSeries('ticketsSold', win.from, win.to, g),
      ]);
      if (gen !== state.generation) return;
      state.series = { revenue, tickets, from: win.from, to: win.to, granularity: g };
    } catch (err) {
      if (gen !== state.generation || err.status === 401) return;
      state.series = { error: err.message };
    }
    renderCharts();
    refreshCheckins(gen);
    refreshComparison(win, gen);
    refreshPacing(gen);
  }

  /** A show's net tickets by days before it, against the venue's earlier shows. */
  async function refreshPacing(gen = state.generation) {
    $('pacing-section').hidden = !state.eventId;
    if (!state.eventId) return;
    try {
      const q = new URLSearchParams({ eventId: state.eventId });
      const data = await api(`/api/analytics/${encodeURIComponent(state.venueId)}/pacing?${q}`);
      if (gen !== state.generation) return;
      state.pacing = data;
    } catch (err) {
      if (gen !== state.generation || err.status === 401) return;
      state.pacing = { error: err.message };
    }
    renderPacing();
  }

  function renderPacing() {
    const p = state.pacing;
    const el = $('pacing-chart');
    if (!p || !state.eventId) return;
    if (p.error) {
      el.replaceChildren(emptyState(`Could not load pacing: ${p.error}`));
      return;
    }
    const start = Date.parse(p.startsAt);
    const at = (d) => start - d * DAY;
    // From a couple of days before the first sale of this or an earlier show.
    const firstSale = Math.max(0, ...(p.points || [])
      .filter((x) => (x.tickets || 0) > 0 || (x.max || 0) > 0).map((x) => x.daysBefore));
    const from = Math.max(at(p.horizonDays), at(firstSale) - 2 * DAY);
    const shown = (p.points || []).filter((x) => at(x.daysBefore) >= from);
    const known = shown.filter((x) => isNum(x.tickets)).map((x) => ({ t: at(x.daysBefore), value: x.tickets }));
    const line = (key) => shown.filter((x) => isNum(x[key])).map((x) => ({ t: at(x.daysBefore), value: x[key] }));
    const n = (p.comparables || []).length;
    const now = p.now;
    $('pacing-note').textContent = !n ? 'no earlier show to compare with'
      : now && isNum(now.aheadBy)
        ? `${fmtInt(now.tickets)} tickets at ${now.daysBefore} days out · ${now.aheadBy >= 0 ? 'ahead of' : 'behind'} the median of ${n} earlier show${n === 1 ? '' : 's'} by ${fmtInt(Math.abs(Math.round(now.aheadBy)))}${isNum(now.aheadByPercent) ? ` (${now.aheadByPercent >= 0 ? '+' : ''}${nf1.format(now.aheadByPercent)}%)` : ''}`
        : `against ${n} earlier show${n === 1 ? '' : 's'}`;
    timeSeriesChart(el, {
      points: known,
      lines: n ? [
        { label: 'median', color: '#667085', points: line('median') },
        { label: 'lowest', color: '#d0d5dd', points: line('min') },
        { label: 'highest', color: '#d0d5dd', points: line('max') },
      ] : [],
      from, to: start + DAY, step: DAY, kind: 'area', color: 'var(--c-revenue)', gradientId: 'pace-grad',
      axisFormat: (v) => nfCompact.format(v),
      valueFormat: (v) => `${fmtInt(v)} net tickets`,
      detail: (pt, i) => {
        const x = (p.points || []).find((q) => at(q.daysBefore) === pt.t);
        return x && isNum(x.median) ? `${x.daysBefore} days out · median ${fmtInt(Math.round(x.median))} (${fmtInt(x.min)}–${fmtInt(x.max)})` : '';
      },
      label: 'Pacing: net tickets by days before the show',
    });
  }

  /** Admitted scans per 5 minutes around doors, per gate (the API picks the window). */
  async function refreshCheckins(gen = state.generation) {
    const q = new URLSearchParams();
    if (state.eventId) q.set('eventId', state.eventId);
    try {
      const data = await api(`/api/analytics/${encodeURIComponent(state.venueId)}/checkins?${q}`);
      if (gen !== state.generation) return;
      state.checkins = data;
    } catch (err) {
      if (gen !== state.generation || err.status === 401) return;
      state.checkins = { error: err.message };
    }
    renderCheckins();
  }

  const GATE_COLORS = ['#0e9384', '#f79009', '#7a5af8', '#ee46bc', '#2e90fa', '#66c61c'];

  function renderCheckins() {
    const c = state.checkins;
    const el = $('checkins-chart');
    if (!c) return;
    if (c.error) {
      el.replaceChildren(emptyState(`Could not load check-ins: ${c.error}`));
      return;
    }
    const zone = tz();
    const pts = (list) => (list || []).map((p) => ({ t: Date.parse(p.t), value: Number(p.admitted) || 0 }));
    const gates = (c.gates || []).slice(0, GATE_COLORS.length)
      .map((g, i) => ({ label: g.gate, color: GATE_COLORS[i], points: pts(g.points), total: g.total }));
    $('checkins-legend').replaceChildren(...gates.map((g) =>
      h('li', null, h('span', { class: 'swatch', style: `background:${g.color}` }), `${g.gate ?? g.label} ${fmtInt(g.total)}`)));
    const total = pts(c.points).reduce((a, p) => a + p.value, 0);
    $('checkins-note').textContent = c.peak
      ? `${fmtInt(total)} admitted · peak ${fmtInt(c.peak.admitted)} at ${fmtTime(Date.parse(c.peak.t), zone)}`
      : `${fmtDateTime(Date.parse(c.from), zone)} – ${fmtDateTime(Date.parse(c.to), zone)}`;
    timeSeriesChart(el, {
      points: pts(c.points),
      lines: gates,
      from: Date.parse(c.from), to: Date.parse(c.to), step: 5 * MINUTE, kind: 'bars', color: 'var(--c-admitted)',
      axisFormat: (v) => nfCompact.format(v),
      valueFormat: (v) => `${fmtInt(v)} admitted`,
      detail: (p, i) => gates.filter((g) => g.points[i]?.value).map((g) => `${g.label} ${fmtInt(g.points[i].value)}`).join(' · '),
      label: 'Check-ins per 5 minutes',
    });
  }

  function renderRangeControls(span, g, win) {
    for (const b of $('range-switch').querySelectorAll('button')) {
      b.setAttribute('aria-pressed', String(b.dataset.range === state.range));
    }
    for (const b of $('compare-switch').querySelectorAll('button')) {
      b.setAttribute('aria-pressed', String(b.dataset.compare === (state.compare || '')));
    }
    for (const b of $('granularity-switch').querySelectorAll('button')) {
      b.setAttribute('aria-pressed', String(b.dataset.granularity === g));
      b.disabled = !granularityFits(b.dataset.granularity, span) || !granularityKept(b.dataset.granularity, win);
    }
    const zone = tz();
    $('chart-range').textContent = `${fmtDateTime(win.from, zone)} – ${fmtDateTime(win.to, zone)} · ${g} buckets · venue time`;
  }

  function renderCharts() {
    const sr = state.series;
    if (!sr) return;
    const revEl = $('revenue-chart');
    const velEl = $('velocity-chart');
    if (sr.error) {
      revEl.replaceChildren(emptyState(`Could not load the series: ${sr.error}`));
      velEl.replaceChildren(emptyState(`Could not load the series: ${sr.error}`));
      $('revenue-total').textContent = '';
      $('velocity-total').textContent = '';
      return;
    }
    const cur = currency();
    const gMs = GRANULARITY_MS[sr.granularity];
    const perHour = HOUR / gMs;
    const revTotal = sr.revenue.reduce((a, p) => a + p.value, 0);
    const ticketTotal = sr.tickets.reduce((a, p) => a + p.value, 0);
    $('revenue-total').textContent = fmtMoney(revTotal, cur);
    const hours = (sr.to - sr.from) / HOUR;
    $('velocity-total').textContent = `${fmtInt(ticketTotal)} tickets · avg ${nf1.format(hours > 0 ? ticketTotal / hours : 0)}/h`;

    const digits = minorDigits(cur);
    const prev = sr.revenue.previous;
    timeSeriesChart(revEl, {
      points: sr.revenue.map((p) => ({ t: p.t, value: p.value / 10 ** digits })),
      lines: prev ? [{ label: 'compared', color: '#98a2b3', points: prev.map((p) => ({ t: p.t, value: p.value / 10 ** digits })) }] : [],
      detail: prev ? (p, i) => `${COMPARE_LABEL[state.compare]}: ${moneyFormat(cur, false).format((prev[i]?.value || 0) / 10 ** digits)}` : null,
      from: sr.from, to: sr.to, step: gMs, kind: 'area', color: 'var(--c-revenue)', gradientId: 'rev-grad',
      axisFormat: (v) => moneyFormat(cur, true).format(v),
      valueFormat: (v) => moneyFormat(cur, false).format(v),
      label: 'Gross revenue',
    });
    timeSeriesChart(velEl, {
      points: sr.tickets.map((p) => ({ t: p.t, value: p.value * perHour, raw: p.value })),
      from: sr.from, to: sr.to, step: gMs, kind: 'bars', color: 'var(--c-velocity)',
      axisFormat: (v) => nfCompact.format(v),
      valueFormat: (v, p) => `${nf1.format(v)} tickets/h`,
      detail: (p) => `${fmtInt(p.raw)} ${p.raw === 1 ? 'ticket' : 'tickets'} in ${sr.granularity}`,
      label: 'Sales velocity (tickets per hour)',
    });
  }

  // ---------------------------------------------------------------------------
  // Chart primitives
  // ---------------------------------------------------------------------------

  function niceStep(span, count) {
    const raw = span / Math.max(1, count);
    const mag = 10 ** Math.floor(Math.log10(raw));
    const n = raw / mag;
    const nice = n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10;
    return nice * mag;
  }

  function niceTicks(max, count = 4) {
    const top = max > 0 ? max : 1;
    const step = niceStep(top, count);
    const ticks = [];
    for (let v = 0; v <= Math.ceil(top / step) * step + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
    return ticks;
  }

  // 3 d keeps a week on a phone-width chart at two or three labels instead of one.
  const TIME_STEPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR,
    3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY];

  /** Tick instants aligned to round venue-local times. */
  function timeTicks(from, to, zone, maxTicks) {
    const step = TIME_STEPS.find((st) => (to - from) / st <= maxTicks) || TIME_STEPS[TIME_STEPS.length - 1];
    const ticks = [];
    const off = tzOffset(zone, from);
    for (let local = Math.ceil((from + off) / step) * step; local - off <= to; local += step) ticks.push(local - off);
    return { ticks, step };
  }

  function timeTickLabel(t, step, zone) {
    if (step >= DAY) return dateFormat(zone, { month: 'short', day: 'numeric' }).format(t);
    const local = t + tzOffset(zone, t);
    if (local % DAY === 0) return dateFormat(zone, { month: 'short', day: 'numeric' }).format(t);
    return fmtTime(t, zone);
  }

  function bucketLabel(t, step, zone) {
    if (step >= DAY) return fmtDay(t, zone);
    return `${fmtDay(t, zone)}, ${fmtTime(t, zone)}–${fmtTime(t + step, zone)}`;
  }

  const textWidth = (str, px = 11) => str.length * px * 0.6;

  function showTooltip(evt, lines) {
    const tip = $('tooltip');
    tip.replaceChildren(...lines.map(([cls, text]) => h('div', { class: cls, text })));
    tip.hidden = false;
    const pad = 12;
    const { innerWidth: vw, innerHeight: vh } = window;
    const r = tip.getBoundingClientRect();
    let x = evt.clientX + pad;
    let y = evt.clientY - r.height - pad;
    if (x + r.width > vw - 4) x = evt.clientX - r.width - pad;
    if (y < 4) y = evt.clientY + pad;
    tip.style.left = `${Math.max(4, x)}px`;
    tip.style.top = `${Math.min(vh - r.height - 4, y)}px`;
  }

  function hideTooltip() {
    $('tooltip').hidden = true;
  }

  function timeSeriesChart(container, opts) {
    const width = Math.max(280, Math.floor(container.clientWidth || 600));
    const height = width < 480 ? 190 : 220;
    const zone = tz();
    const { points, step } = opts;
    const from = points.length ? Math.min(opts.from, points[0].t) : opts.from;
    const to = points.length ? Math.max(opts.to, points[points.length - 1].t + step) : opts.to;
    // The scale holds the overlaid lines too (a comparison may run higher).
    const max = [points, ...(opts.lines || []).map((l) => l.points)]
      .reduce((m, list) => list.reduce((mm, p) => Math.max(mm, p.value), m), 0);
    const yTicks = niceTicks(max, height < 200 ? 3 : 4);
    const yTop = yTicks[yTicks.length - 1];
    const yLabels = yTicks.map((v) => opts.axisFormat(v));
    const m = { top: 10, right: 8, bottom: 24, left: Math.ceil(Math.max(...yLabels.map((l) => textWidth(l)))) + 12 };
    const iw = width - m.left - m.right;
    const ih = height - m.top - m.bottom;
    const x = (t) => m.left + ((t - from) / (to - from)) * iw;
    const y = (v) => m.top + ih - (v / yTop) * ih;

    const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img', 'aria-label': `${opts.label}, ${points.length} buckets` });
    const grid = s('g');
    yTicks.forEach((v, i) => {
      const yy = Math.round(y(v)) + 0.5;
      grid.append(
        s('line', { class: i === 0 ? 'axis-line' : 'grid-line', x1: m.left, x2: width - m.right, y1: yy, y2: yy }),
        s('text', { x: m.left - 8, y: yy, 'text-anchor': 'end', 'dominant-baseline': 'middle', text: yLabels[i] }),
      );
    });
    const { ticks, step: tickStep } = timeTicks(from, to, zone, Math.max(2, Math.floor(iw / 90)));
    for (const t of ticks) {
      const xx = Math.round(x(t)) + 0.5;
      grid.append(
        s('line', { class: 'axis-line', x1: xx, x2: xx, y1: m.top + ih, y2: m.top + ih + 4 }),
        s('text', { x: xx, y: height - 6, 'text-anchor': 'middle', text: timeTickLabel(t, tickStep, zone) }),
      );
    }
    svg.append(grid);

    const plot = s('g');
    if (opts.kind === 'area' && points.length) {
      const cx = (p) => x(p.t + step / 2);
      const line = points.map((p, i) => `${i ? 'L' : 'M'}${cx(p).toFixed(1)},${y(p.value).toFixed(1)}`).join('');
      const area = `${line}L${cx(points[points.length - 1]).toFixed(1)},${y(0)}L${cx(points[0]).toFixed(1)},${y(0)}Z`;
      plot.append(
        s('defs', null, s('linearGradient', { id: opts.gradientId, x1: 0, x2: 0, y1: 0, y2: 1 },
          s('stop', { offset: '0%', 'stop-color': '#4f46e5', 'stop-opacity': 0.22 }),
          s('stop', { offset: '100%', 'stop-color': '#4f46e5', 'stop-opacity': 0.02 }))),
        s('path', { d: area, fill: `url(#${opts.gradientId})` }),
        s('path', { d: line, fill: 'none', stroke: opts.color, 'stroke-width': 1.75, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }),
      );
    } else if (opts.kind === 'bars') {
      const bw = Math.max(1, (step / (to - from)) * iw);
      const gap = bw > 6 ? Math.min(4, bw * 0.2) : bw > 2 ? 0.5 : 0;
      for (const p of points) {
        if (p.value <= 0) continue;
        const top = y(p.value);
        plot.append(s('rect', {
          x: (x(p.t) + gap / 2).toFixed(1), y: top.toFixed(1), width: Math.max(1, bw - gap).toFixed(1),
          height: Math.max(1, y(0) - top).toFixed(1), rx: bw > 6 ? 2 : 0, fill: opts.color,
        }));
      }
    }
    // Overlaid lines on the same buckets (e.g. one per gate).
    for (const line of opts.lines || []) {
      if (!line.points.length) continue;
      const d = line.points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t + step / 2).toFixed(1)},${y(p.value).toFixed(1)}`).join('');
      plot.append(s('path', { d, fill: 'none', stroke: line.color, 'stroke-width': 1.5, 'stroke-linejoin': 'round' }));
    }
    svg.append(plot);

    if (max === 0) {
      svg.append(s('text', { x: m.left + iw / 2, y: m.top + ih / 2, 'text-anchor': 'middle', class: 'label-key', text: 'No activity in this range' }));
    }

    // Hover: crosshair + tooltip for the bucket under the pointer.
    const cross = s('line', { class: 'crosshair', y1: m.top, y2: m.top + ih, visibility: 'hidden' });
    const dot = s('circle', { r: 3.5, fill: '#fff', stroke: opts.color, 'stroke-width': 2, visibility: 'hidden', 'pointer-events': 'none' });
    const overlay = s('rect', { x: m.left, y: m.top, width: iw, height: ih, fill: 'transparent' });
    svg.append(cross, dot, overlay);
    const onMove = (evt) => {
      if (!points.length) return;
      const rect = svg.getBoundingClientRect();
      const px = ((evt.clientX - rect.left) / rect.width) * width;
      const t = from + ((px - m.left) / iw) * (to - from);
      let idx = Math.floor((t - points[0].t) / step);
      idx = Math.max(0, Math.min(points.length - 1, idx));
      const p = points[idx];
      const cx = x(p.t + step / 2);
      cross.setAttribute('x1', cx);
      cross.setAttribute('x2', cx);
      cross.setAttribute('visibility', 'visible');
      if (opts.kind === 'area') {
        dot.setAttribute('cx', cx);
        dot.setAttribute('cy', y(p.value));
        dot.setAttribute('visibility', 'visible');
      }
      const lines = [['tooltip__value', opts.valueFormat(p.value, p)]];
      const detail = opts.detail && opts.detail(p, idx);
      if (detail) lines.push(['', detail]);
      lines.push(['tooltip__time', bucketLabel(p.t, step, zone)]);
      showTooltip(evt, lines);
    };
    overlay.addEventListener('pointermove', onMove);
    overlay.addEventListener('pointerdown', onMove);
    overlay.addEventListener('pointerleave', () => {
      cross.setAttribute('visibility', 'hidden');
      dot.setAttribute('visibility', 'hidden');
      hideTooltip();
    });
    container.replaceChildren(svg);
  }

  /** Horizontal bars, one row per item; segments stack left to right. */
  function barRows(container, rows, { segments, max, valueText, tooltip, labelRatio = 0.32 }) {
    const width = Math.max(260, Math.floor(container.clientWidth || 500));
    const rowH = 30;
    const longest = Math.max(...rows.map((r) => textWidth(r.label, 12)), 40);
    const labelW = Math.min(longest + 12, width * labelRatio);
    const valueW = Math.max(...rows.map((r) => textWidth(valueText(r), 12)), 30) + 10;
    const barW = width - labelW - valueW;
    const height = rows.length * rowH;
    const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img' });
    rows.forEach((r, i) => {
      const top = i * rowH;
      const g = s('g');
      g.append(s('rect', { x: 0, y: top, width, height: rowH, fill: 'transparent' }));
      g.append(s('text', { x: 0, y: top + rowH / 2, 'dominant-baseline': 'middle', class: 'label-key', text: clip(r.label, labelW - 12, 12) }));
      g.append(s('rect', { x: labelW, y: top + 8, width: barW, height: rowH - 16, rx: 3, fill: '#f2f4f7' }));
      let acc = 0;
      for (const seg of segments) {
        const v = r.values[seg.key] || 0;
        if (v <= 0) continue;
        const w = (v / max) * barW;
        g.append(s('rect', { x: labelW + (acc / max) * barW, y: top + 8, width: Math.max(1, w), height: rowH - 16, fill: seg.color }));
        acc += v;
      }
      g.append(s('text', { x: width, y: top + rowH / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'label-strong', text: valueText(r) }));
      g.addEventListener('pointermove', (evt) => showTooltip(evt, tooltip(r)));
      g.addEventListener('pointerleave', hideTooltip);
      svg.append(g);
    });
    container.replaceChildren(svg);
  }

  function clip(str, widthPx, px) {
    const maxChars = Math.max(3, Math.floor(widthPx / (px * 0.6)));
    return str.length > maxChars ? `${str.slice(0, maxChars - 1)}…` : str;
  }

  // ---------------------------------------------------------------------------
  // Funnel, entry points, breakdown tables
  // ---------------------------------------------------------------------------

  function renderFunnel() {
    const el = $('funnel-chart');
    const f = state.dashboard?.funnel;
    if (!f || !isNum(f.views)) {
      el.replaceChildren(emptyState('No funnel data yet'));
      $('funnel-note').textContent = '';
      return;
    }
    // Same counters as the Page views and Orders tiles (events, not people).
    const steps = [
      { label: 'Page views', value: f.views },
      { label: 'Cart adds', value: f.carts, conv: f.viewToCart, note: 'cart adds per page view' },
      { label: 'Orders', value: f.purchases, conv: f.cartToPurchase, note: 'orders per cart add' },
    ];
    $('funnel-note').textContent = isNum(f.viewToPurchase) ? `${fmtPct(f.viewToPurchase)} orders per page view` : '';
    if (!(f.views > 0 || f.carts > 0 || f.purchases > 0)) {
      el.replaceChildren(emptyState('No visits yet'));
      return;
    }
    const width = Math.max(260, Math.floor(el.clientWidth || 500));
    const barH = 30;
    const gapH = 26;
    const labelW = Math.min(120, width * 0.3);
    const max = Math.max(...steps.map((st) => st.value || 0), 1);
    const barArea = width - labelW;
    const height = steps.length * barH + (steps.length - 1) * gapH;
    const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img', 'aria-label': 'View to cart to purchase funnel' });
    const shades = ['#c7d2fe', '#6366f1', '#4338ca'];
    steps.forEach((st, i) => {
      const top = i * (barH + gapH);
      const v = isNum(st.value) ? st.value : 0;
      const w = Math.max(2, (v / max) * barArea);
      svg.append(
        s('text', { x: 0, y: top + barH / 2, 'dominant-baseline': 'middle', class: 'label-key', text: st.label }),
        s('rect', { x: labelW, y: top, width: barArea, height: barH, rx: 4, fill: '#f5f6fa' }),
        s('rect', { x: labelW, y: top, width: w, height: barH, rx: 4, fill: shades[i] }),
      );
      const valueText = fmtInt(v);
      const inside = w > textWidth(valueText, 12) + 16;
      svg.append(s('text', {
        x: inside ? labelW + w - 8 : labelW + w + 8, y: top + barH / 2, 'dominant-baseline': 'middle',
        'text-anchor': inside ? 'end' : 'start', class: 'label-strong', fill: inside && i > 0 ? '#fff' : null,
        style: inside && i > 0 ? 'fill:#fff' : null, text: valueText,
      }));
      if (i > 0) {
        const mid = top - gapH / 2;
        svg.append(
          s('path', { d: `M${labelW + 10},${mid - 6}v10m-3.5,-3.5l3.5,3.5l3.5,-3.5`, stroke: '#98a2b3', fill: 'none', 'stroke-width': 1.25 }),
          s('text', { x: labelW + 22, y: mid, 'dominant-baseline': 'middle', class: 'conv', text: isNum(st.conv) ? fmtPct(st.conv) : '—' }),
          s('text', { x: labelW + 22 + textWidth(isNum(st.conv) ? fmtPct(st.conv) : '—', 11) + 6, y: mid, 'dominant-baseline': 'middle', text: st.note }),
        );
      }
    });
    el.replaceChildren(svg);
  }

  function renderEntryPoints() {
    const el = $('entry-chart');
    const rows = (state.dashboard?.byEntryPoint || [])
      .map((r) => ({ label: String(r.key ?? '—'), values: { admitted: r.admitted || 0, rejected: r.rejected || 0, duplicate: r.duplicate || 0 } }))
      .map((r) => ({ ...r, total: r.values.admitted + r.values.rejected + r.values.duplicate }))
      .filter((r) => r.total > 0)
      .sort((a, b) => b.total - a.total);
    if (!rows.length) {
      el.replaceChildren(emptyState('No scans yet'));
      return;
    }
    const max = Math.max(...rows.map((r) => r.total));
    barRows(el, rows, {
      max,
      segments: [
        { key: 'admitted', color: 'var(--c-admitted)' },
        { key: 'rejected', color: 'var(--c-rejected)' },
        { key: 'duplicate', color: 'var(--c-duplicate)' },
      ],
      valueText: (r) => fmtInt(r.total),
      tooltip: (r) => [
        ['tooltip__value', r.label],
        ['', `Admitted ${fmtInt(r.values.admitted)}`],
        ['', `Rejected ${fmtInt(r.values.rejected)}`],
        ['', `Duplicate ${fmtInt(r.values.duplicate)}`],
      ],
    });
  }

  function shareCell(part, total) {
    const share = total > 0 ? part / total : 0;
    return h('td', { class: 'col-share' }, h('div', { class: 'share' },
      h('span', { class: 'share__bar' }, h('span', { style: `width:${(share * 100).toFixed(1)}%` })),
      h('span', { class: 'share__pct', text: total > 0 ? `${Math.round(share * 100)}%` : '—' })));
  }

  function table(headers, rows) {
    return h('table', null,
      h('thead', null, h('tr', null, headers.map(([label, cls]) => h('th', { class: label === 'Share' ? `col-share ${cls || ''}` : cls, scope: 'col', text: label })))),
      h('tbody', null, rows));
  }

  function breakdownTable(container, items, { campaign = false, keyLabel = '', emptyText }) {
    const cur = currency();
    const list = (items || []).map((r) => ({ ...r, amount: amountOf(r.revenue) || 0 }));
    if (!list.length) {
      container.replaceChildren(emptyState(emptyText));
      return;
    }
    list.sort((a, b) => b.amount - a.amount || (b.ticketsSold || 0) - (a.ticketsSold || 0));
    const total = list.reduce((a, r) => a + r.amount, 0);
    const shown = list.slice(0, 10);
    const rows = shown.map((r) => h('tr', null,
      h('td', { class: 'key', title: String(r.key ?? ''), text: r.key ?? '—' }),
      campaign ? h('td', { class: 'num', text: fmtInt(r.pageViews) }) : null,
      h('td', { class: 'num', text: fmtInt(r.ticketsSold) }),
      campaign ? null : h('td', { class: 'num', text: fmtInt(r.orders) }),
      h('td', { class: 'num', text: fmtMoney(r.amount, cur) }),
      shareCell(r.amount, total)));
    if (list.length > shown.length) {
      rows.push(h('tr', null, h('td', { class: 'muted', colspan: 5, text: `and ${list.length - shown.length} more` })));
    }
    const headers = campaign
      ? [['Campaign'], ['Views', 'num'], ['Tickets', 'num'], ['Gross revenue', 'num'], ['Share']]
      : [[keyLabel], ['Tickets', 'num'], ['Orders', 'num'], ['Gross revenue', 'num'], ['Share']];
    container.replaceChildren(table(headers, rows));
  }

  function renderBreakdowns() {
    const d = state.dashboard || {};
    breakdownTable($('tier-table'), d.byTier, { keyLabel: 'Tier', emptyText: 'No sales yet' });
    breakdownTable($('channel-table'), d.byChannel, { keyLabel: 'Channel', emptyText: 'No sales yet' });
    breakdownTable($('campaign-table'), d.byCampaign, { campaign: true, emptyText: 'No campaign traffic yet' });
    // Days that mixed currencies cannot split their revenue by tier, channel
    // or campaign: say how much the tables leave out instead of hiding it.
    const unsplit = amountOf(d.breakdownRevenueUnsplit);
    const note = $('breakdown-note');
    note.hidden = !(isNum(unsplit) && unsplit !== 0);
    note.textContent = note.hidden ? '' :
      `${fmtMoney(unsplit, currency())} of gross revenue is on days that also sold in another currency and is not split by tier, channel or campaign above.`;
  }

  // ---------------------------------------------------------------------------
  // Flow health (admin only)
  // ---------------------------------------------------------------------------

  async function refreshFlows(gen = state.generation) {
    const body = $('flows-body');
    const note = $('flows-note');
    const path = '/api/analytics/flows';
    if (state.forbidden.has(path)) return;
    try {
      const data = await api(path);
      if (gen !== state.generation) return;
      state.flows = data;
      $('flows-section').hidden = false;
      renderFlows();
    } catch (err) {
      if (gen !== state.generation || err.status === 401) return;
      state.flows = null;
      if (err.status === 403) state.forbidden.add(path);
      if (err.status === 403 && !holdsShareLink()) {
        $('flows-section').hidden = false;
        note.textContent = '';
        body.replaceChildren(h('p', { class: 'muted', 'data-testid': 'flows-admin-only', text: 'Requires admin token' }));
      } else {
        $('flows-section').hidden = true;
      }
    }
  }

  const STATUS_ORDER = { silent: 0, never: 1, flowing: 2, unattributed: 3 };

  function renderFlows() {
    const data = state.flows;
    if (!data) return;
    const flows = Array.isArray(data.flows) ? [...data.flows] : [];
    $('flows-note').textContent = isNum(data.silentAfterMinutes) ? `silent after ${data.silentAfterMinutes} min without events` : '';
    if (!flows.length) {
      $('flows-body').replaceChildren(emptyState('No flows registered'));
      return;
    }
    flows.sort((a, b) => (STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3)
      || String(a.type).localeCompare(String(b.type)) || String(a.source ?? '').localeCompare(String(b.source ?? '')));
    const rows = flows.map((f) => {
      const status = ['flowing', 'silent', 'never', 'unattributed'].includes(f.status) ? f.status : 'never';
      const last = Date.parse(f.lastEventAt);
      return h('tr', { 'data-testid': 'flow-row', 'data-status': status, 'data-type': f.type, 'data-source': f.source ?? '' },
        h('td', { class: 'flow__status' }, h('span', { class: `pill pill--${status}`, text: status })),
        h('td', { class: 'flow__type' }, h('code', { class: 'type', text: f.type })),
        h('td', { class: `flow__source${f.source ? '' : ' muted'}`, text: f.source ?? (status === 'unattributed' ? 'source unreadable (rejected bodies)' : 'all sources') }),
        h('td', { class: 'flow__last', 'data-label': 'Last', title: Number.isFinite(last) ? `${fmtDateTime(last)} venue time` : '', text: fmtRelative(f.lastEventAt) }),
        h('td', { class: 'num', 'data-label': 'Events/h', text: fmtInt(f.eventsLastHour) }),
        h('td', { class: `num${f.rejected > 0 ? ' is-bad' : ''}`, 'data-label': 'Rejected', text: fmtInt(f.rejected) }),
        h('td', { class: `num${f.dlqDepth > 0 ? ' is-bad is-strong' : ''}`, 'data-label': 'DLQ', text: fmtInt(f.dlqDepth) }));
    });
    $('flows-body').replaceChildren(h('div', { class: 'flows' }, table(
      [['Status'], ['Event type'], ['Source'], ['Last event'], ['Events (1 h)', 'num'], ['Rejected', 'num'], ['DLQ', 'num']],
      rows)));
  }

  // ---------------------------------------------------------------------------
  // Sections that appear only once their endpoint answers with data
  // ---------------------------------------------------------------------------

  async function optionalSection(gen, sectionId, path, render) {
    const section = $(sectionId);
    if (!path || state.forbidden.has(path)) {
      section.hidden = true;
      balancePair();
      return;
    }
    try {
      const data = await api(path);
      if (gen !== state.generation) return;
      section.hidden = !render(data);
    } catch (err) {
      if (gen !== state.generation) return;
      // A show's share link may not read venue-wide panels: do not ask again.
      if (err.status === 403) state.forbidden.add(path);
      section.hidden = true;
    }
    balancePair();
  }

  /** Forecast and customers share a row; one alone takes the full width, none hides the row. */
  function balancePair() {
    const a = $('forecast-section');
    const b = $('customers-section');
    a.classList.toggle('span-12-forced', b.hidden);
    b.classList.toggle('span-12-forced', a.hidden);
    a.parentElement.hidden = a.hidden && b.hidden;
  }

  function refreshAlerts(gen = state.generation) {
    return optionalSection(gen, 'alerts-section', `/api/alerts/${encodeURIComponent(state.venueId)}`, (data) => {
      const firing = Array.isArray(data?.firing) ? data.firing : [];
      if (!firing.length) return false;
      $('alerts-list').replaceChildren(...firing.map((a) => h('li', { class: 'alerts__item', 'data-testid': 'alert-firing' },
        h('strong', { text: a.name || a.ruleId || 'Alert' }),
        h('span', { text: a.message || '' }),
        h('span', { class: 'muted', text: a.since ? `since ${fmtRelative(a.since)}` : '' }))));
      return true;
    });
  }

  function refreshForecast(gen = state.generation) {
    const path = state.eventId
      ? `/api/predictions/${encodeURIComponent(state.venueId)}?eventId=${encodeURIComponent(state.eventId)}`
      : null;
    return optionalSection(gen, 'forecast-section', path, renderForecast);
  }

  function stat(label, value, hint, extra) {
    return h('div', { class: 'stat' },
      h('div', { class: 'stat__label', text: label }),
      h('div', { class: 'stat__value', text: value }),
      extra || null,
      hint ? h('div', { class: 'stat__hint', text: hint }) : null);
  }

  function renderForecast(data) {
    const sales = data?.sales || {};
    const att = data?.attendance || {};
    const parts = [];
    if (isNum(sales.projectedFinalTickets)) {
      const projected = sales.projectedFinalTickets;
      const lo = sales.intervalLow;
      const hi = sales.intervalHigh;
      const cap = currentShow()?.capacity ?? state.dashboard?.capacity;
      const hero = h('div', { class: 'forecast__hero' },
        h('div', { class: 'stat__label', text: 'Projected final tickets' }),
        h('div', { class: 'forecast__value' },
          h('span', { class: 'stat__value stat__value--big', text: fmtInt(Math.round(projected)) }),
          isNum(cap) ? h('span', { class: 'muted', text: ` of ${fmtInt(cap)} capacity` }) : null));
      if (isNum(lo) && isNum(hi)) {
        const scaleMax = Math.max(hi, isNum(cap) ? cap : 0, projected) || 1;
        const pct = (v) => `${Math.max(0, Math.min(100, (v / scaleMax) * 100)).toFixed(2)}%`;
        hero.append(
          h('div', { class: 'interval', role: 'presentation' },
            h('span', { class: 'interval__band', style: `left:${pct(lo)};width:calc(${pct(hi)} - ${pct(lo)})` }),
            h('span', { class: 'interval__mark', style: `left:${pct(projected)}` })),
          h('div', { class: 'stat__hint', text: `Likely range ${fmtInt(Math.round(lo))} – ${fmtInt(Math.round(hi))} tickets` }));
      }
      parts.push(hero);
    }
    const items = [];
    if (isNum(sales.sellOutProbability)) items.push(stat('Sell-out probability', fmtPct(sales.sellOutProbability)));
    if ('projectedSellOutAt' in sales && (isNum(sales.projectedFinalTickets) || isNum(sales.sellOutProbability))) {
      const t = Date.parse(sales.projectedSellOutAt);
      items.push(stat('Projected sell-out', Number.isFinite(t) ? fmtDay(t) : 'Not expected', Number.isFinite(t) ? `${fmtTime(t)} venue time` : null));
    }
    if (isNum(att.expectedAttendance)) items.push(stat('Expected attendance', fmtInt(Math.round(att.expectedAttendance))));
    if (isNum(att.expectedNoShows)) items.push(stat('Expected no-shows', fmtInt(Math.round(att.expectedNoShows))));
    if (items.length) parts.push(h('div', { class: 'stats' }, items));
    if (!parts.length) return false;
    $('forecast-note').textContent = currentShow()?.name || '';
    $('forecast-body').replaceChildren(...parts);
    return true;
  }

  function refreshCustomers(gen = state.generation) {
    return optionalSection(gen, 'customers-section', `/api/customers/${encodeURIComponent(state.venueId)}`, (data) => {
      const segments = (Array.isArray(data?.segments) ? data.segments : []).filter((sg) => isNum(sg.customers));
      if (!segments.length) return false;
      const cur = currency();
      const total = segments.reduce((a, sg) => a + (amountOf(sg.revenue) || 0), 0);
      const rows = segments.map((sg) => {
        const amount = amountOf(sg.revenue);
        const share = isNum(sg.share) ? sg.share : (total > 0 && isNum(amount) ? amount / total : null);
        return h('tr', null,
          h('td', { class: 'key', text: sg.label ?? sg.segment ?? '—' }),
          h('td', { class: 'num', text: fmtInt(sg.customers) }),
          h('td', { class: 'num', text: isNum(amount) ? fmtMoney(amount, cur) : '—' }),
          isNum(share) ? shareCell(share, 1) : h('td', { class: 'muted', text: '—' }));
      });
      $('customers-body').replaceChildren(h('div', { class: 'table-wrap' },
        table([['Segment'], ['Customers', 'num'], ['Net spend', 'num'], ['Share']], rows)));
      return true;
    });
  }

  // ---------------------------------------------------------------------------
  // Wiring
  // ---------------------------------------------------------------------------

  function bindEvents() {
    $('signin-form').addEventListener('submit', (evt) => {
      evt.preventDefault();
      if (state.signIn.mode === 'oauth') {
        beginHostedSignIn().catch((err) => showSignIn(`Could not start sign-in: ${err.message}`));
        return;
      }
      const token = $('token-input').value.trim().replace(/^Bearer\s+/i, '');
      if (!token) return;
      state.token = token;
      storeToken(token);
      start();
    });
    $('sign-out').addEventListener('click', () => {
      const shared = holdsShareLink();
      signOut(null);
      if (!shared) hostedSignOut();
    });
    $('venue-select').addEventListener('change', (evt) => select({ venue: evt.target.value, event: null, range: state.range, granularity: state.granularity }));
    $('show-select').addEventListener('change', (evt) => select({ venue: state.venueId, event: evt.target.value || null, range: state.range, granularity: state.granularity }));
    $('range-switch').addEventListener('click', (evt) => {
      const b = evt.target.closest('button[data-range]');
      if (!b || b.dataset.range === state.range) return;
      state.range = b.dataset.range;
      state.granularity = null;
      writeHash();
      state.generation++;
      refreshCharts();
    });
    $('compare-switch').addEventListener('click', (evt) => {
      const b = evt.target.closest('button[data-compare]');
      if (!b || b.dataset.compare === state.compare) return;
      state.compare = b.dataset.compare;
      writeHash();
      state.generation++;
      refreshCharts();
    });
    $('granularity-switch').addEventListener('click', (evt) => {
      const b = evt.target.closest('button[data-granularity]');
      if (!b || b.disabled) return;
      state.granularity = b.dataset.granularity;
      writeHash();
      state.generation++;
      refreshCharts();
    });
    window.addEventListener('hashchange', () => {
      if (!state.token || !state.venues.length) return;
      const want = readHash();
      if (want.venue === state.venueId && (want.event || null) === state.eventId
        && want.range === state.range && want.granularity === state.granularity
        && want.compare === state.compare) return;
      select(want);
    });
    let resizeFrame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(resizeFrame);
      resizeFrame = requestAnimationFrame(() => {
        if (!state.dashboard) return;
        renderCharts();
        renderFunnel();
        renderEntryPoints();
        renderCheckins();
        renderPacing();
      });
    });
    ro.observe($('revenue-chart'));
    ro.observe($('funnel-chart'));
    // Keep "3 min ago" style labels honest.
    setInterval(() => {
      if (state.flows) renderFlows();
    }, 30_000);
  }

  async function boot() {
    bindEvents();
    const url = new URL(location.href);
    const fromUrl = url.searchParams.get('token');
    const returning = url.searchParams.has('code') || url.searchParams.has('error');
    if (fromUrl) {
      // A share link (or a pasted token): keep the credential out of the
      // address bar, history and screenshots.
      url.searchParams.delete('token');
      history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
      storeToken(fromUrl);
      state.token = fromUrl;
    } else {
      state.token = readStoredToken();
    }
    const signInKnown = loadSignInMethod();
    if (returning) await signInKnown;
    if (returning && state.signIn.mode === 'oauth') {
      try {
        state.token = await completeHostedSignIn(url.searchParams);
        storeToken(state.token);
      } catch (err) {
        signOut(err.message);
        return;
      }
    }
    if (state.token) {
      start();
    } else {
      await signInKnown;
      showSignIn(null);
    }
  }

  boot();
})();
