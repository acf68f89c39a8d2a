// The portal's charts: thin wrappers over uPlot (vendored in vendor/uplot/, served by cloud-sync itself, no CDN).
// Time axes are drawn in the lot's time zone. Every chart drawn is kept in window.portalCharts with the values it
// was given, so that the browser tests can compare what is on the page with what the API answered.
/* global uPlot */
export const charts = {};
window.portalCharts = charts;

const PALETTE = ['#1f6fb4', '#d0452b', '#2c9f48', '#8d5cc4', '#e08a00', '#138d96', '#8c564b', '#c2408f'];

function width(container) {
  return Math.max(320, Math.min(1100, (container.clientWidth || 900) - 8));
}

function remember(id, title, zone, xs, series, plot) {
  if (charts[id] && charts[id].plot) charts[id].plot.destroy();
  charts[id] = { title, zone, xs, labels: series.map((s) => s.label), values: series.map((s) => s.values), plot };
}

/** A line chart over time: one stepped line per series (x in epoch seconds, nulls are gaps). */
export function lineChart(id, container, { title, zone, xs, series, yLabel, yMax, height = 220 }) {
  const opts = {
    title, width: width(container), height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(yMax ?? 0, max ?? 1, 1)] } },
    axes: [{}, { label: yLabel, size: 60 }],
    series: [{ label: 'time (' + zone + ')' }, ...series.map((s, i) => ({
      label: s.label, stroke: s.color || PALETTE[i % PALETTE.length], width: 2,
      dash: s.dash, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false },
    }))],
  };
  container.replaceChildren();
  const plot = new uPlot(opts, [xs, ...series.map((s) => s.values)], container);
  remember(id, title, zone, xs, series, plot);
  return plot;
}

/**
 * Stacked bars per day (x: the day's start in epoch seconds). uPlot has no stacking of its own: each bar is drawn
 * at its running total, the largest first, and the legend shows the series' own value.
 */
export function stackedBars(id, container, { title, zone, xs, series, yLabel, format = (v) => String(v), height = 220 }) {
  const totals = [];
  let running = xs.map(() => 0);
  for (const s of series) {
    running = running.map((r, i) => r + (s.values[i] ?? 0));
    totals.push(running);
  }
  const order = series.map((s, i) => i).reverse();
  const opts = {
    title, width: width(container), height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
    scales: { x: { time: true, range: (u, min, max) => [min - 43200, max + 43200] },
      y: { range: (u, min, max) => [0, Math.max(1, max ?? 1)] } },
    axes: [{ space: 60, values: (u, splits) => splits.map((v) => new Intl.DateTimeFormat(undefined,
      { timeZone: zone, month: 'short', day: 'numeric' }).format(new Date(v * 1000))) },
    { label: yLabel, size: 70, values: (u, splits) => splits.map(format) }],
    series: [{ label: 'day (' + zone + ')',
      value: (u, v) => v == null ? '' : new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: 'medium' })
        .format(new Date(v * 1000)) },
    ...order.map((i) => ({
      label: series[i].label, stroke: series[i].color || PALETTE[i % PALETTE.length],
      fill: (series[i].color || PALETTE[i % PALETTE.length]) + 'cc', width: 1,
      paths: uPlot.paths.bars({ size: [0.7, 60] }), points: { show: false },
      value: (u, v, si, idx) => idx == null ? '' : format(series[i].values[idx] ?? 0),
    }))],
  };
  container.replaceChildren();
  const plot = new uPlot(opts, [xs, ...order.map((i) => totals[i])], container);
  remember(id, title, zone, xs, series, plot);
  return plot;
}
