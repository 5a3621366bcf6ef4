import { api, path } from '../api.js';
import { h, clear, badge, table, problemBox, number, duration, needs, when } from '../dom.js';
import { has } from '../session.js';
import { subscribe } from '../live.js';
import { chartFigure } from '../charts.js';

const WINDOW_MS = 10 * 60 * 1000;
const SAMPLE_MS = 2000;
/** Lag samples per projection, kept while the tab lives so leaving the page does not empty the chart. */
const lagSamples = new Map();

export default {
  title: 'Projections',
  scopes: ['admin', 'operator'],
  render(container) {
    const operator = has('operator');
    const message = h('div', { 'aria-live': 'polite' });
    const tbody = h('tbody');
    const rows = new Map();
    const latest = new Map();
    const chart = chartFigure('Lag in events over the last 10 minutes');
    const tableEl = h('div', { class: 'table-wrap' }, h('table', { id: 'projections' },
      h('thead', {}, h('tr', {}, ['Projection', 'State', 'Position / head', 'Lag', 'Dead letters', 'Rebuild']
        .map((label, i) => h('th', { scope: 'col', class: i === 3 || i === 4 ? 'num' : null }, label)))),
      tbody));
    clear(container,
      h('p', { class: 'muted' }, operator
        ? 'Rebuilds fill fresh tables in a shadow schema while the live ones keep serving, then swap them in.'
        : 'Rebuilds need the operator scope; with admin you see your tenant\'s dead letters.'),
      message,
      h('section', { class: 'panel', 'aria-labelledby': 'projections-heading' },
        h('h3', { id: 'projections-heading' }, 'Status'), tableEl),
      h('section', { class: 'panel', 'aria-labelledby': 'lag-heading' },
        h('h3', { id: 'lag-heading' }, 'Lag over the last minutes'), chart.figure));

    const apply = item => {
      latest.set(item.name, item);
      let row = rows.get(item.name);
      if (!row) {
        row = projectionRow(item.name, operator, message, apply);
        rows.set(item.name, row);
        tbody.append(row.tr);
      }
      row.update(item);
    };
    const sample = () => {
      const now = Date.now();
      for (const [name, item] of latest) {
        const samples = lagSamples.get(name) || [];
        samples.push([now, item.lag]);
        while (samples.length && samples[0][0] < now - WINDOW_MS) samples.shift();
        lagSamples.set(name, samples);
      }
      drawLag(chart);
    };

    api('/api/v1/admin/projections')
      .then(({ items }) => {
        items.forEach(apply);
        sample();
      })
      .catch(e => clear(message, problemBox(e)));
    const stop = subscribe(['projections'], { projection: apply, error: e => clear(message, problemBox(e)) });
    const timer = setInterval(sample, SAMPLE_MS);
    return () => {
      stop();
      clearInterval(timer);
      chart.dispose();
    };
  },
};

function projectionRow(name, operator, message, apply) {
  const cells = {
    state: h('td'), position: h('td', { class: 'mono' }), lag: h('td', { class: 'num' }),
    deadLetters: h('td', { class: 'num' }),
  };
  const progress = h('progress', { max: '100', value: '0', 'aria-label': `Rebuild of ${name}` });
  const percent = h('span', { class: 'percent' });
  const details = h('span', { class: 'details muted' });
  const run = async (method, verb) => {
    try {
      apply(await api(path`/api/v1/admin/projections/${name}/rebuild`, { method }));
      clear(message, h('div', { class: 'success', role: 'status' }, `${verb} ${name}.`));
    } catch (e) {
      clear(message, problemBox(e));
    }
  };
  const start = needs(h('button', { type: 'button', class: 'primary', 'data-action': 'rebuild',
    onclick: () => run('POST', 'Started rebuilding') }, 'Rebuild'), operator, 'operator');
  const cancel = needs(h('button', { type: 'button', class: 'danger', 'data-action': 'cancel',
    onclick: () => run('DELETE', 'Asked to cancel the rebuild of') }, 'Cancel'), operator, 'operator');
  const progressBlock = h('div', { class: 'rebuild', hidden: true }, progress, percent, details, h('span'));
  const rebuildCell = h('td', { id: `rebuild-${name}` }, h('div', { class: 'toolbar' }, start, cancel), progressBlock);
  const tr = h('tr', { id: `projection-${name}` }, h('th', { scope: 'row' }, name), cells.state, cells.position,
    cells.lag, cells.deadLetters, rebuildCell);
  return {
    tr,
    update(item) {
      clear(cells.state, badge(item.state), item.error ? h('div', { class: 'muted' }, item.error) : null);
      clear(cells.position, `${number(item.position)} / ${number(item.head)}`);
      clear(cells.lag, number(item.lag));
      clear(cells.deadLetters, item.deadLetters > 0
        ? h('a', { href: `#/dead-letters/${encodeURIComponent(item.name)}` }, number(item.deadLetters))
        : '0');
      const rebuild = item.rebuild;
      const active = !!rebuild && (rebuild.state === 'replaying' || rebuild.state === 'swapping');
      if (operator) {
        start.disabled = active;
        cancel.disabled = !active;
      }
      progressBlock.hidden = !rebuild;
      if (rebuild) {
        progress.value = rebuild.percentDone;
        progress.setAttribute('aria-valuetext', `${rebuild.percentDone.toFixed(1)} percent`);
        percent.textContent = `${rebuild.percentDone.toFixed(1)} %`;
        const parts = [
          `${rebuild.state}`,
          `${number(rebuild.position)} / ${number(rebuild.head)} events`,
          rebuild.eventsPerSecond == null ? null : `${number(Math.round(rebuild.eventsPerSecond))} events/s`,
          active ? `${duration(rebuild.estimatedSecondsLeft)} left` : rebuild.finishedAt ? `finished ${when(rebuild.finishedAt)}` : null,
          rebuild.error,
        ];
        details.textContent = parts.filter(Boolean).join(' · ');
        progressBlock.dataset.state = rebuild.state;
      }
    },
  };
}

function drawLag(chart) {
  const series = [...lagSamples].map(([name, samples]) => ({
    name, type: 'line', showSymbol: false, data: samples,
  }));
  const worst = [...lagSamples].map(([name, s]) => [name, s.length ? s[s.length - 1][1] : 0])
    .sort((a, b) => b[1] - a[1])[0];
  chart.draw({
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: 'events behind', minInterval: 1 },
    series,
  }, !worst ? 'no samples yet' : worst[1] > 0 ? `largest lag now: ${worst[0]}, ${number(worst[1])} events`
    : 'every projection is caught up');
}
