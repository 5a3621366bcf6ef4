import { api, path } from '../api.js';
import { h, clear, table, problemBox, facts, when, number, shortType } from '../dom.js';
import { has } from '../session.js';

/*
 * Events the projections parked. admin reaches its own tenant's letters, operator every
 * tenant's. One or many can be retried or discarded; "all matching" uses the bulk calls with
 * the same filters as the list.
 */
export default {
  title: 'Dead letters',
  scopes: ['admin', 'operator'],
  render(container, [initialProjection = '']) {
    const operator = has('operator');
    const message = h('div', { 'aria-live': 'polite' });
    const list = h('div');
    const inspector = h('section', { class: 'panel', id: 'inspector', 'aria-labelledby': 'inspect-heading', hidden: true });
    const projection = h('select', { id: 'filter-projection', name: 'projection' }, h('option', { value: '' }, 'any'));
    const cause = h('input', { id: 'filter-cause', name: 'cause', placeholder: 'e.g. DuplicateKeyException', size: 28 });
    const tenant = operator ? h('input', { id: 'filter-tenant', name: 'tenantId', placeholder: 'tenant UUID', size: 36 }) : null;
    let letters = [];
    const selected = new Set();

    const filters = () => {
      const query = new URLSearchParams();
      if (projection.value) query.set('projection', projection.value);
      if (cause.value.trim()) query.set('cause', cause.value.trim());
      if (tenant && tenant.value.trim()) query.set('tenantId', tenant.value.trim());
      return query;
    };
    const load = async () => {
      try {
        const query = filters();
        query.set('limit', '1000');
        letters = (await api(`/api/v1/admin/dead-letters?${query}`)).items;
        [...selected].forEach(id => letters.some(l => l.id === id) || selected.delete(id));
        renderList();
      } catch (e) {
        clear(list, problemBox(e));
      }
    };
    const report = (el) => clear(message, el);
    const act = async (label, work) => {
      try {
        const text = await work();
        report(h('div', { class: 'success', role: 'status' }, text));
      } catch (e) {
        report(problemBox(e));
      }
      inspector.hidden = true;
      await load();
    };
    const retry = ids => act('retry', async () => {
      const outcomes = [];
      for (const id of ids) {
        try {
          await api(path`/api/v1/admin/dead-letters/${id}/retry`, { method: 'POST' });
          outcomes.push(`${id}: processed`);
        } catch (e) {
          if (ids.length === 1) throw e;
          outcomes.push(`${id}: ${e.message}`);
        }
      }
      return `Retried ${ids.length}: ${outcomes.join('; ')}`;
    });
    const discard = ids => act('discard', async () => {
      for (const id of ids) await api(path`/api/v1/admin/dead-letters/${id}`, { method: 'DELETE' });
      return `Discarded ${ids.length} letter${ids.length === 1 ? '' : 's'}.`;
    });
    const retryAll = () => act('retry all', async () => {
      const r = await api(`/api/v1/admin/dead-letters/retry?${filters()}`, { method: 'POST' });
      return `Retried ${r.sequences} parked record(s): ${r.processed} went through, ${r.failed} failed again (${r.stillParked} letters still parked).`;
    });
    const discardAll = () => {
      if (!confirm('Discard every letter the filters select? Their events will not be applied.')) return;
      act('discard all', async () => {
        const r = await api(`/api/v1/admin/dead-letters?${filters()}`, { method: 'DELETE' });
        return `Discarded ${r.discarded} letter(s).`;
      });
    };

    const inspect = letter => {
      inspector.hidden = false;
      clear(inspector, h('h3', { id: 'inspect-heading', tabindex: '-1' }, `Letter ${letter.id}`),
        facts([
          ['projection', letter.projection], ['record', `${letter.aggregateType} ${letter.aggregateIdentifier}`],
          ['event', `${letter.type} (version ${letter.sequenceNumber ?? '—'})`], ['event id', h('code', {}, letter.eventIdentifier)],
          ['event time', when(letter.eventTimestamp)], ['tenant', h('code', {}, letter.tenantId)],
          ['cause', letter.cause ? `${letter.cause.type}: ${letter.cause.message}` : 'parked behind an earlier letter of its record'],
          ['parked', when(letter.enqueuedAt)], ['last touched', when(letter.lastTouched)],
          ['place in its record', number(letter.sequenceIndex)],
        ]),
        h('div', { class: 'toolbar' },
          h('button', { type: 'button', class: 'primary', onclick: () => retry([letter.id]) }, 'Retry this letter'),
          h('button', { type: 'button', class: 'danger', onclick: () => discard([letter.id]) }, 'Discard this letter'),
          h('a', { href: `#/timeline/${timelineType(letter.aggregateType)}/${letter.aggregateIdentifier}` }, 'Open the record\'s timeline')));
      inspector.querySelector('h3').focus();
    };

    // Ticking a box updates these in place: re-rendering would take the keyboard focus away.
    const retrySelected = h('button', { type: 'button', id: 'retry-selected', onclick: () => retry([...selected]) });
    const discardSelected = h('button', { type: 'button', id: 'discard-selected', class: 'danger',
      onclick: () => discard([...selected]) });
    const updateSelection = () => {
      retrySelected.textContent = `Retry selected (${selected.size})`;
      discardSelected.textContent = `Discard selected (${selected.size})`;
      retrySelected.disabled = discardSelected.disabled = !selected.size;
    };
    const renderList = () => {
      updateSelection();
      const toolbar = h('div', { class: 'toolbar' }, retrySelected, discardSelected,
        h('button', { type: 'button', id: 'retry-all', disabled: !letters.length, onclick: retryAll }, 'Retry all matching'),
        h('button', { type: 'button', id: 'discard-all', class: 'danger', disabled: !letters.length || !filters().toString(),
          title: filters().toString() ? null : 'Choose a projection, cause or tenant first', onclick: discardAll }, 'Discard all matching'));
      if (!letters.length) {
        clear(list, h('p', { id: 'no-letters' }, 'No dead letters match.'), toolbar);
        return;
      }
      const headers = ['', 'Projection', 'Record', 'Event', 'Cause', 'Parked', ''];
      if (operator) headers.splice(3, 0, 'Tenant');
      clear(list, toolbar, table(headers, letters.map(letter => {
        const box = h('input', { type: 'checkbox', checked: selected.has(letter.id), 'aria-label': `Select letter ${letter.id}`,
          onchange: e => { e.target.checked ? selected.add(letter.id) : selected.delete(letter.id); updateSelection(); } });
        const cells = [
          h('td', {}, box), h('td', {}, letter.projection),
          h('td', {}, letter.aggregateType, ' ', h('code', {}, letter.aggregateIdentifier)),
          h('td', { title: letter.type }, `${shortType(letter.type)} v${letter.sequenceNumber ?? '—'}`),
          h('td', { title: letter.cause?.type }, letter.cause ? shortType(letter.cause.type) : h('span', { class: 'muted' }, 'behind an earlier letter')),
          h('td', {}, when(letter.enqueuedAt)),
          h('td', {}, h('button', { type: 'button', 'data-action': 'inspect', onclick: () => inspect(letter) }, 'Inspect')),
        ];
        if (operator) cells.splice(3, 0, h('td', {}, h('code', {}, letter.tenantId)));
        return h('tr', { 'data-letter': letter.id }, cells);
      }), { caption: `${letters.length} parked event(s)` }));
    };

    const form = h('form', { class: 'inline', role: 'search', onsubmit: e => { e.preventDefault(); load(); } },
      h('label', { for: 'filter-projection' }, 'Projection', projection),
      h('label', { for: 'filter-cause' }, 'Cause (exception class)', cause),
      tenant ? h('label', { for: 'filter-tenant' }, 'Tenant', tenant) : null,
      h('button', { type: 'submit', class: 'primary' }, 'Filter'));
    clear(container, h('section', { class: 'panel' }, form, message, list), inspector);

    api('/api/v1/admin/projections').then(({ items }) => {
      items.forEach(p => projection.append(h('option', { value: p.name, selected: p.name === initialProjection }, p.name)));
      load();
    }).catch(e => clear(list, problemBox(e)));
    return () => {};
  },
};

const TIMELINE_TYPES = { Task: 'task', AgentExecution: 'execution', KitExecution: 'kit-execution', Session: 'session', Budget: 'budget' };
function timelineType(aggregateType) {
  return TIMELINE_TYPES[aggregateType] || 'task';
}
