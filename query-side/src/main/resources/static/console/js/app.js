import { claims, signIn, signOut, token, hasAny } from './session.js';
import { h, clear, problemBox, when } from './dom.js';
import projections from './pages/projections.js';
import deadLetters from './pages/dead-letters.js';
import timeline from './pages/timeline.js';
import verification from './pages/verification.js';
import budgets from './pages/budgets.js';
import sessions from './pages/sessions.js';

/*
 * The console's shell: sign-in, the page list and a hash router (#/page/arg/arg), so a page is
 * a bookmarkable URL and the back button works. A page is {title, scopes, render(main, args)};
 * render returns what to call when the page is left (to stop its live updates).
 */
const PAGES = {
  projections, 'dead-letters': deadLetters, timeline, verification, budgets, sessions,
};
const main = document.getElementById('main');
let leave = () => {};

window.addEventListener('hashchange', route);
route();

function route() {
  if (takeTokenFromUrl()) return; // replaceState fires no hashchange: route again below
  leave();
  leave = () => {};
  const current = claims();
  renderIdentity(current);
  if (!token() || !current) {
    renderSignIn();
    return;
  }
  const [name = 'projections', ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = PAGES[name];
  document.querySelectorAll('#nav a').forEach(a => {
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
    const scopes = PAGES[a.dataset.page].scopes;
    a.classList.toggle('unavailable', !hasAny(...scopes));
    a.title = hasAny(...scopes) ? '' : `Needs the ${scopes.join(' or ')} scope`;
  });
  if (!page) {
    clear(main, h('h2', {}, 'No such page'), h('p', {}, 'Choose a page from the list above.'));
    return;
  }
  document.title = `${page.title} · Verity console`;
  clear(main, h('h2', {}, page.title));
  if (!hasAny(...page.scopes)) {
    main.append(h('div', { class: 'problem', role: 'alert' },
      `This page needs a token with the ${page.scopes.join(' or ')} scope; this one has: ${current.scopes.join(' ') || 'none'}.`));
    return;
  }
  const body = h('div');
  main.append(body);
  try {
    leave = page.render(body, args) || (() => {});
  } catch (e) {
    clear(body, problemBox(e));
  }
  main.focus({ preventScroll: true });
}

/**
 * ./verity console opens /console/#token=...: the token is kept for this tab only, and taken out
 * of the address bar and the history at once (a same-tab link arrives as a hashchange).
 */
function takeTokenFromUrl() {
  if (!location.hash.startsWith('#token=')) return false;
  const fragment = decodeURIComponent(location.hash.slice('#token='.length));
  history.replaceState(null, '', `${location.pathname}#/projections`);
  try {
    signIn(fragment);
  } catch (e) {
    signOut();
    sessionStorage.setItem('verity.signin-error', e.message);
  }
  route();
  return true;
}

function renderIdentity(current) {
  const nav = document.getElementById('nav');
  const identity = document.getElementById('identity');
  nav.hidden = !current;
  identity.hidden = !current;
  if (!current) return;
  const expired = current.expiresAt && current.expiresAt < new Date();
  clear(identity,
    h('span', {}, 'tenant ', h('code', { id: 'tenant' }, current.tenant)),
    h('span', {}, 'scopes ', h('code', { id: 'scopes' }, current.scopes.join(' '))),
    h('span', { class: expired ? 'badge failing' : null }, expired ? 'token expired' : `until ${when(current.expiresAt)}`),
    h('button', { type: 'button', id: 'sign-out', onclick: () => { signOut(); location.hash = '#/'; route(); } }, 'Sign out'));
}

function renderSignIn() {
  document.title = 'Sign in · Verity console';
  const error = sessionStorage.getItem('verity.signin-error');
  sessionStorage.removeItem('verity.signin-error');
  const message = h('div', { 'aria-live': 'polite' }, error ? h('div', { class: 'problem', role: 'alert' }, error) : null);
  const input = h('textarea', { id: 'token-input', name: 'token', required: true, autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', {
    id: 'sign-in',
    onsubmit: event => {
      event.preventDefault();
      try {
        signIn(input.value);
        if (!location.hash || location.hash === '#/') location.hash = '#/projections';
        else route();
      } catch (e) {
        clear(message, h('div', { class: 'problem', role: 'alert' }, e.message));
        input.focus();
      }
    },
  },
  h('label', { for: 'token-input' }, 'Bearer token'),
  input,
  h('p', { class: 'muted' }, 'Paste a JWT (./verity token --scope "read audit admin"), or run ./verity console for a link that signs in. ',
    'The token stays in this tab (sessionStorage) and is sent only to this query API.'),
  h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  clear(main, h('h2', {}, 'Sign in'), h('section', { class: 'panel' }, message, form));
  input.focus();
}
