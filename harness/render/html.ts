/**
 * A self-contained HTML page: works offline from file://, with interactive Vega charts.
 *
 * The Vega runtime is inlined from node_modules (figures arrive compiled from Vega-Lite, so the
 * page needs Vega only). A small tooltip handler of our own shows an item's tooltip fields in a
 * table that follows the pointer.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { escapeHtml } from './table.js';
import type { VegaSpec } from './vega.js';

export interface PageChart {
  /** Element id of the chart's container; the body must contain `<div id="ID"></div>`. */
  id: string;
  spec: VegaSpec;
}

export interface PageOptions {
  title: string;
  /** HTML of the page body (trusted: built by the caller from escaped parts). */
  body: string;
  charts: PageChart[];
  /** Extra CSS appended after the base style. */
  css?: string;
}

let vegaRuntime: string | undefined;

function vegaScript(): string {
  if (vegaRuntime === undefined) {
    const entry = createRequire(import.meta.url).resolve('vega');
    vegaRuntime = readFileSync(join(dirname(entry), 'vega.min.js'), 'utf8');
  }
  return vegaRuntime;
}

/** Text safe inside a <script> element: no `</script` and no `<!--` can end or comment it. */
function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON safe inside <script type="application/json">. */
function jsonSafe(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const BASE_CSS = `
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 0.82rem; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.2rem 0.55rem; vertical-align: top; }
th { background: #f6f6f6; text-align: left; } .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.table-scroll { overflow-x: auto; max-width: 100%; }
figure { margin: 1rem 0 2rem; } figcaption { font-size: 0.85rem; color: #555; max-width: 70ch; }
.chart { overflow-x: auto; max-width: 100%; }
pre, code { overflow-wrap: anywhere; }
@media print {
  /* Nothing wider than the paper, or the browser shrinks every page to fit it. */
  body { margin: 0; max-width: none; font-size: 10pt; }
  nav, .no-print { display: none; }
  figure, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .table-scroll, .chart { overflow: visible; }
  table { font-size: 7pt; }
  th, td { padding: 1pt 3pt; overflow-wrap: anywhere; }
  .num { white-space: normal; }
  .chart svg { max-width: 100%; height: auto; }
}
.chart-error { color: #b00020; white-space: pre-wrap; }
.vg-tip { position: fixed; display: none; z-index: 10; pointer-events: none; background: rgba(255,255,255,0.96);
  border: 1px solid #999; border-radius: 3px; padding: 0.25rem 0.45rem; font-size: 0.78rem; box-shadow: 0 1px 4px rgba(0,0,0,0.2); }
.vg-tip td { border: none; padding: 0 0.3rem; } .vg-tip td.key { color: #666; }
`;

/** Runs in the page: parses each chart's spec, renders it to SVG, wires the tooltip. */
const EMBED = `
(function () {
  var specs = JSON.parse(document.getElementById('vega-specs').textContent);
  var tip = document.createElement('div');
  tip.className = 'vg-tip';
  tip.setAttribute('role', 'tooltip');
  document.body.appendChild(tip);
  function show(handler, event, item, value) {
    if (value === undefined || value === null || value === '') { tip.style.display = 'none'; return; }
    tip.textContent = '';
    var table = document.createElement('table');
    var entries = typeof value === 'object' ? Object.keys(value).map(function (k) { return [k, value[k]]; }) : [['', value]];
    entries.forEach(function (e) {
      var tr = document.createElement('tr');
      var key = document.createElement('td'); key.className = 'key'; key.textContent = e[0];
      var val = document.createElement('td'); val.textContent = e[1] === null ? '' : String(e[1]);
      tr.appendChild(key); tr.appendChild(val); table.appendChild(tr);
    });
    tip.appendChild(table);
    tip.style.display = 'block';
    var x = event.clientX + 14, y = event.clientY + 14, r = tip.getBoundingClientRect();
    if (x + r.width > window.innerWidth) x = event.clientX - r.width - 14;
    if (y + r.height > window.innerHeight) y = event.clientY - r.height - 14;
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  }
  // A printed page (or one saved as PDF) shows every table: closed details would hide them.
  var reopen = [];
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details:not([open])').forEach(function (d) { d.open = true; reopen.push(d); });
  });
  window.addEventListener('afterprint', function () {
    reopen.forEach(function (d) { d.open = false; });
    reopen = [];
  });
  specs.forEach(function (chart) {
    var el = document.getElementById(chart.id);
    try {
      var view = new vega.View(vega.parse(chart.spec), { renderer: 'svg', hover: true });
      view.tooltip(show).initialize(el).runAsync().catch(function (err) { fail(el, err); });
    } catch (err) { fail(el, err); }
  });
  function fail(el, err) {
    console.error('chart ' + el.id + ': ' + err);
    el.className += ' chart-error';
    el.textContent = 'This chart failed to render: ' + err;
  }
})();
`;

export function buildHtmlPage(options: PageOptions): string {
  const charts = options.charts.map((c) => ({ id: c.id, spec: c.spec }));
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title)}</title>`,
    `<style>${BASE_CSS}${options.css ?? ''}</style>`,
    '</head>',
    '<body>',
    options.body,
    `<script type="application/json" id="vega-specs">${jsonSafe(charts)}</script>`,
    `<script>${scriptSafe(vegaScript())}</script>`,
    `<script>${EMBED}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
