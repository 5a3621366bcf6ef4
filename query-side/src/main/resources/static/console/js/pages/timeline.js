import { api, path } from '../api.js';
import { h, clear, problemBox, when, table } from '../dom.js';
import { subscribe } from '../live.js';

/*
 * One record's events from the event store (audit history) and the record as of any of them
 * (audit as-of, recomputed by the projection code), with what changed from the version before.
 */
const TYPES = [['task', 'Task'], ['execution', 'Agent execution'], ['kit-execution', 'Kit execution'],
  ['session', 'Session'], ['budget', 'Budget']];

export default {
  title: 'Record timeline',
  scopes: ['audit'],
  render(container, [type = 'task', id = '', version]) {
    const typeSelect = h('select', { id: 'record-type', name: 'type' },
      TYPES.map(([value, label]) => h('option', { value, selected: value === type }, label)));
    const idInput = h('input', { id: 'record-id', name: 'id', value: id, size: 38, required: true,
      placeholder: 'record UUID', pattern: '[0-9a-fA-F-]{36}', title: 'a UUID' });
    const form = h('form', { class: 'inline', role: 'search', onsubmit: e => {
      e.preventDefault();
      location.hash = `#/timeline/${typeSelect.value}/${encodeURIComponent(idInput.value.trim())}`;
    } },
    h('label', { for: 'record-type' }, 'Record type', typeSelect),
    h('label', { for: 'record-id' }, 'Id', idInput),
    h('button', { type: 'submit', class: 'primary' }, 'Show timeline'));
    const events = h('div');
    const state = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Choose an event to see the record as it was then.'));
    const live = h('p', { class: 'muted', id: 'timeline-live', 'aria-live': 'polite' });
    clear(container, h('section', { class: 'panel' }, form),
      h('div', { class: 'split' },
        h('section', { class: 'panel', 'aria-labelledby': 'events-heading' }, h('h3', { id: 'events-heading' }, 'Events'), live, events),
        h('section', { class: 'panel', 'aria-labelledby': 'state-heading' }, h('h3', { id: 'state-heading' }, 'Record as of the chosen event'), state)));
    if (!id) return () => {};

    let chosen = version === undefined ? null : Number(version);
    let items = [];
    const show = async v => {
      chosen = v;
      history.replaceState(null, '', `#/timeline/${type}/${encodeURIComponent(id)}/${v}`);
      events.querySelectorAll('button[data-version]').forEach(b => b.setAttribute('aria-pressed', String(Number(b.dataset.version) === v)));
      clear(state, h('p', { class: 'muted' }, `Loading version ${v}…`));
      try {
        const [now, before] = await Promise.all([
          api(path`/api/v1/audit/${type}/${id}/as-of?version=${v}`),
          v > 0 ? api(path`/api/v1/audit/${type}/${id}/as-of?version=${v - 1}`) : Promise.resolve(null),
        ]);
        const event = items.find(e => e.version === v);
        clear(state, h('p', { id: 'as-of-heading' }, `Version ${v}`, event ? ` after ${event.type} at ${when(event.timestamp)}` : '',
          before ? ', compared with version ' + (v - 1) : ', the first version'), diffTable(before, now));
      } catch (e) {
        clear(state, problemBox(e));
      }
    };
    const load = async () => {
      try {
        items = (await api(path`/api/v1/audit/${type}/${id}/history`)).items;
        clear(events, h('ol', { class: 'timeline', id: 'timeline' }, items.map(event => h('li', {},
          h('button', { type: 'button', 'data-version': event.version, 'aria-pressed': String(event.version === chosen),
            onclick: () => show(event.version) },
          h('strong', {}, `v${event.version}`), h('span', {}, event.type),
          h('span', { class: 'when' }, `${actor(event.metadata)} · ${when(event.timestamp)}`))))));
        if (chosen === null && items.length) show(items[items.length - 1].version);
        else if (chosen !== null) show(chosen);
        return true;
      } catch (e) {
        clear(events, problemBox(e));
        return false;
      }
    };
    let stop = () => {};
    let left = false;
    // Live only once the record is found: an unknown id has nothing to follow.
    load().then(found => {
      if (!found || left) return;
      stop = subscribe([`records:${type}/${id}`], {
        record: change => {
          live.textContent = `Version ${change.version} arrived at ${when(new Date())}.`;
          load();
        },
        error: e => clear(live, problemBox(e)),
      });
    });
    return () => {
      left = true;
      stop();
    };
  },
};

function actor(metadata) {
  if (!metadata) return 'unknown actor';
  return `${metadata.actorType || 'actor'} ${metadata.actorId || '?'}`;
}

/** Every leaf of the record as path → value, so nested changes show exactly where they are. */
function flatten(value, prefix = '', out = new Map()) {
  if (value !== null && typeof value === 'object' && Object.keys(value).length) {
    for (const [key, child] of Object.entries(value)) {
      flatten(child, Array.isArray(value) ? `${prefix}[${key}]` : prefix ? `${prefix}.${key}` : key, out);
    }
  } else {
    out.set(prefix || '(value)', value === null || typeof value !== 'object' ? value : JSON.stringify(value));
  }
  return out;
}

function diffTable(before, now) {
  const a = before ? flatten(before) : new Map();
  const b = flatten(now);
  const kindOf = key => (!before ? '' : !a.has(key) ? 'added' : !b.has(key) ? 'removed' : a.get(key) !== b.get(key) ? 'changed' : '');
  // What changed comes first, in the record's own field order; the unchanged rest follows.
  const keys = [...new Set([...b.keys(), ...a.keys()])].sort((x, y) => (kindOf(y) ? 1 : 0) - (kindOf(x) ? 1 : 0));
  let changes = 0;
  const rows = keys.map(key => {
    const has = [a.has(key), b.has(key)];
    const kind = kindOf(key);
    if (kind) changes++;
    return h('tr', { class: kind || null, 'data-field': key },
      h('td', { class: 'mono' }, key),
      h('td', { class: 'mono' }, format(has[1] ? b.get(key) : a.get(key))),
      h('td', { class: 'mono muted' }, before && kind && has[0] ? format(a.get(key)) : ''));
  });
  return h('div', {}, h('p', { id: 'change-count' }, before ? `${changes} field(s) changed from the version before.` : ''),
    table(['Field', 'Value', 'Before'], rows));
}

const format = v => (v === undefined ? '' : v === null ? 'null' : String(v));
