// OpenParking admin portal: plain ES modules, no build step; the one third-party file is uPlot for the charts
// (vendored in vendor/uplot/ and served by cloud-sync itself). The API calls (bearer token from sessionStorage,
// If-None-Match on every GET, the server's errors) and the sign-in form are the pages' shared api.js and page.js.
import { api, hasSession, logout, polls, streamUrl } from './api.js';
import { lineChart, stackedBars } from './charts.js';
import { $, el, fail, say, signIn } from './page.js';

// How often the open view's charts and tables are polled (each poll sends If-None-Match: unchanged views are 304).
const POLL_MS = 60000;
let me = null;
let stream = null;
window.portalPolls = polls;

// Each lot's name and time zone (from its site data; the id and UTC without), learnt from the history views.
const lotInfo = new Map();

function zoneOf(lotId) {
  return (lotInfo.get(lotId) || {}).timeZone || 'UTC';
}

function lotName(lotId) {
  const info = lotInfo.get(lotId);
  return info && info.name !== lotId ? info.name + ' (' + lotId + ')' : 'Lot ' + lotId;
}

function learn(view) {
  if (view && view.lotId) lotInfo.set(view.lotId, { name: view.name, timeZone: view.timeZone });
  return view;
}

async function ensureLotInfo(lotIds) {
  await Promise.all([...new Set(lotIds)].filter((id) => !lotInfo.has(id)).map((id) =>
    api('GET', '/lots/' + enc(id) + '/history/revenue?days=1').then(learn).catch(() => null)));
}

/** A time in the lot's zone, with the zone's abbreviation (e.g. "2 Mar 2026, 08:15:02 CET"). */
function when(ts, lotId) {
  if (!ts) return '';
  // (dateStyle/timeStyle cannot be combined with timeZoneName: the fields are spelt out.)
  return new Intl.DateTimeFormat(undefined, { timeZone: zoneOf(lotId), year: 'numeric', month: 'short',
    day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' })
    .format(new Date(ts));
}

function epoch(ts) {
  return Math.round(new Date(ts).getTime() / 1000);
}

function money(amount, currency) {
  return amount == null ? '' : (amount / 100).toFixed(2) + ' ' + (currency || '');
}

// ---- session ----
$('#logout').addEventListener('click', async () => {
  await logout();
  session.signedOut('Signed out.');
});

/** Hides what only a signed-in operator sees (the session ended or was ended here). */
function leave() {
  lotInfo.clear();
  if (stream) stream.close();
  stream = null;
  $('#nav').hidden = true;
  $('#logout').hidden = true;
  document.querySelectorAll('.view').forEach((v) => { v.hidden = true; });
}

async function enter() {
  me = await api('GET', '/auth/me');
  $('#who').textContent = me.username + ' (' + me.role + (me.operator ? ', ' + me.operator : '') + ')';
  $('#nav').hidden = false;
  $('#logout').hidden = false;
  document.querySelectorAll('[data-view="audit"]').forEach((b) => { b.hidden = me.role === 'viewer'; });
  say('');
  show('fleet');
}

// ---- views ----
const loaders = { fleet: loadFleet, edges: loadEdges, sessions: loadSessions, payments: loadPayments,
  tariffs: loadTariffs, audit: loadAudit };

document.querySelectorAll('#nav button').forEach((b) => b.addEventListener('click', () => show(b.dataset.view)));

let current = null;
let poller = null;

async function show(view) {
  current = view;
  if (!poller) poller = setInterval(() => { if (hasSession() && current && polled[current]) polled[current]().catch(() => null); }, POLL_MS);
  document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== view + '-view'; });
  document.querySelectorAll('#nav button').forEach((b) => b.classList.toggle('active', b.dataset.view === view));
  try {
    await loaders[view]();
  } catch (e) {
    fail(e);
  }
}

// ---- fleet with live counts and occupancy over time ----
let fleetLots = [];

async function loadFleet() {
  const lots = await api('GET', '/lots');
  fleetLots = lots;
  const root = $('#fleet');
  root.replaceChildren();
  for (const lot of lots) {
    const [levels, history] = await Promise.all([
      api('GET', '/lots/' + enc(lot.lotId) + '/levels'),
      api('GET', '/lots/' + enc(lot.lotId) + '/history/occupancy?range=' + $('#fleet-range').value).then(learn)]);
    const box = el('div', { class: 'lot', 'data-lot': lot.lotId },
      el('h3', {}, lotName(lot.lotId), el('small', {}, ' · tariff v' + lot.tariffVersion + ' · times in '
        + zoneOf(lot.lotId))));
    const chart = el('div', { class: 'chart', id: 'occupancy-' + lot.lotId });
    box.append(chart);
    const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Level'), el('th', {}, 'Free'),
      el('th', {}, 'Occupied / capacity'), el('th', {}, 'Status'), el('th', {}, 'Last change'), el('th', {}, 'Edge'),
      el('th', {}, 'Actions'))));
    const body = el('tbody');
    for (const lv of levels) body.append(levelRow(lv));
    table.append(body);
    box.append(table);
    root.append(box);
    drawOccupancy(chart, history);
  }
  if (lots.length === 0) root.append(el('p', {}, 'No lots visible to you yet.'));
  connectStream();
}

async function pollFleet() {
  for (const lot of fleetLots) {
    const chart = document.getElementById('occupancy-' + lot.lotId);
    if (!chart) continue;
    const history = learn(await api('GET', '/lots/' + enc(lot.lotId) + '/history/occupancy?range='
      + $('#fleet-range').value));
    drawOccupancy(chart, history);
  }
}

function drawOccupancy(container, h) {
  lineChart('occupancy-' + h.lotId, container, {
    title: 'Occupied spaces per level, last ' + (h.range === '7d' ? '7 days (hourly peak)' : '24 hours (5-minute peak)'),
    zone: h.timeZone,
    xs: h.levels.length ? h.levels[0].points.map((p) => epoch(p.at)) : [],
    yMax: Math.max(0, ...h.levels.map((l) => l.capacity || 0)),
    yLabel: 'occupied',
    series: h.levels.map((l) => ({ label: l.levelId + (l.capacity != null ? ' (of ' + l.capacity + ')' : ''),
      values: l.points.map((p) => p.max) })),
  });
}

$('#fleet-range').addEventListener('change', () => loadFleet().catch(fail));

function levelRow(lv) {
  const key = lv.lotId + '/' + lv.levelId;
  const id = lv.lotId + '-' + lv.levelId;
  const row = el('tr', { 'data-level': key },
    el('td', {}, lv.levelId),
    el('td', { class: 'free', 'data-free': key }, String(lv.free ?? '?')),
    el('td', { 'data-occupied': key }, (lv.occupied ?? '?') + ' / ' + (lv.capacity ?? '?')),
    el('td', { 'data-status': key }, lv.status ?? ''),
    el('td', { 'data-updated': key }, when(lv.updatedAt, lv.lotId)),
    el('td', { class: lv.edgeOnline ? 'online' : 'offline' }, lv.edgeOnline ? 'online' : 'offline'));
  const actions = el('td', { class: 'actions' });
  if (me.role !== 'viewer') {
    const reason = el('input', { id: 'reason-' + id, placeholder: 'reason (required)' });
    // The lanes the cloud knows of this level (from the edge's lane events): a picker, not free text.
    const lane = el('select', { id: 'lane-' + id, title: 'lane' },
      ...(lv.lanes || []).map((l) => el('option', { value: l.laneId }, l.laneId + ' (' + l.barrier.toLowerCase() + ')')));
    if (!lv.lanes || lv.lanes.length === 0) {
      lane.append(el('option', { value: '' }, 'no lane reported yet'));
      lane.disabled = true;
    }
    const open = el('button', { id: 'open-' + id, type: 'button' }, 'Open barrier');
    open.addEventListener('click', async () => {
      if (!lane.value) { say('This level has reported no lane yet.', true); return; }
      if (!reason.value.trim()) { say('A reason is required to open a barrier remotely.', true); return; }
      try {
        const r = await api('POST', '/lanes/' + enc(lv.lotId) + '/' + enc(lv.levelId) + '/' + enc(lane.value) + '/open',
          { reason: reason.value });
        say('Barrier open sent (command ' + r.commandIds.join(', ') + ').');
        reason.value = '';
      } catch (e) { fail(e); }
    });
    const close = el('button', { id: 'close-' + id, type: 'button' }, lv.status === 'CLOSED' ? 'Re-open level' : 'Close level');
    close.addEventListener('click', async () => {
      try {
        await api('POST', '/levels/' + enc(lv.lotId) + '/' + enc(lv.levelId) + '/status',
          { closed: lv.status !== 'CLOSED', reason: reason.value || null });
        say('Level status command sent.');
      } catch (e) { fail(e); }
    });
    actions.append(lane, reason, open, close);
  }
  row.append(actions);
  return row;
}

const enc = encodeURIComponent;

function connectStream() {
  if (stream) return;
  stream = new EventSource(streamUrl());
  stream.onopen = () => { $('#stream-state').textContent = 'live'; };
  stream.onerror = () => { $('#stream-state').textContent = 'reconnecting…'; };
  stream.addEventListener('level', (ev) => {
    const lv = JSON.parse(ev.data);
    const key = lv.lotId + '/' + lv.levelId;
    const free = document.querySelector('[data-free="' + CSS.escape(key) + '"]');
    if (!free) return;
    free.textContent = String(lv.free);
    free.classList.toggle('full', lv.free === 0);
    free.classList.add('flash');
    setTimeout(() => free.classList.remove('flash'), 800);
    const occ = document.querySelector('[data-occupied="' + CSS.escape(key) + '"]');
    if (occ) occ.textContent = lv.occupied + ' / ' + lv.capacity;
    const st = document.querySelector('[data-status="' + CSS.escape(key) + '"]');
    if (st) st.textContent = lv.status;
    const up = document.querySelector('[data-updated="' + CSS.escape(key) + '"]');
    if (up) up.textContent = when(lv.updatedAt, lv.lotId);
  });
}

// ---- edges: health over time, sync status, drift ----
// What each drift reason means and what to check: shown beside every drift row.
const DRIFT_REASONS = {
  CLAMPED_HIGH: 'A count (or a ramp passage) would have gone above capacity; the level was held at capacity. '
    + 'Usually an exit that was not seen: check the exit loop or barrier sensor.',
  CLAMPED_LOW: 'A count (or a ramp passage) would have gone below zero; the level was held at 0. '
    + 'Usually an entry that was not seen: check the entry loop.',
  SENSOR_SESSION_MISMATCH: 'More occupied spot sensors than open sessions: a car parked that no gate admitted. '
    + 'A car that tailgated in, or a spot sensor stuck on.',
  COUNTER_RECOUNT: 'The stored counters disagreed with a full recount of the level (a database restored or edited '
    + 'by hand) and were set to the recount.',
  MANUAL_RECOUNT: 'A technician recounted the level and set the number; the difference to the previous count is '
    + 'recorded here.',
};

function driftMeaning(reason) {
  return DRIFT_REASONS[reason] || 'The edge recorded a difference between its count and its hardware.';
}

async function fillLotSelect(select, lots, withAll) {
  const keep = select.value;
  await ensureLotInfo(lots.map((l) => l.lotId));
  select.replaceChildren(...(withAll ? [el('option', { value: '' }, 'All lots')] : []),
    ...lots.map((l) => el('option', { value: l.lotId }, lotName(l.lotId))));
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}

async function loadEdges() {
  const lots = await api('GET', '/lots');
  await fillLotSelect($('#edges-lot'), lots, false);
  const lot = $('#edges-lot').value;
  const [edges, drift, health] = await Promise.all([api('GET', '/edges'), api('GET', '/drift?limit=50'),
    lot ? api('GET', '/lots/' + enc(lot) + '/history/edges?range=' + $('#edges-range').value).then(learn)
      : Promise.resolve(null)]);
  await ensureLotInfo([...edges.map((e) => e.lotId), ...drift.map((d) => d.lotId)]);
  if (health) drawHealth(health);
  $('#drift').replaceChildren(...drift.map((d) => el('tr', { 'data-drift': d.reason },
    el('td', {}, when(d.occurredAt, d.lotId)), el('td', {}, d.lotId + '/' + d.levelId), el('td', {}, d.vehicleType),
    el('td', {}, d.reason), el('td', {}, String(d.expected)), el('td', {}, String(d.observed)),
    el('td', {}, (d.observed - d.expected > 0 ? '+' : '') + (d.observed - d.expected)),
    el('td', { class: 'meaning' }, driftMeaning(d.reason)))));
  $('#edges').replaceChildren(...edges.map((e) => el('tr', {},
    el('td', {}, e.edgeId), el('td', { class: e.online ? 'online' : 'offline' }, e.online ? 'online' : 'offline'),
    el('td', {}, when(e.lastSeen, e.lotId)), el('td', {}, e.lagSeconds == null ? '' : e.lagSeconds.toFixed(1)),
    el('td', {}, e.syncState || ''), el('td', {}, e.outboxPending == null ? '' : String(e.outboxPending)),
    el('td', {}, e.oldestPendingAgeSeconds == null ? '' : String(e.oldestPendingAgeSeconds)),
    el('td', {}, String(e.lastSeq)), el('td', {}, String(e.gaps)), el('td', {}, String(e.unsentCommands)),
    el('td', {}, String(e.unappliedCommands)))));
}

function drawHealth(h) {
  const xs = h.edges.length ? h.edges[0].points.map((p) => epoch(p.at)) : [];
  const span = h.range === '7d' ? 'last 7 days (hourly)' : 'last 24 hours (5-minute steps)';
  lineChart('health-online-' + h.lotId, $('#health-online'), {
    title: 'Edges online (share of minutes with a status report), ' + span, zone: h.timeZone, xs, yMax: 100,
    yLabel: '% online',
    series: h.edges.map((e) => ({ label: e.edgeId, values: e.points.map((p) => Math.round(p.online * 100)) })),
  });
  lineChart('health-outbox-' + h.lotId, $('#health-outbox'), {
    title: 'Outbox: age of the oldest event not yet delivered (s, as the edge reported it), ' + span,
    zone: h.timeZone, xs, yLabel: 'seconds',
    series: h.edges.map((e) => ({ label: e.edgeId, values: e.points.map((p) => p.oldestPendingAgeSeconds) })),
  });
  lineChart('health-lag-' + h.lotId, $('#health-lag'), {
    title: 'Ingest lag: how late the cloud received the edge\'s events (s), ' + span, zone: h.timeZone, xs,
    yLabel: 'seconds',
    series: h.edges.map((e) => ({ label: e.edgeId,
      values: e.points.map((p) => p.lagSeconds == null ? null : Math.round(p.lagSeconds)) })),
  });
}

$('#edges-lot').addEventListener('change', () => loadEdges().catch(fail));
$('#edges-range').addEventListener('change', () => loadEdges().catch(fail));

// ---- sessions ----
$('#sessions-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadSessions().catch(fail); });

async function loadSessions() {
  await fillLotSelect($('#sessions-lot'), await api('GET', '/lots'), true);
  const f = new FormData($('#sessions-form'));
  let sessions;
  if (f.get('id')) {
    const d = await api('GET', '/sessions/' + enc(f.get('id')));
    sessions = [d.session];
  } else {
    const q = new URLSearchParams();
    for (const k of ['plate', 'lot']) if (f.get(k)) q.set(k, f.get(k));
    for (const k of ['from', 'to']) if (f.get(k)) q.set(k, new Date(f.get(k)).toISOString());
    sessions = await api('GET', '/sessions?' + q);
  }
  $('#sessions').replaceChildren(...sessions.map((s) => el('tr', {},
    el('td', {}, s.sessionId), el('td', {}, s.lotId + '/' + s.levelId), el('td', {}, s.plate || ''),
    el('td', {}, s.status), el('td', {}, when(s.entryTime, s.lotId)), el('td', {}, when(s.exitTime, s.lotId)),
    el('td', {}, money(s.feeAmount, s.currency)), el('td', {}, s.paymentStatus || ''))));
}

// ---- payments: revenue and outcomes per day, the payments, the ledger ----
async function loadPayments() {
  const lots = await api('GET', '/lots');
  await fillLotSelect($('#outcomes-lot'), lots, true);
  const days = $('#revenue-days').value;
  const [payments, ledger, ...revenue] = await Promise.all([api('GET', '/payments'), api('GET', '/unable-to-collect'),
    ...lots.map((l) => api('GET', '/lots/' + enc(l.lotId) + '/history/revenue?days=' + days).then(learn))]);
  drawRevenue(revenue);
  $('#payments').replaceChildren(...payments.map((p) => el('tr', {},
    el('td', {}, p.paymentId), el('td', {}, p.sessionId), el('td', {}, p.lotId), el('td', {}, p.plate || ''),
    el('td', {}, money(p.amount, p.currency)), el('td', {}, p.outcome || 'pending'), el('td', {}, String(p.deferred)),
    el('td', {}, when(p.resultAt || p.requestedAt, p.lotId)))));
  $('#ledger').replaceChildren(...ledger.map((p) => el('tr', {},
    el('td', {}, p.paymentId), el('td', {}, p.sessionId), el('td', {}, p.lotId), el('td', {}, p.plate || ''),
    el('td', {}, money(p.amount, p.currency)), el('td', {}, p.outcome), el('td', {}, when(p.failedAt, p.lotId)))));
}

/** Days are the lot's own calendar days; lots in different zones are drawn on the first lot's zone. */
function drawRevenue(revenue) {
  const box = $('#revenue-charts');
  box.replaceChildren();
  if (revenue.length === 0) return;
  const zone = revenue[0].timeZone;
  const xs = revenue[0].days.map((d) => epochOfDay(d.day, zone));
  const currencies = [...new Set(revenue.flatMap((r) => r.days.flatMap((d) => Object.keys(d.paid))))].sort();
  for (const currency of currencies.length ? currencies : ['EUR']) {
    const c = el('div', { class: 'chart', id: 'revenue-' + currency });
    box.append(c);
    stackedBars('revenue-' + currency, c, {
      title: 'Revenue per day and lot (' + currency + ', collected; refunds not deducted)', zone, xs,
      yLabel: currency, format: (v) => (v / 100).toFixed(v % 100 === 0 ? 0 : 2),
      series: revenue.map((r) => ({ label: lotName(r.lotId), values: r.days.map((d) => d.paid[currency] || 0) })),
    });
  }
  const lot = $('#outcomes-lot').value;
  const chosen = lot ? revenue.filter((r) => r.lotId === lot) : revenue;
  const sum = (k) => xs.map((x, i) => chosen.reduce((a, r) => a + (r.days[i] ? r.days[i][k] : 0), 0));
  const c = el('div', { class: 'chart', id: 'outcomes' });
  box.append(c);
  stackedBars('outcomes', c, {
    title: 'Payment outcomes per day' + (lot ? ' — ' + lotName(lot) : ' — all lots'), zone, xs, yLabel: 'payments',
    series: [{ label: 'paid', values: sum('paidCount'), color: '#2c9f48' },
      { label: 'declined', values: sum('declined'), color: '#e08a00' },
      { label: 'failed', values: sum('failed'), color: '#d0452b' },
      { label: 'no result yet', values: sum('pending'), color: '#8a94a0' }],
  });
}

/** Midnight of a calendar day in a zone, as epoch seconds. */
function epochOfDay(day, zone) {
  const noonUtc = new Date(day + 'T12:00:00Z');
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour12: false, hour: '2-digit', minute: '2-digit' })
    .formatToParts(noonUtc);
  const h = +parts.find((p) => p.type === 'hour').value % 24;
  const m = +parts.find((p) => p.type === 'minute').value;
  // noon UTC shows as h:m in the zone: the zone is (h:m - 12:00) ahead of UTC.
  const offsetSeconds = ((h * 60 + m) - 720) * 60;
  return Math.round(noonUtc.getTime() / 1000) - 43200 - offsetSeconds;
}

$('#revenue-days').addEventListener('change', () => loadPayments().catch(fail));
$('#outcomes-lot').addEventListener('change', () => loadPayments().catch(fail));

// ---- tariffs ----
async function loadTariffs() {
  const lots = await api('GET', '/lots');
  const select = $('#tariff-lot');
  await ensureLotInfo(lots.map((l) => l.lotId));
  select.replaceChildren(...lots.map((l) => el('option', { value: l.lotId }, lotName(l.lotId))));
  await showTariff();
}

$('#tariff-lot').addEventListener('change', () => showTariff().catch(fail));

async function showTariff() {
  const lot = $('#tariff-lot').value;
  const form = $('#tariff-form');
  if (!lot) return;
  try {
    const t = await api('GET', '/lots/' + enc(lot) + '/tariff');
    for (const k of ['currency', 'graceMinutes', 'periodMinutes', 'pricePerPeriod', 'dailyCap', 'lostTicketFee']) {
      form.elements[k].value = t[k];
    }
    form.elements.version.value = t.version + 1;
    $('#tariff-current').textContent = 'Current version ' + t.version + '. Saving creates version ' + (t.version + 1) + '.';
  } catch (e) {
    form.elements.version.value = 1;
    $('#tariff-current').textContent = 'No tariff yet.';
  }
}

$('#tariff-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target.elements;
  const body = { version: +f.version.value, currency: f.currency.value, graceMinutes: +f.graceMinutes.value,
    periodMinutes: +f.periodMinutes.value, pricePerPeriod: +f.pricePerPeriod.value, dailyCap: +f.dailyCap.value,
    lostTicketFee: +f.lostTicketFee.value };
  try {
    const r = await api('PUT', '/lots/' + enc(f.lot.value) + '/tariff', body);
    say('Tariff v' + r.tariff.version + ' saved; sent to ' + r.commands.edgeIds.length + ' edge(s).');
    await showTariff();
  } catch (e) { fail(e); }
});

// ---- audit ----
async function loadAudit() {
  const rows = await api('GET', '/audit?limit=200');
  $('#audit').replaceChildren(...rows.map((a) => el('tr', { 'data-audit': a.action }, el('td', {}, when(a.at, null)),
    el('td', {}, a.actor), el('td', {}, a.role || ''), el('td', {}, a.action), el('td', {}, a.target),
    el('td', {}, a.reason || ''), el('td', {}, a.requestId || ''))));
}

// The views a poll refreshes (the others change only when the operator acts).
const polled = { fleet: pollFleet, edges: loadEdges, payments: loadPayments };
// What the timer does, on demand (the browser tests poll without waiting a minute).
window.portalPollNow = () => (current && polled[current] ? polled[current]() : Promise.resolve());

const session = signIn({ enter, leave });
