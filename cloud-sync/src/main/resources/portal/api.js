// The portal's one way to the cloud API (/api/v1), shared by every page (index, lanes, site).
// The token lives in sessionStorage under 'token' (gone when the tab closes; the pages share it) and goes with
// every call as a bearer header. A refusal is an ApiError carrying the server's JSON error body as it was sent
// ({"error": CODE, "message": ...}). A 401 on anything but the sign-in itself means the session is over: the token
// is dropped and the page's sign-in is shown (see whenSessionEnds). Every GET answered with an ETag is kept, so
// that the next GET of the same path sends If-None-Match and a 304 reuses the kept body.
const API = '/api/v1';

let token = sessionStorage.getItem('token');
let sessionEnded = () => {};
const etags = new Map();
/** How many GETs went out with If-None-Match, and how many of those came back 304. */
export const polls = { sent: 0, notModified: 0 };

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : 'HTTP ' + status);
    this.status = status;
    this.code = (body && body.error) || 'HTTP_' + status;
    // Set when this 401 ended the session: the sign-in form already says so.
    this.sessionEnded = false;
  }

  /** The refusal with its status and code: "400 INVALID_REQUEST: permit p-1 needs a plate or a card". */
  withCode() {
    return this.status + ' ' + this.code + ': ' + this.message;
  }
}

export function hasSession() {
  return !!token;
}

/** What a page does when a call is refused with 401 (expired, revoked or invalid token). */
export function whenSessionEnds(handler) {
  sessionEnded = handler;
}

function forget() {
  token = null;
  sessionStorage.removeItem('token');
  etags.clear();
}

export async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (token) headers['Authorization'] = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const cached = method === 'GET' ? etags.get(path) : undefined;
  if (cached) headers['If-None-Match'] = cached.etag;
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (cached) polls.sent++;
  if (res.status === 304 && cached) {
    polls.notModified++;
    return cached.data;
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    // Not JSON (a proxy's error page): its text is the message.
    data = { message: text };
  }
  if (!res.ok) {
    const error = new ApiError(res.status, data);
    if (res.status === 401 && path !== '/auth/login') {
      forget();
      error.sessionEnded = true;
      sessionEnded(error);
    }
    throw error;
  }
  const etag = res.headers.get('ETag');
  if (method === 'GET' && etag) etags.set(path, { etag, data });
  return data;
}

export async function login(username, password) {
  const r = await api('POST', '/auth/login', { username, password });
  etags.clear();
  token = r.token;
  sessionStorage.setItem('token', token);
}

/** Revokes the token at the gateway too, so that a copy of it is worth nothing; forgets it here whatever happens. */
export async function logout() {
  try {
    if (token) await api('POST', '/auth/logout');
  } catch (e) {
    // Already refused or unreachable: the local sign-out still happens.
  }
  forget();
}

/** The live stream's URL: EventSource cannot set headers, so the token goes as ?access_token=. */
export function streamUrl() {
  return API + '/stream?access_token=' + encodeURIComponent(token);
}
