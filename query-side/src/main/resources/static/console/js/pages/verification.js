import { api } from '../api.js';
import { h, clear, problemBox, badge, table, facts, number, when, needs } from '../dom.js';
import { has } from '../session.js';

/*
 * Proof that the read model is what the events say (tenant: audit scope, platform: operator) and
 * that the event store is what the ledger chained. Saved digests stay in this browser
 * (localStorage): a digest only proves something later if it was kept somewhere the platform
 * cannot rewrite.
 */
const DIGESTS = 'verity.digests';

export default {
  title: 'Verification',
  scopes: ['audit', 'operator'],
  render(container) {
    const audit = has('audit');
    const operator = has('operator');
    const tablesResult = h('div', { id: 'verify-result', 'aria-live': 'polite' });
    const ledgerResult = h('div', { id: 'ledger-result', 'aria-live': 'polite' });
    const digestView = h('div', { id: 'digest' });
    const saved = h('div', { id: 'saved-digests' });
    let current = null;

    const verify = async (button, url, scopeLabel) => {
      button.disabled = true;
      clear(tablesResult, h('p', { role: 'status' }, `Verifying ${scopeLabel}: replaying the events into a scratch schema…`));
      try {
        renderTables(tablesResult, await api(url, { method: 'POST' }), scopeLabel);
      } catch (e) {
        clear(tablesResult, problemBox(e));
      } finally {
        button.disabled = false;
      }
    };
    const tenantButton = needs(h('button', { type: 'button', class: 'primary', id: 'verify-tenant',
      onclick: () => verify(tenantButton, '/api/v1/audit/verify', 'this tenant\'s tables') }, 'Verify my tenant'), audit, 'audit');
    const platformButton = needs(h('button', { type: 'button', id: 'verify-platform',
      onclick: () => verify(platformButton, '/api/v1/admin/verify', 'every tenant\'s tables') }, 'Verify the platform'), operator, 'operator');

    const loadDigest = async () => {
      try {
        current = await api('/api/v1/audit/digest');
        clear(digestView, facts([['position', number(current.position)], ['hash', h('code', {}, current.hash)],
          ['chained at', when(current.at)]]));
      } catch (e) {
        clear(digestView, problemBox(e));
      }
    };
    const verifyLedger = async digest => {
      clear(ledgerResult, h('p', { role: 'status' }, 'Recomputing the chain…'));
      try {
        renderLedger(ledgerResult, await api('/api/v1/audit/ledger/verify', { method: 'POST', body: digest || {} }), digest);
      } catch (e) {
        clear(ledgerResult, problemBox(e));
      }
    };
    const renderSaved = () => {
      const list = savedDigests();
      clear(saved, list.length ? table(['Saved', 'Position', 'Hash', ''], list.map((d, i) => h('tr', {},
        h('td', {}, when(d.savedAt)), h('td', { class: 'num' }, number(d.position)), h('td', {}, h('code', {}, d.hash.slice(0, 16) + '…')),
        h('td', {}, h('div', { class: 'toolbar' },
          needs(h('button', { type: 'button', 'data-action': 'verify-saved', onclick: () => verifyLedger({ position: d.position, hash: d.hash }) },
            'Verify against this'), audit, 'audit'),
          h('button', { type: 'button', class: 'danger', onclick: () => { list.splice(i, 1); store(list); renderSaved(); } }, 'Forget'))))),
      { numeric: [1] }) : h('p', { class: 'muted' }, 'No digest saved in this browser yet.'));
    };

    clear(container,
      h('section', { class: 'panel', 'aria-labelledby': 'tables-heading' },
        h('h3', { id: 'tables-heading' }, 'Read-model tables'),
        h('p', { class: 'muted' }, 'Rebuilds the tables from the events in a scratch schema and compares them row by row with the live ones.'),
        h('div', { class: 'toolbar' }, tenantButton, platformButton), tablesResult),
      h('section', { class: 'panel', 'aria-labelledby': 'ledger-heading' },
        h('h3', { id: 'ledger-heading' }, 'Ledger'),
        h('p', { class: 'muted' }, 'A SHA-256 chain over every stored event: save a digest now, verify against it later.'),
        digestView,
        h('div', { class: 'toolbar' },
          needs(h('button', { type: 'button', onclick: loadDigest }, 'Refresh digest'), audit, 'audit'),
          needs(h('button', { type: 'button', id: 'save-digest', onclick: () => {
            if (!current) return;
            store([{ ...current, savedAt: new Date().toISOString() }, ...savedDigests()]);
            renderSaved();
          } }, 'Save this digest'), audit, 'audit'),
          needs(h('button', { type: 'button', id: 'verify-ledger', class: 'primary', onclick: () => verifyLedger(null) },
            'Verify the ledger'), audit, 'audit')),
        ledgerResult,
        h('h3', {}, 'Saved digests'), saved));
    if (audit) loadDigest();
    renderSaved();
    return () => {};
  },
};

function renderTables(el, result, scopeLabel) {
  const differing = result.tables.filter(t => !t.ok);
  clear(el,
    h('p', { class: result.ok ? 'success' : 'problem', role: 'status', id: 'verify-verdict' },
      result.ok ? `ok: ${scopeLabel} match the events` : `DIFFERS: ${differing.length} table(s) differ from the events`,
      ` (verified ${when(result.verifiedAt)})`),
    table(['Table', 'Projection', 'Live rows', 'Rebuilt rows', 'Missing', 'Extra', 'Changed', 'Result', 'Differing keys'],
      result.tables.map(t => h('tr', { class: t.ok ? null : 'differs-row', 'data-table': t.table },
        h('td', {}, t.table), h('td', {}, t.projection), h('td', { class: 'num' }, number(t.liveRows)),
        h('td', { class: 'num' }, number(t.rebuiltRows)), h('td', { class: 'num' }, number(t.missingRows)),
        h('td', { class: 'num' }, number(t.extraRows)), h('td', { class: 'num' }, number(t.changedRows)),
        h('td', {}, t.ok ? badge('ok') : badge('differs')),
        h('td', {}, t.differingKeys.length ? h('ul', { class: 'keys' }, t.differingKeys.map(k => h('li', {}, h('code', {}, k)))) : ''))),
    { numeric: [2, 3, 4, 5, 6] }),
    result.projections.some(p => p.error || !p.caughtUp)
      ? h('ul', {}, result.projections.filter(p => p.error || !p.caughtUp).map(p =>
        h('li', {}, `${p.name}: ${p.error || `not caught up (${number(p.position)} of ${number(p.head)})`}`)))
      : null);
}

function renderLedger(el, v, digest) {
  const mismatch = v.firstMismatch;
  clear(el,
    h('p', { class: v.ok ? 'success' : 'problem', role: 'status', id: 'ledger-verdict' },
      v.ok ? `ok through position ${number(v.checkedThrough)}${digest ? ', matching the saved digest' : ''}`
        : `${mismatch.kind.toUpperCase()} at position ${number(mismatch.position)} (global index ${mismatch.globalIndex ?? '—'}, event ${mismatch.eventIdentifier ?? '—'})`),
    facts([['store head (global index)', number(v.storeHead)], ['not chained yet', number(v.unchainedEvents)]]));
}

function savedDigests() {
  try {
    const list = JSON.parse(localStorage.getItem(DIGESTS) || '[]');
    return Array.isArray(list) ? list.filter(d => d && typeof d.hash === 'string' && typeof d.position === 'number') : [];
  } catch {
    return [];
  }
}

function store(list) {
  localStorage.setItem(DIGESTS, JSON.stringify(list.slice(0, 50)));
}
