// chart — charts drawn by hand in SVG: lines over years, horizontal bars,
// stacked bars and a shaded matrix, each with its figures as a table
// beside it (for screen readers, and for checking against /v1/stats). A
// suppressed cell ("<5" or "x") is drawn as no bar and shown as that text.
// Colours come from app.css classes (.c0 ...): no inline style.
import { h, s } from './core.js';

// The drawing's width in SVG units: narrower on a phone, so that the
// labels keep a readable size when the drawing is scaled to the screen.
let W = 640;
const size = () => (W = window.innerWidth < 600 ? 380 : 640);
const num = (v) => typeof v === 'number';
const fmt = (v) => (num(v) ? v.toLocaleString('en-GB') : String(v));

// A figure: title, the SVG, a legend, and the figures as a table.
function figure(title, svg, legend, data) {
  return h('figure', { class: 'chart' }, h('figcaption', {}, title), svg, legend,
    h('details', {}, h('summary', {}, 'The figures'), data));
}

function legendOf(names) {
  return h('ul', { class: 'legend' }, names.map((n, i) => h('li', {}, s('svg', { width: 12, height: 12, 'aria-hidden': 'true' },
    s('rect', { width: 12, height: 12, class: 'c' + (i % 8) })), ' ', n)));
}

// The table behind a chart: t has rows, columns, cells (and optional
// row_totals / column_totals); data-table names it for the tests.
export function dataTable(t) {
  return h('table', { class: 'figures', 'data-table': t.id || '' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, (t.rows_are || '').replace(/_/g, ' ')), t.columns.map((c) => h('th', { scope: 'col' }, c)),
      t.row_totals ? h('th', { scope: 'col' }, 'total') : null)),
    h('tbody', {}, t.rows.map((r, i) => h('tr', {}, h('th', { scope: 'row' }, r),
      t.cells[i].map((v, j) => h('td', { 'data-cell': `${i},${j}` }, fmt(v))),
      t.row_totals ? h('td', { 'data-row-total': i }, fmt(t.row_totals[i])) : null))),
    t.column_totals ? h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'total'),
      t.column_totals.map((v, j) => h('td', { 'data-column-total': j }, fmt(v))),
      t.row_totals ? h('td', { 'data-total': '' }, fmt(t.total)) : null)) : null);
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v);
}

// Lines: xs (labels), series [{name, values}] with numbers or strings.
export function lines(title, xs, series, t) {
  size();
  const H = W < 640 ? 220 : 260, L = 48, R = 12, T = 12, B = 28;
  const max = niceMax(Math.max(0, ...series.flatMap((x) => x.values.filter(num))));
  const x = (i) => L + (xs.length < 2 ? 0 : (i * (W - L - R)) / (xs.length - 1));
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'plot' });
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }),
      s('text', { x: L - 6, y: y(v) + 4, class: 'axis end' }, fmt(Math.round(v))));
  }
  const step = Math.ceil(xs.length / 8);
  xs.forEach((lab, i) => i % step === 0 && svg.append(s('text', { x: x(i), y: H - 8, class: 'axis mid' }, lab)));
  series.forEach((ser, k) => {
    let d = '', pen = false;
    ser.values.forEach((v, i) => {
      if (!num(v)) return (pen = false);
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    svg.append(s('path', { d, class: 'line s' + (k % 8) }, s('title', {}, ser.name)));
  });
  return figure(title, svg, legendOf(series.map((x) => x.name)), dataTable(t));
}

// Horizontal bars: labels, values; note(i) adds text after a value.
export function bars(title, labels, values, t, note = () => '') {
  size();
  const row = 22, L = W < 640 ? 110 : 150, H = row * labels.length + 8;
  const max = niceMax(Math.max(0, ...values.filter(num)));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'plot' });
  labels.forEach((lab, i) => {
    const v = values[i], y0 = 4 + i * row;
    const w = num(v) ? ((W - L - (W < 640 ? 100 : 120)) * v) / max : 0;
    svg.append(s('text', { x: L - 6, y: y0 + 14, class: 'axis end' }, lab),
      s('rect', { x: L, y: y0 + 3, width: Math.max(w, 0), height: row - 8, class: 'c0' }),
      s('text', { x: L + w + 6, y: y0 + 14, class: num(v) ? 'axis' : 'axis muted' }, fmt(v) + note(i)));
  });
  return figure(title, svg, null, dataTable(t));
}

// Stacked bars: one bar per row of t, one segment per column.
export function stacked(title, t) {
  size();
  const row = 26, L = W < 640 ? 110 : 150, H = row * t.rows.length + 8;
  const totals = t.cells.map((r) => r.filter(num).reduce((a, b) => a + b, 0));
  const max = niceMax(Math.max(0, ...totals));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'plot' });
  t.rows.forEach((lab, i) => {
    const y0 = 4 + i * row;
    let x0 = L;
    svg.append(s('text', { x: L - 6, y: y0 + 16, class: 'axis end' }, lab));
    t.cells[i].forEach((v, j) => {
      if (!num(v) || v === 0) return;
      const w = ((W - L - 70) * v) / max;
      svg.append(s('rect', { x: x0, y: y0 + 3, width: w, height: row - 8, class: 'c' + (j % 8) },
        s('title', {}, `${t.columns[j]}: ${fmt(v)}`)));
      x0 += w;
    });
    svg.append(s('text', { x: x0 + 6, y: y0 + 16, class: 'axis' }, fmt(totals[i])));
  });
  return figure(title, svg, legendOf(t.columns), dataTable(t));
}

// A matrix (rows x columns) as a table whose cells are shaded by count.
export function matrix(title, t) {
  const max = Math.max(1, ...t.cells.flat().filter(num));
  const table = dataTable(t);
  table.classList.add('matrix');
  table.querySelectorAll('td[data-cell]').forEach((td) => {
    const [i, j] = td.dataset.cell.split(',').map(Number);
    const v = t.cells[i][j];
    td.classList.add(num(v) ? 'l' + Math.min(4, Math.ceil((4 * v) / max)) : 'sup');
  });
  return h('figure', { class: 'chart' }, h('figcaption', {}, title), h('div', { class: 'scroll' }, table));
}
