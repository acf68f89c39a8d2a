// The portal's site-data form (issue 18): an operator edits what a lot publishes and its static site data,
// PUT /api/v1/lots/{lotId}/open-data. Every check is the server's (opening_hours included); the page shows
// the server's message as it is. Sign-in, the token and the API calls are the portal's shared ones (page.js,
// api.js): without a session the page shows the sign-in form, and an expired one brings it back.
import { api } from './api.js';
import { $, el, fail, say, signIn } from './page.js';

const SPACE_TYPES = ['STANDARD', 'COMPACT', 'DISABLED', 'EV', 'FAMILY', 'WOMEN'];

function spacesInputs() {
  const box = $('#site-spaces');
  box.replaceChildren();
  for (const type of SPACE_TYPES) {
    box.append(el('label', {}, type, el('input', { type: 'number', min: '0', id: 'site-space-' + type })));
  }
}

function fill(site, version) {
  $('#site-published').checked = !!site.published;
  $('#site-publishLevels').checked = site.publishLevels !== false;
  $('#site-publishRealtime').checked = site.publishRealtime !== false;
  for (const f of ['name', 'address', 'timeZone', 'openingHours', 'feeSummary']) $('#site-' + f).value = site[f] ?? '';
  for (const f of ['lat', 'lon', 'heightLimitCm']) $('#site-' + f).value = site[f] ?? '';
  for (const type of SPACE_TYPES) $('#site-space-' + type).value = site.spaces?.[type] ?? '';
  $('#site-version').textContent = version ? 'version ' + version : 'not saved yet';
}

function read() {
  const text = (f) => $('#site-' + f).value.trim() || null;
  const num = (f) => ($('#site-' + f).value.trim() === '' ? null : Number($('#site-' + f).value));
  const spaces = {};
  for (const type of SPACE_TYPES) {
    const v = $('#site-space-' + type).value.trim();
    if (v !== '') spaces[type] = Number(v);
  }
  return {
    published: $('#site-published').checked,
    publishLevels: $('#site-publishLevels').checked,
    publishRealtime: $('#site-publishRealtime').checked,
    name: text('name'), address: text('address'), lat: num('lat'), lon: num('lon'), timeZone: text('timeZone'),
    openingHours: text('openingHours'), feeSummary: text('feeSummary'), heightLimitCm: num('heightLimitCm'), spaces,
  };
}

async function load(lotId) {
  try {
    const v = await api('GET', '/lots/' + encodeURIComponent(lotId) + '/open-data');
    fill(v.site, v.version);
  } catch (e) {
    if (e.status === 404) {
      fill({ published: false, name: lotId, timeZone: 'Europe/Berlin' }, null);
    } else {
      fail(e);
    }
  }
}

$('#site-lot').addEventListener('change', () => load($('#site-lot').value));

$('#site-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const lotId = $('#site-lot').value;
  try {
    const v = await api('PUT', '/lots/' + encodeURIComponent(lotId) + '/open-data', read());
    fill(v.site, v.version);
    say('Saved lot ' + lotId + ' (version ' + v.version + ').');
  } catch (e) {
    fail(e);
  }
});

async function enter() {
  const me = await api('GET', '/auth/me');
  $('#who').textContent = me.username ?? '';
  const lots = await api('GET', '/lots');
  const select = $('#site-lot');
  const ids = (Array.isArray(lots) ? lots : lots.lots ?? []).map((l) => l.lotId ?? l.id);
  const wanted = new URLSearchParams(location.search).get('lot');
  if (wanted && !ids.includes(wanted)) ids.push(wanted);
  select.replaceChildren(...ids.map((id) => el('option', { value: id }, id)));
  if (wanted) select.value = wanted;
  $('#site-editor').hidden = false;
  if (select.value) await load(select.value);
}

spacesInputs();
signIn({ enter, leave: () => { $('#site-editor').hidden = true; } });
