// OpenParking admin portal: plain ES module, no build step, no third-party code.
// The token lives in sessionStorage (gone when the tab closes); every API call sends it as a
// bearer header. The live stream (EventSource cannot set headers) passes it as ?access_token=.
const API = '/api/v1';
const $ = (sel) => document.querySelector(sel);
let token = sessionStorage.getItem('token');
let me = null;
let stream = null;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return e;
}

function say(text, isError = false) {
  const m = $('#message');
  m.textContent = text;
  m.className = isError ? 'error' : '';
}

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (token) headers['Authorization'] = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (res.status === 401 && path !== '/auth/login') {
    logout('Your session ended; sign in again.');
    throw new Error('unauthorized');
  }
  if (!res.ok) throw new Error((data && data.message) || res.status + ' ' + res.statusText);
  return data;
}

function when(ts) {
  return ts ? new Date(ts).toLocaleString() : '';
}

function money(amount, currency) {
  return amount == null ? '' : (amount / 100).toFixed(2) + ' ' + (currency || '');
}

// ---- login ----
$('#login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const r = await api('POST', '/auth/login', { username: $('#username').value, password: $('#password').value });
    token = r.token;
    sessionStorage.setItem('token', token);
    $('#password').value = '';
    await enter();
  } catch (e) {
    say('Sign-in failed: ' + e.message, true);
  }
});

$('#logout').addEventListener('click', async () => {
  // Revoke the token at the gateway too, so that a copy of it is worth nothing; sign out here whatever happens.
  try {
    if (token) await api('POST', '/auth/logout');
  } catch (e) {
    // Already refused or unreachable: the local sign-out below still happens.
  }
  logout('Signed out.');
});

function logout(text) {
  token = null;
  sessionStorage.removeItem('token');
  if (stream) stream.close();
  stream = null;
  $('#nav').hidden = true;
  $('#logout').hidden = true;
  $('#who').textContent = '';
  document.querySelectorAll('.view').forEach((v) => { v.hidden = true; });
  $('#login-view').hidden = false;
  say(text);
}

async function enter() {
  me = await api('GET', '/auth/me');
  $('#who').textContent = me.username + ' (' + me.role + (me.operator ? ', ' + me.operator : '') + ')';
  $('#login-view').hidden = true;
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

async function show(view) {
  document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== view + '-view'; });
  document.querySelectorAll('#nav button').forEach((b) => b.classList.toggle('active', b.dataset.view === view));
  try {
    await loaders[view]();
  } catch (e) {
    if (e.message !== 'unauthorized') say(e.message, true);
  }
}

// ---- fleet with live counts ----
async function loadFleet() {
  const lots = await api('GET', '/lots');
  const root = $('#fleet');
  root.replaceChildren();
  for (const lot of lots) {
    const levels = await api('GET', '/lots/' + encodeURIComponent(lot.lotId) + '/levels');
    const box = el('div', { class: 'lot' }, el('h3', {}, 'Lot ' + lot.lotId + ' — tariff v' + lot.tariffVersion));
    const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Level'), el('th', {}, 'Free'),
      el('th', {}, 'Occupied / capacity'), el('th', {}, 'Status'), el('th', {}, 'Edge'), el('th', {}, 'Actions'))));
    const body = el('tbody');
    for (const lv of levels) body.append(levelRow(lv));
    table.append(body);
    box.append(table);
    root.append(box);
  }
  if (lots.length === 0) root.append(el('p', {}, 'No lots visible to you yet.'));
  connectStream();
}

function levelRow(lv) {
  const key = lv.lotId + '/' + lv.levelId;
  const id = lv.lotId + '-' + lv.levelId;
  const row = el('tr', { 'data-level': key },
    el('td', {}, lv.levelId),
    el('td', { class: 'free', 'data-free': key }, String(lv.free ?? '?')),
    el('td', { 'data-occupied': key }, (lv.occupied ?? '?') + ' / ' + (lv.capacity ?? '?')),
    el('td', { 'data-status': key }, lv.status ?? ''),
    el('td', { class: lv.edgeOnline ? 'online' : 'offline' }, lv.edgeOnline ? 'online' : 'offline'));
  const actions = el('td', { class: 'actions' });
  if (me.role !== 'viewer') {
    const reason = el('input', { id: 'reason-' + id, placeholder: 'reason (required)' });
    const lane = el('input', { id: 'lane-' + id, placeholder: 'lane', value: (lv.lanes && lv.lanes[0]) ? lv.lanes[0].laneId : '' });
    const open = el('button', { id: 'open-' + id, type: 'button' }, 'Open barrier');
    open.addEventListener('click', async () => {
      if (!reason.value.trim()) { say('A reason is required to open a barrier remotely.', true); return; }
      try {
        const r = await api('POST', '/lanes/' + enc(lv.lotId) + '/' + enc(lv.levelId) + '/' + enc(lane.value) + '/open',
          { reason: reason.value });
        say('Barrier open sent (command ' + r.commandIds.join(', ') + ').');
        reason.value = '';
      } catch (e) { say(e.message, true); }
    });
    const close = el('button', { id: 'close-' + id, type: 'button' }, lv.status === 'CLOSED' ? 'Re-open level' : 'Close level');
    close.addEventListener('click', async () => {
      try {
        await api('POST', '/levels/' + enc(lv.lotId) + '/' + enc(lv.levelId) + '/status',
          { closed: lv.status !== 'CLOSED', reason: reason.value || null });
        say('Level status command sent.');
      } catch (e) { say(e.message, true); }
    });
    actions.append(lane, reason, open, close);
  }
  row.append(actions);
  return row;
}

const enc = encodeURIComponent;

function connectStream() {
  if (stream) return;
  stream = new EventSource(API + '/stream?access_token=' + enc(token));
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
  });
}

// ---- edges ----
async function loadEdges() {
  const [edges, drift] = await Promise.all([api('GET', '/edges'), api('GET', '/drift?limit=50')]);
  $('#drift').replaceChildren(...drift.map((d) => el('tr', {},
    el('td', {}, when(d.occurredAt)), el('td', {}, d.lotId + '/' + d.levelId), el('td', {}, d.vehicleType),
    el('td', {}, d.reason), el('td', {}, String(d.expected)), el('td', {}, String(d.observed)))));
  $('#edges').replaceChildren(...edges.map((e) => el('tr', {},
    el('td', {}, e.edgeId), el('td', { class: e.online ? 'online' : 'offline' }, e.online ? 'online' : 'offline'),
    el('td', {}, when(e.lastSeen)), el('td', {}, e.lagSeconds == null ? '' : e.lagSeconds.toFixed(1)),
    el('td', {}, String(e.lastSeq)), el('td', {}, String(e.gaps)), el('td', {}, String(e.unsentCommands)),
    el('td', {}, String(e.unappliedCommands)))));
}

// ---- sessions ----
$('#sessions-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadSessions().catch((e) => say(e.message, true)); });

async function loadSessions() {
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
    el('td', {}, s.status), el('td', {}, when(s.entryTime)), el('td', {}, when(s.exitTime)),
    el('td', {}, money(s.feeAmount, s.currency)), el('td', {}, s.paymentStatus || ''))));
}

// ---- payments ----
async function loadPayments() {
  const [payments, ledger] = await Promise.all([api('GET', '/payments'), api('GET', '/unable-to-collect')]);
  $('#payments').replaceChildren(...payments.map((p) => el('tr', {},
    el('td', {}, p.paymentId), el('td', {}, p.sessionId), el('td', {}, p.lotId), el('td', {}, p.plate || ''),
    el('td', {}, money(p.amount, p.currency)), el('td', {}, p.outcome || 'pending'), el('td', {}, String(p.deferred)))));
  $('#ledger').replaceChildren(...ledger.map((p) => el('tr', {},
    el('td', {}, p.paymentId), el('td', {}, p.sessionId), el('td', {}, p.lotId), el('td', {}, p.plate || ''),
    el('td', {}, money(p.amount, p.currency)), el('td', {}, p.outcome), el('td', {}, when(p.failedAt)))));
}

// ---- tariffs ----
async function loadTariffs() {
  const lots = await api('GET', '/lots');
  const select = $('#tariff-lot');
  select.replaceChildren(...lots.map((l) => el('option', { value: l.lotId }, l.lotId)));
  await showTariff();
}

$('#tariff-lot').addEventListener('change', () => showTariff().catch((e) => say(e.message, true)));

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
  } catch (e) { say(e.message, true); }
});

// ---- audit ----
async function loadAudit() {
  const rows = await api('GET', '/audit?limit=200');
  $('#audit').replaceChildren(...rows.map((a) => el('tr', { 'data-audit': a.action }, el('td', {}, when(a.at)),
    el('td', {}, a.actor), el('td', {}, a.role || ''), el('td', {}, a.action), el('td', {}, a.target),
    el('td', {}, a.reason || ''), el('td', {}, a.requestId || ''))));
}

if (token) enter().catch(() => logout(''));
