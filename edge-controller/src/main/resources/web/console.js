// The level console: initial state from the REST API, then live updates from server-sent events.
// No framework and no build step, so a technician's laptop can open it straight from the edge.
'use strict';

const api = '/api/v1';
const spots = new Map();
let staleAfterMs = 30000;
let lastHeard = 0;

function text(id, value) {
  document.getElementById(id).textContent = value;
}

// The lot's and level's names and the lot's time zone (GET /site, from edge.lot-name, edge.level-name and
// edge.time-zone). Times are shown as a person reads them, in the lot's zone: "Nov 25, 2026, 03:26:04 AM CET",
// the zone named, to the second; the exact instant stays in the tooltip.
let site = null;
let timeFormat = formatIn('UTC');

function formatIn(zone) {
  return new Intl.DateTimeFormat(undefined, { timeZone: zone, year: 'numeric', month: 'short', day: 'numeric',
    hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
}

function human(instant) {
  if (!instant) return '';
  const d = new Date(instant);
  return isNaN(d) ? String(instant) : timeFormat.format(d);
}

function showAvailability(a) {
  const title = document.getElementById('title');
  title.textContent = site ? site.lotName + ' · ' + site.levelName : 'Lot ' + a.lotId + ' · level ' + a.levelId;
  title.title = 'lot ' + a.lotId + ', level ' + a.levelId + (site ? ', times in ' + site.timeZone : '');
  text('free', a.free);
  text('status', a.status);
  text('occupied', a.occupied);
  text('capacity', a.capacity);
  text('drift', a.drift);
  text('version', a.version);
  const updated = document.getElementById('updated');
  updated.textContent = 'Last change ' + human(a.updatedAt);
  updated.title = a.updatedAt; // the exact instant, as the API sends it
  updated.dataset.instant = a.updatedAt;
  const body = document.querySelector('#types tbody');
  body.replaceChildren(...Object.entries(a.byType).map(([type, c]) => {
    const tr = document.createElement('tr');
    tr.id = 'type-' + type;
    tr.innerHTML = '<td></td><td class="free"></td><td></td>';
    tr.children[0].textContent = type;
    tr.children[1].textContent = c.free;
    tr.children[2].textContent = c.capacity;
    return tr;
  }));
}

function renderSpots() {
  const box = document.getElementById('spots');
  box.replaceChildren(...[...spots.values()].map(s => {
    const div = document.createElement('div');
    div.id = 'spot-' + s.spotId;
    div.className = 'spot ' + (s.occupied ? 'occupied' : 'free');
    div.textContent = s.spotId;
    const small = document.createElement('small');
    small.textContent = s.type;
    div.appendChild(small);
    return div;
  }));
}

function showLane(l) {
  let tr = document.getElementById('lane-' + l.laneId);
  if (!tr) {
    tr = document.createElement('tr');
    tr.id = 'lane-' + l.laneId;
    tr.innerHTML = '<td></td><td></td><td class="barrier"></td><td></td><td></td>'
        + '<td class="refusal"><strong class="reason"></strong> <span class="message"></span></td>';
    document.querySelector('#lanes tbody').appendChild(tr);
  }
  [l.laneId, l.direction, l.barrier, l.phase, l.fault || ''].forEach((v, i) => tr.children[i].textContent = v);
  // The lane's newest refusal by its named reason (GET /lanes lastRefusal), until a vehicle is let through.
  const r = l.lastRefusal;
  const cell = tr.querySelector('.refusal');
  cell.querySelector('.reason').textContent = r ? r.reason : '';
  cell.querySelector('.message').textContent = r ? r.message : '';
  cell.title = r ? 'refused ' + human(r.at) : '';
  tr.classList.toggle('refused', !!r);
}

// A refusal changes nothing the lane reports as an event (no SSE 'lane' event): the lanes are polled for it.
async function refreshLanes() {
  const lanes = await fetch(api + '/lanes').then(r => r.json());
  lanes.forEach(showLane);
}

async function refreshSpots() {
  const list = await (await fetch(api + '/spots')).json();
  spots.clear();
  list.forEach(s => spots.set(s.spotId, s));
  renderSpots();
}

// Ramp counters (counting levels only): their counts are not in the event, fetched once per change.
async function refreshRamps() {
  const list = await (await fetch(api + '/ramps')).json();
  document.getElementById('ramps-section').hidden = list.length === 0;
  document.querySelector('#ramps tbody').replaceChildren(...list.map(r => {
    const tr = document.createElement('tr');
    tr.id = 'ramp-' + r.rampId;
    tr.innerHTML = '<td></td><td></td><td></td><td class="in"></td><td class="out"></td><td></td><td></td>';
    [r.rampId, r.type, r.occupied ? 'yes' : '', r.in, r.out, r.turnedBack, r.absorbed]
      .forEach((v, i) => tr.children[i].textContent = v);
    return tr;
  }));
}

function heard() {
  lastHeard = Date.now();
  const badge = document.getElementById('live');
  badge.textContent = 'live';
  badge.className = 'badge live';
}

// Stale when nothing (change or heartbeat) arrived for three heartbeats: the same rule as the signs.
setInterval(() => {
  if (Date.now() - lastHeard > staleAfterMs) {
    const badge = document.getElementById('live');
    badge.textContent = 'stale';
    badge.className = 'badge stale';
  }
}, 1000);

// OFFLINE_ONLY: no cloud configured (by design); CLOUD_DOWN: a configured cloud is unreachable.
async function refreshSync() {
  const sync = await fetch(api + '/sync').then(r => r.json());
  const el = document.getElementById('sync');
  el.textContent = sync.state;
  el.title = sync.outboxPending + ' outbox rows waiting for the cloud';
}

async function start() {
  site = await fetch(api + '/site').then(r => r.json());
  timeFormat = formatIn(site.timeZone);
  document.title = site.levelName + ' · ' + site.lotName;
  const [availability, lanes] = await Promise.all([
    fetch(api + '/availability').then(r => r.json()),
    fetch(api + '/lanes').then(r => r.json())]);
  showAvailability(availability);
  lanes.forEach(showLane);
  await Promise.all([refreshSpots(), refreshRamps(), refreshSync()]);
  setInterval(refreshSync, 10000); // the link's state is not in the stream: a slow poll is enough
  setInterval(() => refreshLanes().catch(() => null), 2000);

  const events = new EventSource(api + '/availability/stream');
  let lastHeartbeat = 0;
  events.addEventListener('availability', e => {
    heard();
    const a = JSON.parse(e.data);
    showAvailability(a);
    refreshSpots(); // spot states are not in the event: fetch them once per change
    refreshRamps();
  });
  events.addEventListener('lane', e => {
    heard();
    showLane(JSON.parse(e.data));
  });
  events.addEventListener('heartbeat', () => {
    const now = Date.now();
    if (lastHeartbeat) {
      staleAfterMs = Math.max(3000, 3 * (now - lastHeartbeat) + 1000);
    }
    lastHeartbeat = now;
    heard();
  });
  events.onopen = heard;
  // EventSource reconnects by itself; the first event after reconnecting is the current snapshot.
}

// A ticket's quote explained line by line (GET /quote): what applied and what did not; the amounts sum to the fee.
async function quote(event) {
  event.preventDefault();
  const q = new URLSearchParams({ticket: document.getElementById('quote-ticket').value.trim()});
  for (const name of ['validation', 'coupon']) {
    const v = document.getElementById('quote-' + name).value.trim();
    if (v) {
      q.set(name, v);
    }
  }
  const body = document.querySelector('#quote-lines tbody');
  body.replaceChildren();
  text('quote-error', '');
  const r = await fetch(api + '/quote?' + q);
  const answer = await r.json();
  if (!r.ok) {
    text('quote-fee', '–');
    text('quote-error', answer.error + ': ' + answer.message);
    return;
  }
  text('quote-fee', (answer.amount / 100).toFixed(2) + ' ' + answer.currency + ' (due ' +
      (answer.due / 100).toFixed(2) + ', tariff v' + answer.tariffVersion + ')');
  for (const line of answer.lineItems) {
    const tr = document.createElement('tr');
    tr.className = line.applied ? 'applied' : 'skipped';
    tr.innerHTML = '<td></td><td></td><td></td><td></td>';
    tr.children[0].textContent = line.kind;
    tr.children[1].textContent = line.applied ? 'yes' : 'no';
    tr.children[2].textContent = (line.amount / 100).toFixed(2);
    tr.children[3].textContent = line.detail;
    body.appendChild(tr);
  }
}
document.getElementById('quote-form').addEventListener('submit', quote);

start().catch(err => {
  text('status', 'error: ' + err);
});
