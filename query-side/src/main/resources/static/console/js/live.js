import { api, Problem } from './api.js';
import { token } from './session.js';

/*
 * Live updates, decided in this one place. The console subscribes to topics of
 * GET /api/v1/stream (Server-Sent Events: "projections", "records:<type>/<id>") and receives
 *   projection  — one item of GET /api/v1/admin/projections, whenever a projection's status changes;
 *   record      — {type, id, version}, whenever the record gets a new version.
 * A query side without the stream answers 404; the console then polls the same data at
 * POLL_INTERVAL_MS and hands it to the same handlers, so pages never know which one they got.
 * EventSource cannot send an Authorization header, so the stream is read with fetch().
 */
export const STREAM_PATH = '/api/v1/stream';
export const POLL_INTERVAL_MS = 1000;
const RECONNECT_MS = 1000;
// The stream sends a keep-alive comment every 15 s; silence for longer than two of them means a
// connection that died without closing (or a server that dropped this client): reconnect.
const SILENCE_MS = 35000;

/** How updates arrive right now: "connecting", "stream" or "polling"; tests read body[data-live]. */
function setMode(mode, detail) {
  document.body.dataset.live = mode;
  const status = document.getElementById('live-status');
  if (status) status.textContent = !mode ? '' : mode === 'stream' ? 'Live: streaming' : mode === 'polling'
    ? `Live: polling every ${POLL_INTERVAL_MS / 1000} s${detail ? ` (${detail})` : ''}` : 'Live: connecting…';
}

/**
 * subscribe(["projections", "records:task/<id>"], {projection(item), record(change), error(problem)})
 * returns a function that stops the subscription (pages call it when they are left).
 */
export function subscribe(topics, handlers) {
  const controller = new AbortController();
  let stopped = false;
  let pollers = [];
  const stop = () => {
    stopped = true;
    controller.abort();
    pollers.forEach(clearInterval);
    setMode('');
  };
  const startPolling = reason => {
    if (stopped) return;
    setMode('polling', reason);
    pollers = topics.map(topic => poller(topic, handlers, controller.signal));
  };
  setMode('connecting');
  stream(topics, handlers, controller.signal, () => stopped, startPolling);
  return stop;
}

async function stream(topics, handlers, signal, stopped, fallBack) {
  let lastEventId = null;
  while (!stopped()) {
    const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token()}` };
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    let response;
    try {
      response = await fetch(`${STREAM_PATH}?topics=${encodeURIComponent(topics.join(','))}`, { headers, signal });
    } catch (e) {
      if (signal.aborted) return;
      await pause(RECONNECT_MS);
      continue;
    }
    if (response.status === 404) { // no stream on this query side: poll instead
      fallBack('no stream endpoint');
      return;
    }
    if (!response.ok) {
      handlers.error?.(await problemOf(response));
      fallBack(`stream answered ${response.status}`);
      return;
    }
    setMode('stream');
    try {
      lastEventId = await readEvents(response.body, handlers, lastEventId);
    } catch (e) {
      if (signal.aborted) return;
    }
    await pause(RECONNECT_MS); // the server closed it or the network dropped: reconnect where we left off
  }
}

/** A minimal SSE parser (the WHATWG event-stream format): fields per line, a blank line ends an event. */
async function readEvents(body, handlers, lastEventId) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { type: 'message', data: [], id: null };
  for (;;) {
    let silence;
    const quiet = new Promise(resolve => { silence = setTimeout(() => resolve({ silent: true }), SILENCE_MS); });
    const next = await Promise.race([reader.read(), quiet]);
    clearTimeout(silence);
    if (next.silent) {
      reader.cancel().catch(() => {});
      return lastEventId;
    }
    const { value, done } = next;
    if (done) return lastEventId;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (event.id !== null) lastEventId = event.id;
        if (event.data.length) dispatch(event.type, event.data.join('\n'), handlers);
        event = { type: 'message', data: [], id: null };
        continue;
      }
      if (line.startsWith(':')) continue; // a comment: the server's keep-alive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event.type = text;
      else if (field === 'data') event.data.push(text);
      else if (field === 'id') event.id = text;
    }
  }
}

function dispatch(type, data, handlers) {
  let parsed;
  try {
    parsed = JSON.parse(data);
  } catch {
    return;
  }
  handlers[type]?.(parsed);
}

/** The polling stand-in for one topic, delivering exactly what the stream would. */
function poller(topic, handlers, signal) {
  let lastVersion = null;
  const tick = async () => {
    try {
      if (topic === 'projections') {
        const { items } = await api('/api/v1/admin/projections', { signal });
        items.forEach(item => handlers.projection?.(item));
      } else if (topic.startsWith('records:')) {
        const [type, id] = topic.slice('records:'.length).split('/');
        const history = await api(`/api/v1/audit/${encodeURIComponent(type)}/${encodeURIComponent(id)}/history`, { signal });
        const version = history.items.length ? history.items[history.items.length - 1].version : null;
        if (lastVersion !== null && version !== lastVersion) handlers.record?.({ type, id, version });
        lastVersion = version;
      }
    } catch (e) {
      if (!signal.aborted) handlers.error?.(e);
    }
  };
  tick();
  return setInterval(tick, POLL_INTERVAL_MS);
}

async function problemOf(response) {
  try {
    return new Problem(response.status, await response.json());
  } catch {
    return new Problem(response.status, null);
  }
}

const pause = ms => new Promise(resolve => setTimeout(resolve, ms));
