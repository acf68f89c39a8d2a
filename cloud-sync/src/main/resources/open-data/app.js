'use strict';
// The public availability page: polls the public API (conditional GET, so an unchanged answer is a 304)
// and renders each published lot with what the API says, including closed and stale lots as such.
// ?poll=N (2..300 seconds) for kiosks that want faster updates; the answers are cached for 30 s anyway.
const requested = Number(new URLSearchParams(location.search).get('poll'));
const POLL_MS = (requested >= 2 && requested <= 300 ? requested : 30) * 1000;
let etag = null;

function text(tag, className, value) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  el.textContent = value;
  return el;
}

function freeText(item) {
  if (item.openingStatus === 'CLOSED') return 'Closed';
  if (item.free === null || item.free === undefined) return item.stale ? 'No live data' : 'Unknown';
  return String(item.free);
}

function statusText(lot) {
  switch (lot.occupancy) {
    case 'CLOSED': return lot.openingReason === 'OPENING_HOURS' ? 'closed now (opening hours)' : 'closed';
    case 'FULL': return 'full';
    case 'ALMOST_FULL': return 'almost full';
    case 'AVAILABLE': return 'spaces available';
    default: return lot.stale ? 'live data unavailable (no report from the car park recently)' : 'unknown';
  }
}

function render(lots) {
  const list = document.getElementById('lots');
  list.replaceChildren();
  document.getElementById('empty').hidden = lots.length > 0;
  for (const lot of lots) {
    const li = document.createElement('li');
    li.className = 'lot status-' + lot.occupancy;
    li.dataset.lot = lot.lotId;
    li.appendChild(text('h2', null, lot.name));
    const free = text('span', 'free', freeText(lot));
    free.dataset.free = lot.lotId;
    li.appendChild(free);
    li.appendChild(text('span', null, ' of ' + lot.capacity + ' free · '));
    const status = text('span', 'status', statusText(lot));
    status.dataset.status = lot.lotId;
    li.appendChild(status);
    if (lot.address) li.appendChild(text('p', 'note', lot.address));
    if (lot.openingHours) li.appendChild(text('p', 'note', 'Opening hours: ' + lot.openingHours));
    if (lot.observedAt && lot.realtime) {
      li.appendChild(text('p', 'note', 'Counted at ' + new Date(lot.observedAt).toLocaleTimeString()));
    }
    if (lot.levels && lot.levels.length) {
      const levels = document.createElement('ul');
      levels.className = 'levels';
      for (const level of lot.levels) {
        const item = text('li', null, 'Level ' + level.levelId + ': ' + freeText(level) + ' of ' + level.capacity);
        item.dataset.level = lot.lotId + '/' + level.levelId;
        levels.appendChild(item);
      }
      li.appendChild(levels);
    }
    list.appendChild(li);
  }
}

async function refresh() {
  const state = document.getElementById('state');
  try {
    const headers = etag ? { 'If-None-Match': etag } : {};
    const response = await fetch('/open-data/v1/lots', { headers });
    if (response.status === 304) {
      state.textContent = 'live';
      return;
    }
    if (!response.ok) throw new Error('HTTP ' + response.status);
    etag = response.headers.get('ETag');
    render((await response.json()).lots);
    state.textContent = 'live';
  } catch (e) {
    state.textContent = 'cannot reach the server (' + e.message + '), retrying';
  }
}

document.getElementById('interval').textContent = String(POLL_MS / 1000);
refresh();
setInterval(refresh, POLL_MS);
