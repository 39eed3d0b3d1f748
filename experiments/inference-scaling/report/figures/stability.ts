/**
 * How stable each selector's k* is across seeds: every seed's pick (circle area = number of
 * seeds at that k*), and a summary of the share of seeds at the most frequent k*.
 */
import { countOf } from '../../../../harness/text.js';
import type { Analysis } from '../analysis.js';
import { curveKey } from '../data.js';
import { fmt, round } from '../format.js';
import { textWidthUpperBound } from '../../../../harness/render/text-width.js';
import { AXIS, boldFacet, logKDomain, CONDITIONS_PER_ROW, FACET_SPACING, modelNameAxis, rowHeaderLength, rowsFigure, selectorColourScale, TEXT_WIDTH, tip, TOOLTIP_FORMAT, withEveryFacetCell, wrapped, type Figure, type Obj } from './theme.js';

/** Area of the circle for a k* chosen in every seed, in square points. */
const LARGEST_CIRCLE = 90;
/** Room at both ends of the k axis for that circle's radius, so a circle at the smallest or the largest k stays inside the frame. */
const STABILITY_PADDING = Math.ceil(Math.sqrt(LARGEST_CIRCLE / Math.PI)) + 1;
/** Widest a selector's column is drawn, and the points between two columns. */
const COLUMN_WIDTH = 41;
const COLUMN_SPACING = 4;
/** Points that the model names and scenario headers take beside the columns (the paper's models). */
const BESIDE_COLUMNS = 125;
/** The columns of every selector within the text width (nine of 37 points for the paper's). */
function columnWidth(selectors: number): number {
  return Math.min(COLUMN_WIDTH, Math.floor((TEXT_WIDTH - BESIDE_COLUMNS) / Math.max(1, selectors)) - COLUMN_SPACING);
}
const NAME_IN_TWO_LINES = "length(datum.label) > 8 && indexof(datum.label, '-') > 0 ? [slice(datum.label, 0, indexof(datum.label, '-') + 1), slice(datum.label, indexof(datum.label, '-') + 1)] : datum.label";
/** Width of a condition's panel in the summary. */
const SUMMARY_PANEL_WIDTH = 92;

/**
 * The selectors whose k* repeats least across seeds (the lowest share of seeds at the most frequent
 * k*, mean over their cells), as the subtitle names them; '' for fewer than two selectors with
 * picks, or when all repeat alike.
 */
function leastStable(a: Analysis): string {
  const shares = a.data.selectors.flatMap((selector) => {
    const cells = a.cells.filter((c) => c.selector === selector && c.spread.modeShare !== null);
    return cells.length ? [{ selector, share: cells.reduce((sum, c) => sum + c.spread.modeShare!, 0) / cells.length }] : [];
  });
  const lowest = Math.min(...shares.map((s) => s.share));
  // Named only where some selector repeats its k* more often: not when all do alike (each always, say).
  if (shares.length < 2 || lowest >= Math.max(...shares.map((s) => s.share))) return '';
  const least = shares.filter((s) => s.share === lowest).map((s) => s.selector);
  return `; ${least.join(' and ')} scatter${least.length === 1 ? 's' : ''} most (on average ${fmt.share(lowest)} of seeds at ${least.length === 1 ? 'its' : 'their'} most frequent k*)`;
}

export function stabilityFigure(a: Analysis): Figure {
  const rows: Obj[] = [];
  for (const condition of a.data.conditions) {
    for (const model of a.data.models) {
      for (const selector of a.data.selectors) {
        const counts = new Map<number, number>();
        let picked = 0;
        for (const p of a.index.cell(condition.id, model.id, selector)) {
          if (p.kStar === null) continue;
          counts.set(p.kStar, (counts.get(p.kStar) ?? 0) + 1);
          picked++;
        }
        const cell = a.cell(condition.id, model.id, selector);
        // Of the seeds with a pick, as the tables' k* mode share (K_SPREAD_DEFINITION).
        for (const [k, n] of [...counts].sort((x, y) => x[0] - y[0])) {
          rows.push({ condition: condition.label, model: model.label, selector, k, seeds: n, share: round(n / picked), iqr: round(cell?.spread.iqr ?? null) });
        }
      }
    }
  }
  const conditions = a.data.conditions.map((c) => c.label);
  const models = a.data.models.map((m) => m.label);
  // A selector with no pick in some condition still gets its (empty) cell there, under its header.
  const cells = withEveryFacetCell(rows, { field: 'condition', values: conditions }, { field: 'selector', values: a.data.selectors }, { model: models[0] });
  // k on a log axis, as in picks: most picks lie at 4 to 16 of 128, where a linear axis drew
  // the circles of different k* over one another. It runs from the smallest pick to the largest
  // candidate, ticked at its ends alone: left to itself, the padding for the circles makes Vega
  // tick it past the largest k, and a panel a ninth of the text wide has no room for a middle label.
  const kMax = rows.reduce((max, r) => Math.max(max, r.k as number), largestCandidate(a));
  const kMin = rows.reduce((min, r) => Math.min(min, r.k as number), kMax);
  const kDomain = logKDomain(kMin, kMax);
  const seeds = Math.max(1, a.data.replicates.length);
  const legendValues = [...new Set([1, Math.ceil(seeds / 4), Math.ceil(seeds / 2), seeds])];
  const title = 'Stability of k* across seeds';
  const subtitle = [`Each circle: a k* chosen in some of the ${countOf(seeds, 'seed')} (area: how many). A stable selector shows one large circle per model${leastStable(a)}.`];
  return rowsFigure({
    name: 'stability',
    title,
    subtitle,
    rows: cells,
    body: {
      facet: {
        row: boldFacet('condition', conditions),
        // A long name in two lines, after its first hyphen, so that it does not run into its neighbours'.
        column: { field: 'selector', type: 'nominal', sort: [...a.data.selectors], title: null, header: { labelFontSize: 7, labelAngle: 0, labelExpr: NAME_IN_TWO_LINES } },
      },
      spec: {
        width: columnWidth(a.data.selectors.length),
        height: Math.max(9 * models.length, rowHeaderLength(conditions)),
        mark: { type: 'circle', ...CIRCLE_OUTLINE },
        encoding: {
          y: { field: 'model', type: 'nominal', sort: models, title: null, axis: { labelLimit: 110, ticks: false, domain: false, labelFontSize: 7, ...modelNameAxis(models, 7) } },
          x: {
            field: 'k',
            type: 'quantitative',
            title: 'k* (log)',
            scale: { type: 'log', base: 2, domain: kDomain, nice: false, padding: STABILITY_PADDING },
            axis: { values: [...new Set([kMin, kMax])], format: 'd', labelFontSize: 7 },
          },
          size: { field: 'seeds', type: 'quantitative', title: 'seeds', scale: { domain: [1, seeds], range: [3, LARGEST_CIRCLE] }, legend: { values: legendValues, format: 'd', ...CIRCLE_OUTLINE_IN_LEGEND } },
          color: { field: 'selector', type: 'nominal', scale: selectorColourScale(a.data.selectors), legend: null },
          // Opaque circles, the largest drawn first: a k* of a few seeds stays in sight over one of many.
          order: { field: 'seeds', type: 'quantitative', sort: 'descending' },
          tooltip: [tip('condition', 'condition'), tip('model', 'model'), tip('selector', 'selector'), tip('k', 'k*', 'd'), tip('seeds', 'seeds', 'd'), tip('share', 'share of the seeds with a pick', TOOLTIP_FORMAT.share), tip('iqr', 'IQR of k*', TOOLTIP_FORMAT.k)],
        },
      },
      spacing: { column: COLUMN_SPACING, row: 8 },
    },
  });
}

/** The circles' thin white outline, which keeps overlapping circles apart. */
const CIRCLE_OUTLINE = { stroke: 'white', strokeWidth: 0.3 };
/**
 * The size legend's circles outlined as the marks are: with the legend's own outline (1.5 wide),
 * each looked smaller than the circles it stands for, and that of one seed vanished. Their colour
 * is the mark's (a `symbolStrokeColor` would make Vega-Lite drop it).
 */
const CIRCLE_OUTLINE_IN_LEGEND = { symbolStrokeWidth: CIRCLE_OUTLINE.strokeWidth };

/** The largest k of the curves of the conditions drawn (at least 1): a variant not drawn may reach further. */
function largestCandidate(a: Analysis): number {
  let max = 1;
  for (const condition of a.data.conditions) {
    for (const model of a.data.models) for (const p of a.data.curves.get(curveKey(condition.id, model.id)) ?? []) max = Math.max(max, p.k);
  }
  return max;
}

/** Room past 100% on the summary's share axis: a bar or line that reaches 100% ends inside the frame, not on it. */
const SHARE_ROOM = 0.04;
/** The share axis's labels; the last lies inside its panel's end, so the panels stand far enough apart for it and the next panel's first. */
const SHARE_TICKS = [0, 0.5, 1];
const SHARE_SPACING = Math.max(FACET_SPACING, Math.ceil((textWidthUpperBound('100%', AXIS.labelFontSize) + textWidthUpperBound('0%', AXIS.labelFontSize)) / 2) + 4);

export function stabilitySummaryFigure(a: Analysis): Figure {
  const rows: Obj[] = [];
  for (const condition of a.data.conditions) {
    for (const selector of a.data.selectors) {
      const cells = a.data.models.map((m) => a.cell(condition.id, m.id, selector)).filter((c) => c !== undefined && c.spread.modeShare !== null);
      if (cells.length === 0) continue;
      const shares = cells.map((c) => c?.spread.modeShare as number);
      const iqrs = cells.map((c) => c?.spread.iqr as number);
      rows.push({
        condition: condition.label,
        selector,
        modeShare: round(shares.reduce((x, y) => x + y, 0) / shares.length),
        minShare: round(Math.min(...shares)),
        maxShare: round(Math.max(...shares)),
        iqr: round(iqrs.reduce((x, y) => x + y, 0) / iqrs.length),
        models: cells.length,
      });
    }
  }
  const y = { field: 'selector', type: 'nominal', sort: [...a.data.selectors], title: null, axis: { ticks: false, domain: false } };
  const title = 'How often a selector repeats its k*';
  // A line from the least to the most stable model wherever a bar is a mean over models; none in a study of one model.
  const overModels = rows.some((r) => (r.models as number) > 1);
  const bar = overModels
    ? ', mean over models (bar), with the least and most stable model (the line under the bar)'
    : ` (bar)${a.data.models.length > 1 ? ', of the one model with a pick' : ''}`;
  const subtitle = [`Share of the seeds with a pick at the most frequent k*${bar}. 100%: the same k* in every seed that picks one.`];
  // The figure's width: the selectors' names, then a panel per condition, as many to a row as fit.
  const names = Math.max(...a.data.selectors.map((s) => textWidthUpperBound(s, AXIS.labelFontSize))) + AXIS.labelPadding;
  const columns = Math.min(a.data.conditions.length, CONDITIONS_PER_ROW);
  const panels = columns * SUMMARY_PANEL_WIDTH + (columns - 1) * SHARE_SPACING;
  return rowsFigure({
    name: 'stability-summary',
    title,
    subtitle,
    subtitleWidth: names + panels,
    rows,
    body: {
      ...wrapped(boldFacet('condition', a.data.conditions.map((c) => c.label)), a.data.conditions.length),
      spacing: { column: SHARE_SPACING },
      spec: {
        width: SUMMARY_PANEL_WIDTH,
        height: 10 * a.data.selectors.length,
        layer: [
          {
            mark: { type: 'bar', height: 5, yOffset: -1.5 },
            encoding: {
              y,
              x: { field: 'modeShare', type: 'quantitative', title: 'picks at the modal k*', scale: { domain: [0, 1 + SHARE_ROOM], nice: false }, axis: { format: '.0%', values: SHARE_TICKS } },
              color: { field: 'selector', type: 'nominal', scale: selectorColourScale(a.data.selectors), legend: null },
              tooltip: [tip('condition', 'condition'), tip('selector', 'selector'), tip('modeShare', 'mean share at the most frequent k*', TOOLTIP_FORMAT.share), tip('minShare', 'least stable model', TOOLTIP_FORMAT.share), tip('maxShare', 'most stable model', TOOLTIP_FORMAT.share), tip('iqr', 'mean IQR of k*', TOOLTIP_FORMAT.k), tip('models', 'models', 'd')],
            },
          },
          // The range just under its bar, not across it, where it would vanish on a dark bar (accuracy-max-2d's is black).
          ...(overModels ? [{ mark: { type: 'rule', color: '#333333', strokeWidth: 0.8, yOffset: 2.6 }, encoding: { y, x: { field: 'minShare', type: 'quantitative' }, x2: { field: 'maxShare' } } }] : []),
        ],
      },
    },
  });
}
