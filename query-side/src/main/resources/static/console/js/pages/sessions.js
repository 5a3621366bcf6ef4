import { api, path } from '../api.js';
import { h, clear, problemBox, badge, table, facts, number, when } from '../dom.js';
import { has } from '../session.js';
import { chartFigure } from '../charts.js';

/*
 * An elicitation session: completeness at the end of every turn (audit as-of ?turn=N, recomputed
 * from the events; needs the audit scope), its obligations by status, and what each depends on.
 */
const MAX_TURN_POINTS = 60;

export default {
  title: 'Sessions',
  scopes: ['read'],
  render(container, [sessionId = '']) {
    const list = h('div', { id: 'session-list' });
    const detail = h('div', { id: 'session-detail', 'aria-live': 'polite' });
    const completeness = chartFigure('Completeness over turns');
    const byStatus = chartFigure('Obligations by status', { small: true });
    clear(container, h('section', { class: 'panel', 'aria-labelledby': 'sessions-heading' },
      h('h3', { id: 'sessions-heading' }, 'Sessions'), list), detail);

    api('/api/v1/sessions?limit=100').then(({ items }) => {
      clear(list, items.length ? table(['Session', 'Status', 'Phase', 'Turns', 'Completeness', 'Updated'], items.map(s => h('tr', {},
        h('td', {}, h('a', { href: `#/sessions/${s.id}`, 'aria-current': s.id === sessionId ? 'true' : null }, h('code', {}, s.id))),
        h('td', {}, badge(s.status)), h('td', {}, s.sessionPhase), h('td', { class: 'num' }, number(s.turnCount)),
        h('td', { class: 'num' }, `${Math.round(Number(s.completenessScore) * 100)} %`), h('td', {}, when(s.updatedAt)))),
      { numeric: [3, 4] }) : h('p', { class: 'muted' }, 'No sessions in this tenant yet.'));
    }).catch(e => clear(list, problemBox(e)));

    if (sessionId) {
      api(path`/api/v1/sessions/${sessionId}`)
        .then(session => renderSession(detail, session, completeness, byStatus))
        .catch(e => clear(detail, problemBox(e)));
    }
    return () => {
      completeness.dispose();
      byStatus.dispose();
    };
  },
};

function renderSession(el, session, completeness, byStatus) {
  const counts = Object.entries(session.obligationCounts);
  const turnsNote = h('p', { class: 'muted', id: 'turns-note' });
  clear(el,
    h('section', { class: 'panel', 'aria-labelledby': 'session-heading' },
      h('h3', { id: 'session-heading' }, 'Session ', h('code', {}, session.id)),
      facts([['status', badge(session.status)], ['phase', session.sessionPhase], ['turns', number(session.turnCount)],
        ['completeness', `${Math.round(Number(session.completenessScore) * 100)} %`], ['project', h('code', {}, session.projectId)],
        ['version', session.version], ['timeline', h('a', { href: `#/timeline/session/${session.id}` }, 'events of this session')]]),
      h('div', { class: 'grid2' }, h('div', {}, h('h3', {}, 'Completeness over turns'), completeness.figure, turnsNote),
        h('div', {}, h('h3', {}, 'Obligations by status'), byStatus.figure))),
    h('section', { class: 'panel', 'aria-labelledby': 'obligations-heading' },
      h('h3', { id: 'obligations-heading' }, `Obligations (${session.obligations.length})`),
      table(['Key', 'Status', 'Depends on', 'Confidence', 'Attempts', 'Satisfied at turn', 'Description'],
        session.obligations.map(o => h('tr', { 'data-key': o.key },
          h('td', {}, h('code', {}, o.key)), h('td', {}, badge(o.status)),
          h('td', {}, dependencies(o, session.obligations)),
          h('td', { class: 'num' }, o.confidence ?? '—'), h('td', { class: 'num' }, `${o.attempts ?? 0} / ${o.maxAttempts ?? '—'}`),
          h('td', { class: 'num' }, o.satisfiedAtTurn ?? '—'), h('td', {}, o.description ?? ''))),
      { numeric: [3, 4, 5] })));

  byStatus.draw({
    grid: { left: 80, right: 30, top: 10, bottom: 30 },
    xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: counts.map(([s]) => s) },
    tooltip: {}, series: [{ type: 'bar', data: counts.map(([, n]) => n), label: { show: true, position: 'right' } }],
  }, counts.map(([s, n]) => `${s} ${n}`).join(', '));

  if (!has('audit')) {
    turnsNote.textContent = 'Completeness per turn is recomputed from the audit trail: it needs the audit scope.';
    completeness.draw({ xAxis: { type: 'category', data: [] }, yAxis: { type: 'value' }, series: [] }, 'not available without the audit scope');
    return;
  }
  turnsChart(session, completeness, turnsNote);
}

async function turnsChart(session, chart, note) {
  const last = session.turnCount;
  const step = Math.max(1, Math.ceil((last + 1) / MAX_TURN_POINTS));
  const turns = [];
  for (let t = 0; t <= last; t += step) turns.push(t);
  if (turns[turns.length - 1] !== last) turns.push(last);
  try {
    const points = [];
    for (const turn of turns) { // one at a time: each is a replay on the query side
      const past = await api(path`/api/v1/audit/sessions/${session.id}/as-of?turn=${turn}`);
      points.push([turn, Math.round(Number(past.completenessScore) * 100)]);
    }
    if (step > 1) note.textContent = `Every ${step}th turn of ${last}.`;
    chart.draw({
      grid: { left: 50, right: 20, top: 20, bottom: 40 },
      tooltip: { trigger: 'axis', valueFormatter: v => `${v} %` },
      xAxis: { type: 'value', name: 'turn', nameLocation: 'middle', nameGap: 25, minInterval: 1, max: last },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value} %' } },
      series: [{ type: 'line', step: 'end', data: points, areaStyle: { opacity: 0.15 } }],
    }, points.map(([t, c]) => `turn ${t}: ${c} %`).join(', '));
  } catch (e) {
    note.replaceChildren(problemBox(e));
  }
}

function dependencies(obligation, all) {
  const keys = Array.isArray(obligation.dependencies) ? obligation.dependencies : [];
  if (!keys.length) return h('span', { class: 'muted' }, 'none');
  return h('ul', { class: 'deps' }, keys.map(key => {
    const target = all.find(o => o.key === key);
    return h('li', {}, h('code', {}, key), ' ', target ? badge(target.status) : h('span', { class: 'muted' }, 'unknown'));
  }));
}
