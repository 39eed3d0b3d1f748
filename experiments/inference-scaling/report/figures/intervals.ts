/**
 * The shared shape of the comparison figures: for each model (a row) a dot per selector at its
 * mean, with the 95% bootstrap interval as a line, selectors offset within the row and coloured
 * as everywhere else; panels by condition (rows or columns) and, optionally, by measure.
 */
import type { Analysis } from '../analysis.js';
import { boldFacet, modelNameAxis, rowHeaderLength, selectorColourScale, tip, withoutScaleNote, wrapped, type Obj } from './theme.js';

export interface IntervalChartOptions {
  selectors: readonly string[];
  /** Colour scale domain: every selector of the study, so colours match the other figures. */
  allSelectors: readonly string[];
  models: readonly string[];
  conditions: readonly string[];
  xTitle: string | null;
  format: string;
  width: number;
  /** Height of one model's band. */
  step: number;
  /**
   * Facet the conditions as columns (three to a row) or rows; `measure-columns` puts the
   * conditions in rows and the measures in columns, each column with its own x scale, shared by
   * its rows.
   */
  layout: 'columns' | 'rows' | 'measure-columns';
  measures?: readonly string[];
  /** Per measure (measure-columns), x scale properties beyond `xScale`, e.g. a fixed domain. */
  measureScales?: Readonly<Record<string, Obj>>;
  /** Per measure (measure-columns), the tooltip's number format where it is not `format`. */
  measureFormats?: Readonly<Record<string, string>>;
  /** Extra tooltip fields. */
  tooltip?: Obj[];
  /** Layers drawn beneath the dots (reference lines); they see the same rows. */
  under?: Obj[];
  xScale?: Obj;
  /** Properties of the x axis (e.g. tick values). */
  xAxis?: Obj;
  /** Share the x scale between panels (same unit and range everywhere). */
  sharedX?: boolean;
  /**
   * The fields that place a dot and its line, when they differ from the values the tooltip
   * gives (`mean`, `lo`, `hi`): e.g. values clipped to the axis's end.
   */
  at?: { mean: string; lo: string; hi: string };
  /** The dots' shape encoding (default: circles). */
  shape?: Obj;
  /** A Vega expression: the rows whose dot is drawn hollow (a white centre in its colour's ring). */
  hollow?: string;
}

/**
 * What a caption says where no row has a 95% bootstrap interval to draw: none has fewer than two
 * seeds to resample (every one, in a study of one seed).
 */
export const NO_INTERVAL = 'no interval: fewer than two seeds to resample';

/**
 * Whether rows with a mean to draw have no interval (from `lo` to `hi`) among them, so that a
 * caption says NO_INTERVAL instead of describing one.
 */
export function lacksIntervals(rows: readonly Obj[]): boolean {
  return rows.some((r) => typeof r['mean'] === 'number') && !rows.some((r) => typeof r['lo'] === 'number' && typeof r['hi'] === 'number');
}

/** The study's rows (models), panels (conditions) and colours, showing `selectors` (default: all). */
export function intervalAxes(a: Analysis, selectors: readonly string[] = a.data.selectors): Pick<IntervalChartOptions, 'selectors' | 'allSelectors' | 'models' | 'conditions'> {
  return { selectors, allSelectors: a.data.selectors, models: a.data.models.map((m) => m.label), conditions: a.data.conditions.map((c) => c.label) };
}

export function intervalChart(o: IntervalChartOptions): Obj {
  const conditionHeader = boldFacet('condition', o.conditions);
  if (o.layout === 'measure-columns') {
    // One row-faceted chart per measure, side by side: a facet over measures could only share
    // one x scale between all measures or give every panel its own, and panels of one measure
    // on different scales (one running to 12%, the next to 100%) mislead.
    return {
      hconcat: (o.measures ?? []).map((measure, i) => ({
        transform: [{ filter: { field: 'measure', equal: measure } }],
        facet: { row: i === 0 ? conditionHeader : { ...conditionHeader, header: null }, column: { field: 'measure', type: 'nominal', title: null } },
        spec: panel(o, { ...xScaleOf(o), ...o.measureScales?.[measure] }, i === 0, measure),
      })),
      spacing: 8,
    };
  }
  const resolve = { scale: { x: o.sharedX ? 'shared' : 'independent' } };
  return {
    ...(o.layout === 'columns' ? wrapped(conditionHeader, o.conditions.length, resolve) : { facet: { row: conditionHeader }, resolve }),
    spec: panel(o, xScaleOf(o), true),
  };
}

/** Room beyond the outermost values for a whole dot: a dot at the domain's end is cut in half. */
const DOT_PADDING = 4;

function xScaleOf(o: IntervalChartOptions): Obj {
  return { padding: DOT_PADDING, ...(o.xScale ?? { zero: false }) };
}

/**
 * One panel: per model a band, per selector a dot and its interval; model names when `labelled`.
 * A measure's panel names its measure, unit and all, where its tooltip gives the mean.
 */
function panel(o: IntervalChartOptions, scale: Obj, labelled: boolean, measure?: string): Obj {
  const y = { field: 'model', type: 'nominal', sort: [...o.models], title: null, axis: labelled ? { labelLimit: 110, ticks: false, domain: false, ...modelNameAxis(o.models) } : null };
  const yOffset = { field: 'selector', type: 'nominal', sort: [...o.selectors], scale: { paddingInner: 0.1 } };
  const color = { field: 'selector', type: 'nominal', sort: [...o.selectors], scale: selectorColourScale(o.allSelectors, o.selectors), title: 'selector' };
  const at = o.at ?? { mean: 'mean', lo: 'lo', hi: 'hi' };
  const x = { field: at.mean, type: 'quantitative', title: o.xTitle, scale, ...(o.xAxis ? { axis: o.xAxis } : {}) };
  const format = (measure && o.measureFormats?.[measure]) || o.format;
  const named = measure ?? (o.xTitle ? withoutScaleNote(o.xTitle) : null);
  const extra = (o.tooltip ?? []).filter((t) => !(measure && t['field'] === 'measure'));
  const tooltip = [tip('condition', 'condition'), tip('model', 'model'), tip('selector', 'selector'), tip('mean', named ? `mean ${named}` : 'mean', format), tip('lo', '95% low', format), tip('hi', '95% high', format), ...extra];
  return {
    width: o.width,
    // Conditions in rows have their names written along the rows.
    height: Math.max(o.step * o.models.length, o.layout === 'columns' ? 0 : rowHeaderLength(o.conditions)),
    layer: [
      ...(o.under ?? []),
      {
        transform: [{ filter: `isValid(datum['${at.lo}']) && isValid(datum['${at.hi}'])` }],
        mark: { type: 'rule', strokeWidth: 1.1 },
        encoding: { y, yOffset, x: { field: at.lo, type: 'quantitative' }, x2: { field: at.hi }, color },
      },
      ...dotLayers(o.hollow).map(({ only, mark }) => ({
        transform: [{ filter: `isValid(datum['${at.mean}'])${only}` }],
        mark,
        encoding: { y, yOffset, x, color, tooltip, ...(o.shape ? { shape: o.shape } : {}) },
      })),
    ],
  };
}

/** The dots' marks, filled, and hollow for the rows `hollow` picks out: a white centre inside a ring of the dot's size. */
function dotLayers(hollow: string | undefined): { only: string; mark: Obj }[] {
  const filled = { type: 'point', filled: true, size: 16, strokeWidth: 0 };
  if (!hollow) return [{ only: '', mark: filled }];
  return [
    { only: ` && !(${hollow})`, mark: filled },
    { only: ` && (${hollow})`, mark: { type: 'point', filled: false, fill: 'white', fillOpacity: 1, size: 12, strokeWidth: 1.1 } },
  ];
}
