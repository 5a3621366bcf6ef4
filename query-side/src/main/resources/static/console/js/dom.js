import { Problem } from './api.js';

/**
 * Builds elements without innerHTML, so nothing the API returns is ever parsed as markup.
 * Attributes starting with "on" take listeners; "class", "for", booleans and data-* work as in HTML.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The problem's detail, in an alert the screen reader announces; never a blank page. */
export function problemBox(error) {
  const detail = error instanceof Problem ? error.message : `Something went wrong in the console: ${error?.message || error}`;
  const code = error instanceof Problem && error.body.code ? ` (${error.status} ${error.body.code})` : '';
  const fields = error instanceof Problem && Array.isArray(error.body.errors)
    ? h('ul', {}, error.body.errors.map(e => h('li', {}, h('code', {}, e.field), ': ', e.message))) : null;
  return h('div', { class: 'problem', role: 'alert' }, h('strong', {}, detail), code, fields);
}

export function showProblem(container, error) {
  if (error?.name === 'AbortError') return;
  clear(container, problemBox(error));
}

export function badge(text, kind = text) {
  return h('span', { class: `badge ${String(kind).toLowerCase()}` }, text);
}

export function table(headers, rows, { caption, numeric = [] } = {}) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    caption ? h('caption', { class: 'muted' }, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((label, i) => h('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, label)))),
    h('tbody', {}, rows)));
}

export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}

export const number = n => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));
/** Money as the API sent it (exact decimals), with at least cents shown. */
export const money = n => (n === null || n === undefined ? '—'
  : Number(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 }));
// Local time as 2026-12-02 00:51:37: unambiguous in every locale.
export const when = t => (t ? new Date(t).toLocaleString('sv-SE') : '—');
/** dev.verity.events.task.TaskEvent$TaskCreated -> TaskCreated (the full name stays in the inspector). */
export const shortType = type => (type ? String(type).split(/[.$]/).pop() : '—');

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A disabled control says why: the scope it needs. */
export function needs(el, allowed, scope) {
  if (!allowed) {
    el.disabled = true;
    el.title = `Needs the ${scope} scope`;
    el.setAttribute('aria-description', `Needs the ${scope} scope`);
  }
  return el;
}
