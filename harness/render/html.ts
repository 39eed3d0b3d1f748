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
  /** Extra CSS, after the base style and before the print rules (which win over it). */
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
:root { --column: 1100px; }
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2rem auto; max-width: var(--column); padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; } h3 { font-size: 1.05rem; }
table { border-collapse: separate; border-spacing: 0; margin: 0.6rem 0 1.2rem; font-size: 0.8rem; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.2rem 0.4rem; vertical-align: top; }
th { background: #f6f6f6; text-align: left; } .num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
/* A shadow at each edge that has more to scroll to: the white covers scroll with the content. */
.table-scroll, .chart { overflow-x: auto; max-width: 100%;
  background: linear-gradient(to right, #fff 40%, rgba(255,255,255,0)) left / 2rem 100% no-repeat local,
    linear-gradient(to left, #fff 40%, rgba(255,255,255,0)) right / 2rem 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(0,0,0,0.3), rgba(0,0,0,0)) left / 0.8rem 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,0.3), rgba(0,0,0,0)) right / 0.8rem 100% no-repeat scroll #fff; }
/* A wide table takes the window's width less 1rem each side: it starts at the text column when it
   fits there, is centred on the window when wider, and scrolls when wider still. */
.table-scroll.wide { --gap: max(0px, 50vw - 1rem - var(--column) / 2); display: flex; max-width: none; margin-inline: calc(-1 * var(--gap)); }
.table-scroll.wide::before, .table-scroll.wide::after { content: ""; flex: 0 1 var(--gap); }
.table-scroll.wide::after { flex-grow: 1; }
.table-scroll.wide > table { flex: none; max-width: 100%; }
/* Row labels stay in view while a table scrolls sideways. Each but the last has a set width, the
   offset of the next (a word too long for it breaks); the last keeps its text on one line. */
.label { --label-width: 10em; position: sticky; left: calc(var(--i) * var(--label-width)); z-index: 1; background: #fff; white-space: nowrap; }
th.label[scope="col"] { background: #f6f6f6; } th[scope="row"] { font-weight: normal; background: #fff; }
.label:has(+ .label) { box-sizing: border-box; width: var(--label-width); min-width: var(--label-width); max-width: var(--label-width); white-space: normal; overflow-wrap: break-word; }
.label:not(:has(+ .label)) { border-right: 1px solid #ddd; }
/* On a phone the labels in view are narrower, the last one wrapping too, to leave room for the
   data beside them (at 7.5em, and the last on one line, they took all but a few pixels). */
@media (max-width: 600px) {
  .label { --label-width: 5.5em; left: calc(var(--j, var(--i)) * var(--label-width)); }
  .label.phone-scrolls { position: static; }
  .label:not(:has(+ .label)) { white-space: normal; box-sizing: border-box; width: 7.5em; min-width: 7.5em; max-width: 7.5em; }
}
/* A table taller than the window scrolls within its box, its header row in view. */
.table-scroll { max-height: 85vh; overflow-y: auto; }
thead th { position: sticky; top: 0; z-index: 2; }
thead th.label { z-index: 3; }
.skip { position: absolute; left: -100vw; } .skip:focus { position: static; }
figure { margin: 1rem 0 2rem; } figcaption { font-size: 0.85rem; color: #555; max-width: 70ch; }
/* A chart grows with the column up to 1.4 times its drawn width (--w, set once drawn); below that
   width it scrolls. Its box paints the white, so that the scroll shadows show. */
.chart > svg { width: clamp(var(--w), 100%, 1.4 * var(--w)); height: auto; background: none !important; }
/* High contrast (forced colours): a chart keeps its own colours on white, or its dark text would
   be drawn on the black the browser forces. */
@media (forced-colors: active) { .chart { forced-color-adjust: none; background: #fff; } }
.chart img { max-width: 100%; height: auto; object-fit: contain; }
pre, code { overflow-wrap: anywhere; }
.chart-error { color: #b00020; white-space: pre-wrap; }
.vg-tip { position: fixed; display: none; z-index: 10; pointer-events: none; background: rgba(255,255,255,0.96); max-width: calc(100vw - 1rem); box-sizing: border-box;
  border: 1px solid #999; border-radius: 3px; padding: 0.25rem 0.45rem; font-size: 0.78rem; box-shadow: 0 1px 4px rgba(0,0,0,0.2); }
.vg-tip table { margin: 0; } .vg-tip td { border: none; padding: 0 0.3rem; } .vg-tip td.key { color: #666; }
`;

/** After the page's own CSS, so that print wins over any screen rule of the same weight. */
const PRINT_CSS = `
@page { margin: 15mm; }
@media print {
  /* Nothing wider than the paper, or the browser shrinks every page to fit it. */
  body { margin: 0; max-width: none; font-size: 10pt; }
  nav, .no-print { display: none; }
  figure, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .table-scroll, .chart { overflow: visible; background: none; max-height: none; }
  thead th { position: static; }
  summary { break-after: avoid; list-style: none; }
  summary::-webkit-details-marker { display: none; }
  .table-scroll.wide { display: block; margin-inline: 0; }
  .table-scroll.wide::before, .table-scroll.wide::after { content: none; }
  .label { position: static; }
  table { font-size: 7pt; }
  /* Cells wrap only where text may break (a space, a hyphen), never inside a number or a word. */
  th, td { padding: 1pt 3pt; }
  td.num { white-space: normal; }
  pre { white-space: pre-wrap; overflow: visible; }
  /* Figures at the full text width, none taller than a page. */
  .chart > svg, .chart img { width: 100%; max-height: 22cm; }
}
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
    var entries = typeof value === 'object' ? Object.keys(value).map(function (k) { return [k, value[k]]; }) : [[null, value]];
    entries.forEach(function (e) {
      var tr = document.createElement('tr');
      // A tooltip that is one text (no fields) takes the whole row: no empty key beside it.
      if (e[0] === null) { var text = document.createElement('td'); text.colSpan = 2; text.textContent = String(e[1]); tr.appendChild(text); table.appendChild(tr); return; }
      var key = document.createElement('td'); key.className = 'key'; key.textContent = e[0];
      // A value the data lack: Vega-Lite writes one it was asked to format as the text "null" (or "NaN").
      var missing = e[1] === null || e[1] === undefined || e[1] === 'null' || e[1] === 'NaN';
      var val = document.createElement('td'); val.textContent = missing ? 'n/a' : String(e[1]);
      tr.appendChild(key); tr.appendChild(val); table.appendChild(tr);
    });
    tip.appendChild(table);
    tip.style.display = 'block';
    // Beside the pointer, on the side with room, and always inside the window.
    var r = tip.getBoundingClientRect(), w = document.documentElement.clientWidth, h = document.documentElement.clientHeight;
    var x = event.clientX + 14, y = event.clientY + 14;
    if (x + r.width > w) x = event.clientX - r.width - 14;
    if (y + r.height > h) y = event.clientY - r.height - 14;
    tip.style.left = Math.max(0, Math.min(x, w - r.width)) + 'px';
    tip.style.top = Math.max(0, Math.min(y, h - r.height)) + 'px';
  }
  // A link to an element in a closed details (a table) opens it.
  function reveal() {
    var id = location.hash.slice(1);
    try { id = decodeURIComponent(id); } catch (err) { /* not percent-encoded: the id as written */ }
    var target = id && document.getElementById(id);
    var opened = false;
    for (var d = target; d; d = d.parentElement) if (d.tagName === 'DETAILS' && !d.open) { d.open = true; opened = true; }
    if (opened) target.scrollIntoView();
  }
  reveal();
  window.addEventListener('hashchange', reveal);
  // A printed page (or one saved as PDF) shows every table: closed details would hide them. Those
  // marked data-print="closed" (a manifest's JSON, pages of it) stay as they are.
  var reopen = [];
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details:not([open]):not([data-print="closed"])').forEach(function (d) { d.open = true; reopen.push(d); });
  });
  window.addEventListener('afterprint', function () {
    reopen.forEach(function (d) { d.open = false; });
    reopen = [];
  });
  specs.forEach(function (chart) {
    var el = document.getElementById(chart.id);
    // The container keeps the role and label of the page's markup, which Vega replaces.
    var role = el.getAttribute('role'), label = el.getAttribute('aria-label');
    try {
      var view = new vega.View(vega.parse(chart.spec), { renderer: 'svg', hover: true });
      view.tooltip(show).initialize(el);
      // A tap (a phone has no hover) shows the item's tooltip; a tap elsewhere hides it.
      view.addEventListener('click', function (event, item) { show(null, event, item, item && item.tooltip); });
      if (role) el.setAttribute('role', role);
      if (label) el.setAttribute('aria-label', label);
      view.runAsync().then(function () {
        var svg = el.querySelector('svg');
        el.style.setProperty('--w', svg.getAttribute('width') + 'px');
        // One image to a screen reader, named by the container: Vega's own ARIA marks (every
        // axis label and mark, halos' copies of text too) would read as hundreds of items, and
        // its (empty) form of bindings as a form.
        Array.prototype.forEach.call(el.children, function (child) { child.setAttribute('aria-hidden', 'true'); });
      }).catch(function (err) { fail(el, err); });
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
    `<style>${BASE_CSS}${options.css ?? ''}${PRINT_CSS}</style>`,
    '</head>',
    '<body>',
    '<a class="skip" href="#main">Skip to the report</a>',
    '<main id="main">',
    options.body,
    '</main>',
    `<script type="application/json" id="vega-specs">${jsonSafe(charts)}</script>`,
    `<script>${scriptSafe(vegaScript())}</script>`,
    `<script>${EMBED}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
