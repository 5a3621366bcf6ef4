import { api, path } from '../api.js';
import { h, clear, problemBox, badge, table, facts, number, money } from '../dom.js';
import { chartFigure, usageOption } from '../charts.js';

/*
 * A project's budget against what its executions used, and which executions are near or over
 * their own limits. Projects are found from the tenant's executions (there is no project list in
 * Verity: project ids belong to the client platform), or typed in.
 */
export default {
  title: 'Budgets',
  scopes: ['read'],
  render(container, [projectId = '']) {
    const projectInput = h('input', { id: 'project-id', name: 'projectId', value: projectId, size: 38, list: 'known-projects',
      placeholder: 'project UUID', required: true });
    const known = h('datalist', { id: 'known-projects' });
    const projects = h('div', { id: 'project-list' });
    const detail = h('div', { id: 'budget-detail', 'aria-live': 'polite' });
    const chart = chartFigure('Budget used against its limits', { small: true });
    clear(container,
      h('section', { class: 'panel' },
        h('form', { class: 'inline', role: 'search', onsubmit: e => {
          e.preventDefault();
          location.hash = `#/budgets/${encodeURIComponent(projectInput.value.trim())}`;
        } }, h('label', { for: 'project-id' }, 'Project', projectInput), known,
        h('button', { type: 'submit', class: 'primary' }, 'Show budget')), projects),
      detail);

    let executions = [];
    const discover = async () => {
      try {
        const [agents, kits] = await Promise.all([api('/api/v1/executions?limit=500'), api('/api/v1/kit-executions?limit=500')]);
        executions = agents.items;
        const ids = [...new Set([...agents.items, ...kits.items].map(e => e.projectId))];
        ids.forEach(id => known.append(h('option', { value: id })));
        clear(projects, ids.length ? h('p', {}, 'Projects with executions: ', ids.map((id, i) => [i ? ', ' : '',
          h('a', { href: `#/budgets/${id}` }, h('code', {}, id))])) : h('p', { class: 'muted' }, 'No executions in this tenant yet.'));
      } catch (e) {
        clear(projects, problemBox(e));
      }
    };
    const show = async () => {
      try {
        const budget = await api(path`/api/v1/projects/${projectId}/budget`);
        const own = executions.filter(e => e.projectId === projectId);
        renderBudget(detail, chart, budget, own);
      } catch (e) {
        clear(detail, problemBox(e));
      }
    };
    discover().then(() => projectId && show());
    return () => chart.dispose();
  },
};

function renderBudget(el, chart, budget, executions) {
  const threshold = Number(budget.warningThreshold);
  const tokensPercent = 100 * budget.usage.tokensUsed / budget.maxTokens;
  const costPercent = 100 * Number(budget.usage.costIncurred) / Number(budget.maxCostUsd);
  const rows = [
    { label: 'tokens', percent: tokensPercent, warningPercent: threshold * 100 },
    { label: 'cost (USD)', percent: costPercent, warningPercent: threshold * 100 },
  ];
  const state = p => (p >= 100 ? 'exceeded' : p >= threshold * 100 ? 'warning' : 'ok');
  const ranked = executions.map(e => ({ e, ratio: Math.max(e.tokensUsed / (e.tokensLimit || Infinity),
    Number(e.costIncurred) / (Number(e.costLimit) || Infinity)) })).sort((a, b) => b.ratio - a.ratio);
  const near = ranked.filter(({ e, ratio }) => ratio >= Number(e.warningThreshold ?? threshold) || e.budgetState !== 'ok');
  clear(el,
    h('section', { class: 'panel', 'aria-labelledby': 'budget-heading' },
      h('h3', { id: 'budget-heading' }, 'Project budget'),
      budget.configured ? null : h('p', { class: 'notice' }, 'This project never set a budget: these are the defaults.'),
      h('div', { class: 'grid2' },
        facts([
          ['tokens', `${number(budget.usage.tokensUsed)} of ${number(budget.maxTokens)} (${tokensPercent.toFixed(1)} %) `, badge(state(tokensPercent))],
          ['cost', `${money(budget.usage.costIncurred)} of ${money(budget.maxCostUsd)} USD (${costPercent.toFixed(1)} %) `, badge(state(costPercent))],
          ['warning at', `${(threshold * 100).toFixed(0)} %`], ['on limit', budget.onLimitReached],
          ['executions counted', number(budget.usage.executions)], ['version', budget.version ?? '—'],
        ].map(([k, ...v]) => [k, h('span', {}, v)])),
        chart.figure)),
    h('section', { class: 'panel', 'aria-labelledby': 'near-heading' },
      h('h3', { id: 'near-heading' }, `Executions near or over their limits (${near.length} of ${executions.length})`),
      near.length ? table(['Execution', 'Status', 'Tokens', 'Cost (USD)', 'Budget state'], near.map(({ e }) => h('tr', {},
        h('td', {}, h('a', { href: `#/timeline/execution/${e.id}` }, h('code', {}, e.id))),
        h('td', {}, badge(e.status)),
        h('td', { class: 'num' }, `${number(e.tokensUsed)} / ${number(e.tokensLimit)}`),
        h('td', { class: 'num' }, `${money(e.costIncurred)} / ${money(e.costLimit)}`),
        h('td', {}, badge(e.budgetState)))), { numeric: [2, 3] })
        : h('p', { class: 'muted' }, 'None: every execution is below its warning threshold.')));
  chart.draw(usageOption(rows), `tokens ${tokensPercent.toFixed(1)} %, cost ${costPercent.toFixed(1)} % of the limits; warning line at ${(threshold * 100).toFixed(0)} %`);
}
