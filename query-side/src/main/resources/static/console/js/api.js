import { token } from './session.js';

/** An API refusal: status and the RFC 9457 problem body (its detail is what the user sees). */
export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

/** One call to the query API with the pasted token; resolves to the JSON body, rejects with a Problem. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  const bearer = token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new Problem(0, { detail: `The query API could not be reached (${e.message}).` });
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    throw new Problem(response.status, json && typeof json === 'object' ? json
      : { detail: `HTTP ${response.status} from ${method} ${path}` });
  }
  return json;
}

/** Path segments are always encoded: ids come from what the user typed. */
export function path(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}
