import { h } from './dom.js';

/*
 * Charts through ECharts (the webjar's dist/echarts.min.js, loaded before the modules as the
 * global `echarts`). Each chart is a figure with a text summary, so what it shows is also
 * readable without seeing it; tables beside the charts carry the exact numbers.
 */
const charts = new Set();
window.addEventListener('resize', () => charts.forEach(chart => chart.resize()));

export function chartFigure(label, { small = false } = {}) {
  const canvas = h('div', { class: small ? 'chart small' : 'chart', role: 'img', 'aria-label': label });
  const caption = h('figcaption', { class: 'muted' });
  const figure = h('figure', { class: 'figure' }, canvas, caption);
  let chart = null;
  return {
    figure,
    /** Draws (or redraws) with the given ECharts option and a one-line summary for screen readers. */
    draw(option, summary) {
      if (summary) {
        canvas.setAttribute('aria-label', `${label}: ${summary}`);
        caption.textContent = summary;
      }
      if (!window.echarts) {
        caption.textContent = `${summary || ''} (the chart library did not load)`;
        return;
      }
      if (!chart) {
        chart = window.echarts.init(canvas, null, { renderer: 'canvas' });
        charts.add(chart);
      }
      chart.setOption({ animation: false, ...option }, true);
    },
    dispose() {
      if (chart) {
        charts.delete(chart);
        chart.dispose();
      }
    },
  };
}

/** Used against a limit, as a horizontal bar, with the warning threshold as a marked line. */
export function usageOption(rows) {
  return {
    grid: { left: 90, right: 40, top: 20, bottom: 30 },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value} %' } },
    yAxis: { type: 'category', data: rows.map(r => r.label) },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    series: [{
      type: 'bar',
      data: rows.map(r => ({
        value: Math.min(100, Math.round(r.percent * 10) / 10),
        itemStyle: { color: r.percent >= 100 ? '#b3261e' : r.percent >= r.warningPercent ? '#c98a00' : '#1f5fbf' },
      })),
      label: { show: true, position: 'right', formatter: p => `${rows[p.dataIndex].percent.toFixed(1)} %` },
      markLine: {
        symbol: 'none',
        lineStyle: { color: '#9a6200', type: 'dashed', width: 2 },
        label: { formatter: 'warning {c} %' },
        data: rows.length ? [{ xAxis: rows[0].warningPercent }] : [],
      },
    }],
  };
}
