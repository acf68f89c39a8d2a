// The portal's lanes-and-rates page (issue 19): per lot, the permits (with suspension), pools (inside per level,
// drift), reservations, merchant validators, coupons (uses per level, over-use) and the validation bill-back,
// all through the cloud API (/api/v1/lots/{lotId}/...). Every check is the server's; a refusal is shown as the
// server sent it, code and message. Sign-in, the token and the API calls are the portal's shared ones (page.js,
// api.js): without a session the page shows the sign-in form, and an expired one brings it back. Only the lots
// GET /lots lists (the caller's tenant's) are offered.
import { api } from './api.js';
import { $, el, fail as failed, say, signIn } from './page.js';

let lot = null;
// The permits, pools and reservations as last listed, by id: an Edit button fills the form from them, and saving a
// permit keeps its suspension (only Suspend / Reinstate change that).
const listed = { permits: new Map(), pools: new Map(), reservations: new Map() };

// A refusal as the server sent it: "400 INVALID_REQUEST: permit p-1 needs a plate or a card".
const fail = (e) => failed(e, (err) => err.withCode());

function row(attrs, cells) {
  return el('tr', attrs, ...cells.map((c) => (c instanceof Node && c.tagName === 'TD' ? c : el('td', {}, c))));
}

const lotPath = (suffix) => '/lots/' + encodeURIComponent(lot) + suffix;
const val = (id) => $('#' + id).value.trim();
const opt = (id) => val(id) || null;
const num = (id) => (val(id) === '' ? null : Number(val(id)));
// datetime-local is the browser's local time; the API takes instants.
const instant = (id) => (val(id) === '' ? null : new Date(val(id)).toISOString());

// An instant as datetime-local text in the browser's zone (to the minute), for editing.
function localInput(at) {
  if (!at) return '';
  const d = new Date(at);
  const p = (n) => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':'
    + p(d.getMinutes());
}

function fillForm(values) {
  for (const [id, v] of Object.entries(values)) {
    const input = $('#' + id);
    if (input.type === 'checkbox') input.checked = !!v;
    else input.value = v ?? '';
  }
}

function editButton(kind, id, fill) {
  const b = el('button', { type: 'button', 'data-edit': kind + ':' + id }, 'Edit');
  b.addEventListener('click', () => {
    fill();
    say('Editing ' + kind + ' ' + id + ': change the form and save.');
  });
  return b;
}

function shown(at) {
  if (!at) return '';
  const d = new Date(at);
  return isNaN(d) ? String(at) : d.toLocaleString();
}

function timeCell(at) {
  const td = el('td', {}, shown(at));
  if (at) td.title = at;
  return td;
}

function pairs(map) {
  return Object.entries(map || {}).map(([k, v]) => k + ': ' + v).join(', ');
}

function pushedText(pushed) {
  if (!pushed) return '';
  const version = pushed.rulesVersion ?? pushed.version;
  const edges = (pushed.edgeIds || []).length;
  return ' Pushed as version ' + version + ' to ' + edges + (edges === 1 ? ' level.' : ' levels.');
}

// ---------------------------------------------------------------- lists

function renderPermits(list) {
  listed.permits = new Map(list.map((p) => [p.permitId, p]));
  $('#permits').replaceChildren(...list.map((p) => {
    const edit = editButton('permit', p.permitId, () => fillForm({ 'permit-id': p.permitId,
      'permit-plate': p.plate, 'permit-card': p.card, 'permit-from': localInput(p.validFrom),
      'permit-until': localInput(p.validUntil), 'permit-window': p.window, 'permit-levels': (p.levels || []).join(', '),
      'permit-pool': p.poolId }));
    const suspend = el('button', { type: 'button', 'data-suspend': p.permitId },
      p.suspended ? 'Reinstate' : 'Suspend');
    suspend.addEventListener('click', () => setSuspended(p.permitId, !p.suspended));
    const state = p.suspended ? 'suspended' + (p.suspendedReason ? ' (' + p.suspendedReason + ')' : '') : 'active';
    return row({ 'data-permit': p.permitId, class: p.suspended ? 'suspended' : '' }, [p.permitId, p.plate ?? '',
      p.card ?? '', timeCell(p.validFrom), timeCell(p.validUntil), p.window, (p.levels || []).join(', ') || 'all',
      p.poolId ?? '', el('td', { class: 'state' }, state), (p.updatedBy ?? '') + ' ' + shown(p.updatedAt),
      el('td', { class: 'actions' }, edit, suspend)]);
  }));
}

function renderPools(list) {
  listed.pools = new Map(list.map((p) => [p.poolId, p]));
  $('#pool-ids').replaceChildren(...list.map((p) => el('option', { value: p.poolId })));
  $('#pools').replaceChildren(...list.map((p) => row({ 'data-pool': p.poolId }, [p.poolId, String(p.max),
    pairs(p.levelShares) || 'max on every level', el('td', { class: 'inside' }, pairs(p.inside) || 'none reported'),
    el('td', { class: 'total' }, String(p.total)),
    el('td', { class: p.drift > 0 ? 'drift' : '' }, String(p.drift)),
    el('td', { class: 'actions' }, editButton('pool', p.poolId, () => fillForm({ 'pool-id': p.poolId,
      'pool-max': p.max, 'pool-shares': Object.entries(p.levelShares || {}).map(([k, v]) => k + '=' + v).join(', ') })))])));
}

function renderReservations(list) {
  $('#reservations').replaceChildren(...list.map((r) => row({ 'data-reservation': r.reservationId }, [
    r.reservationId, r.plate ?? '', el('td', { class: 'code' }, r.code ?? ''), timeCell(r.from), timeCell(r.until),
    r.levelId ?? 'any', r.prepaid ? 'yes' : 'no',
    el('td', { class: 'actions' }, editButton('reservation', r.reservationId, () => fillForm({
      'reservation-id': r.reservationId, 'reservation-plate': r.plate,
      'reservation-from': localInput(r.from), 'reservation-until': localInput(r.until),
      'reservation-level': r.levelId, 'reservation-prepaid': r.prepaid })))])));
}

function renderValidators(list) {
  $('#validators').replaceChildren(...list.map((v) => row({ 'data-validator': v.validatorId }, [v.validatorId,
    v.name, v.department, v.kind, String(v.value), String(v.validMinutes)])));
}

function renderCoupons(list) {
  $('#coupons').replaceChildren(...list.map((k) => row({ 'data-coupon': k.code, class: k.overUsed ? 'overused' : '' },
    [k.code, k.kind, String(k.value), k.maxUses === 0 ? 'unlimited' : String(k.maxUses), timeCell(k.validFrom),
      timeCell(k.validUntil), el('td', { class: 'uses' }, String(k.uses)),
      el('td', { class: 'by-level' }, pairs(k.usesByLevel)),
      el('td', { class: k.overUsed ? 'overused' : '' }, k.overUsed ? 'OVER-USED' : 'no')])));
}

function renderBillBack(b) {
  $('#billback-period').textContent = 'Validations used from ' + shown(b.from) + ' to ' + shown(b.to) + ' (exit time).';
  $('#billback').replaceChildren(...b.lines.map((l) => row({ 'data-billback': l.validatorId + '|' + l.department }, [
    l.validatorId, l.name, l.department, el('td', { class: 'uses' }, String(l.uses)),
    el('td', { class: 'amount' }, (l.amount / 100).toFixed(2))])));
  if (b.lines.length === 0) $('#billback').append(row({}, [el('td', { colSpan: 5 }, 'no validations in this period')]));
}

function billBack() {
  const q = new URLSearchParams();
  if (val('billback-from')) q.set('from', instant('billback-from'));
  if (val('billback-to')) q.set('to', instant('billback-to'));
  const s = q.toString();
  return api('GET', lotPath('/validations/bill-back') + (s ? '?' + s : ''));
}

// Everything is fetched before anything is drawn: the page never shows a coupon's new uses beside the old bill-back.
async function load() {
  if (!lot) return;
  try {
    const [permits, pools, reservations, validators, coupons, billback] = await Promise.all([
      ...['/permits', '/pools', '/reservations', '/validators', '/coupons'].map((p) => api('GET', lotPath(p))),
      billBack()]);
    renderPermits(permits);
    renderPools(pools);
    renderReservations(reservations);
    renderValidators(validators);
    renderCoupons(coupons);
    renderBillBack(billback);
    window.lanesLoaded = (window.lanesLoaded || 0) + 1;
  } catch (e) {
    fail(e);
  }
}

// ---------------------------------------------------------------- writes

async function setSuspended(permitId, suspended) {
  try {
    const r = await api('POST', lotPath('/permits/' + encodeURIComponent(permitId) + '/suspend'),
      { suspended, reason: opt('permit-suspend-reason') });
    say((suspended ? 'Suspended permit ' : 'Reinstated permit ') + permitId + '.' + pushedText(r.pushed));
    await load();
  } catch (e) {
    fail(e);
  }
}

function submit(formId, build, done) {
  $('#' + formId).addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await build();
      say(done(r) + pushedText(r.pushed));
      await load();
    } catch (e) {
      fail(e);
    }
  });
}

submit('permit-form', () => api('POST', lotPath('/permits'), {
  permitId: opt('permit-id'), plate: opt('permit-plate'), card: opt('permit-card'),
  validFrom: instant('permit-from'), validUntil: instant('permit-until'), window: val('permit-window'),
  levels: val('permit-levels') ? val('permit-levels').split(',').map((s) => s.trim()).filter(Boolean) : [],
  poolId: opt('permit-pool'),
  // No `suspended`: the server keeps a stored permit's suspension when the body leaves it out (and a new
  // permit starts active), so a save never undoes a suspension made since this page last loaded its list.
}), (r) => 'Saved permit ' + r.item.permitId + (r.created ? ' (new).' : ' (replaced).'));

submit('pool-form', () => {
  const shares = {};
  for (const part of val('pool-shares').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [level, share] = part.split('=').map((s) => s.trim());
    shares[level] = share === undefined || share === '' ? null : Number(share);
  }
  return api('POST', lotPath('/pools'), { poolId: opt('pool-id'), max: num('pool-max'), levelShares: shares });
}, (r) => 'Saved pool ' + r.item.poolId + '.');

// The server signs the reservation's code (the QR a gate verifies offline, docs/lanes.md): shown as it comes back.
submit('reservation-form', () => api('POST', lotPath('/reservations'), {
  reservationId: opt('reservation-id'), plate: opt('reservation-plate'),
  from: instant('reservation-from'), until: instant('reservation-until'), levelId: opt('reservation-level'),
  prepaid: $('#reservation-prepaid').checked,
}), (r) => {
  const item = r.item || {};
  const code = r.code || item.code;
  return 'Saved reservation ' + item.reservationId + '.' + (code ? ' Code: ' + code + '.' : '');
});

submit('validator-form', () => api('POST', lotPath('/validators'), {
  validatorId: opt('validator-id'), name: opt('validator-name'), department: opt('validator-department'),
  kind: val('validator-kind'), value: num('validator-value'), validMinutes: num('validator-minutes'),
}), (r) => 'Created validator ' + r.created.validatorId + '.');

submit('coupon-form', () => api('POST', lotPath('/coupons'), {
  code: opt('coupon-code'), kind: val('coupon-kind'), value: num('coupon-value'), maxUses: num('coupon-max'),
  validFrom: instant('coupon-from'), validUntil: instant('coupon-until'),
}), (r) => 'Created coupon ' + r.created.code + '.');

$('#billback-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    renderBillBack(await billBack());
    say('');
  } catch (e) {
    fail(e);
  }
});

// ---------------------------------------------------------------- lots

$('#lanes-lot').addEventListener('change', () => {
  lot = $('#lanes-lot').value;
  say('');
  load();
});
$('#lanes-reload').addEventListener('click', () => load());

async function enter() {
  const me = await api('GET', '/auth/me');
  $('#who').textContent = me.username ?? '';
  const lots = await api('GET', '/lots');
  const ids = (Array.isArray(lots) ? lots : lots.lots ?? []).map((l) => l.lotId ?? l.id);
  const select = $('#lanes-lot');
  select.replaceChildren(...ids.map((id) => el('option', { value: id }, id)));
  // ?lot= picks one of the caller's lots; another tenant's lot is never offered.
  const wanted = new URLSearchParams(location.search).get('lot');
  if (wanted && ids.includes(wanted)) select.value = wanted;
  lot = select.value || null;
  $('#lanes-editor').hidden = false;
  if (!lot) say('No lots visible to you yet.');
  await load();
}

signIn({ enter, leave: () => { $('#lanes-editor').hidden = true; } });
