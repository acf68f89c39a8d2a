// The portal's site-data form (issue 18): an operator edits what a lot publishes and its static site data,
// PUT /api/v1/lots/{lotId}/open-data. Every check is the server's (opening_hours included); the page shows
// the server's message as it is. The token is the portal's (sessionStorage 'token'); without one the page
// signs in itself.
const API = '/api/v1';
const SPACE_TYPES = ['STANDARD', 'COMPACT', 'DISABLED', 'EV', 'FAMILY', 'WOMEN'];
const $ = (s) => document.querySelector(s);
let token = sessionStorage.getItem('token');

function say(text, error) {
  const m = $('#message');
  m.textContent = text;
  m.className = error ? 'error' : '';
}

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : 'HTTP ' + status);
    this.status = status;
    this.code = body && body.error;
  }
}

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (token) headers['Authorization'] = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

function signIn() {
  $('#site-editor').hidden = true;
  $('#site-login').hidden = false;
}

$('#site-login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const r = await api('POST', '/auth/login', { username: $('#site-username').value, password: $('#site-password').value });
    token = r.token;
    sessionStorage.setItem('token', token);
    say('');
    await enter();
  } catch (e) {
    say(e.message, true);
  }
});

function spacesInputs() {
  const box = $('#site-spaces');
  box.replaceChildren();
  for (const type of SPACE_TYPES) {
    const label = document.createElement('label');
    label.textContent = type;
    const input = document.createElement('input');
    input.type = 'number';
    input.min = '0';
    input.id = 'site-space-' + type;
    label.appendChild(input);
    box.appendChild(label);
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
    } else if (e.status === 401) {
      signIn();
    } else {
      say(e.message, true);
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
    if (e.status === 401) signIn();
    say(e.message, true);
  }
});

async function enter() {
  let me;
  try {
    me = await api('GET', '/auth/me');
  } catch (e) {
    signIn();
    return;
  }
  $('#who').textContent = me.username ?? '';
  const lots = await api('GET', '/lots');
  const select = $('#site-lot');
  select.replaceChildren();
  const ids = (Array.isArray(lots) ? lots : lots.lots ?? []).map((l) => l.lotId ?? l.id);
  const wanted = new URLSearchParams(location.search).get('lot');
  if (wanted && !ids.includes(wanted)) ids.push(wanted);
  for (const id of ids) {
    const o = document.createElement('option');
    o.value = id;
    o.textContent = id;
    select.appendChild(o);
  }
  if (wanted) select.value = wanted;
  $('#site-login').hidden = true;
  $('#site-editor').hidden = false;
  if (select.value) await load(select.value);
}

spacesInputs();
if (token) enter(); else signIn();
