// What every portal page has around its own content: the status line (#message), element helpers, and the
// sign-in form. The form is rendered here into the page's empty <section id="login-view">, so that its markup and
// its handling are written once; a page's HTML keeps only its header and its own sections.
import { ApiError, hasSession, login, whenSessionEnds } from './api.js';

export const $ = (sel) => document.querySelector(sel);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return e;
}

export function say(text, isError = false) {
  const m = $('#message');
  m.textContent = text;
  m.className = isError ? 'error' : '';
}

/**
 * A failure in the status line: an ApiError as {@code describe} puts it (the server's message by default),
 * anything else by its message. A 401 that ended the session is not repeated: the sign-in form says so.
 */
export function fail(e, describe = (err) => err.message) {
  if (e instanceof ApiError && e.sessionEnded) return;
  say(e instanceof ApiError ? describe(e) : String((e && e.message) || e), true);
}

/**
 * Renders the sign-in form and starts the page: {@code enter()} when there is a session (at once if the tab
 * already has a token, else after a sign-in), {@code leave()} to hide the page's own content whenever the
 * session ends. Returns {@code signedOut(text)}, which shows the form again with that text.
 */
export function signIn({ enter, leave }) {
  const view = $('#login-view');
  const username = el('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = el('input', { id: 'password', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true });
  const form = el('form', { id: 'login-form', method: 'post' }, el('label', {}, 'Username ', username),
    el('label', {}, 'Password ', password), el('button', { id: 'login-button', type: 'submit' }, 'Sign in'));
  view.replaceChildren(el('h2', {}, 'Sign in'), form);

  function signedOut(text) {
    leave();
    $('#who').textContent = '';
    view.hidden = false;
    say(text);
  }

  async function start() {
    view.hidden = true;
    say('');
    try {
      await enter();
    } catch (e) {
      if (!(e instanceof ApiError && e.sessionEnded)) {
        signedOut('');
        fail(e);
      }
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await login(username.value, password.value);
    } catch (e) {
      say('Sign-in failed: ' + e.message, true);
      return;
    }
    password.value = '';
    await start();
  });
  whenSessionEnds(() => signedOut('Your session ended; sign in again.'));
  if (hasSession()) start(); else signedOut('');
  return { signedOut };
}
