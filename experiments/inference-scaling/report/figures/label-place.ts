/**
 * Where a budget line's label goes in a panel: at either end of the line, above or below it,
 * wherever it meets nothing drawn. The panel's geometry is computed as Vega lays it out (a
 * continuous scale's padding widens its domain so that the values fill the range less the
 * padding at either end), in points, y down.
 */

/** At which end of the dashed line the label lies, and on which side of it. */
export type BudgetLabelPlace = 'above-right' | 'below-right' | 'above-left' | 'below-left';

/** The places in the order preferred when several are clear. */
export const LABEL_PLACES: readonly BudgetLabelPlace[] = ['above-right', 'below-right', 'above-left', 'below-left'];

/** The label's gap to the panel's edge (dx) and to the line (dy), as the text mark draws it. */
export const LABEL_GAP = { dx: 2, dy: 2.5 } as const;

/** DejaVu Sans from its descender to its ascender, in ems: a label's height at its font size. */
const LINE_HEIGHT_EM = 1.17;

export interface Disc {
  x: number;
  y: number;
  r: number;
}

/** What a label should not cover: polylines (a curve, a budget line), discs (points, and rings with what they enclose) and texts placed before it (their boxes). */
export interface Obstacles {
  lines: readonly (readonly (readonly [number, number])[])[];
  discs: readonly Disc[];
  boxes?: readonly Box[];
}

export interface LabelBox {
  width: number;
  fontSize: number;
  /** Clearance around the text: its halo. */
  margin: number;
}

export interface ScaleShape {
  /** Map the domain onto [size, 0], as for y. */
  reversed?: boolean;
  /** A log scale's padded domain widened to whole decades, as Vega's `nice` (a log scale's default) does. */
  decades?: boolean;
}

/**
 * The domain Vega gives a continuous scale of range `size` points over `values` (their extent)
 * with `padding` points at either end: the extent widened so that it fills the range less the
 * padding, then, with `decades`, out to powers of ten. Log scales widen in log space.
 */
export function paddedDomain(type: 'linear' | 'log', values: readonly number[], size: number, padding: number, { decades = false }: ScaleShape = {}): [number, number] {
  const [t, inverse] = type === 'log' ? [Math.log, Math.exp] : [(v: number) => v, (v: number) => v];
  const ts = values.filter((v) => Number.isFinite(v) && (type === 'linear' || v > 0)).map(t);
  const [lo, hi] = [Math.min(...ts), Math.max(...ts)];
  const widen = ((hi - lo) * padding) / (size - 2 * padding);
  const domain: [number, number] = [inverse(lo - widen), inverse(hi + widen)];
  if (!decades) return domain;
  if (type !== 'log') throw new RangeError('paddedDomain: only a log scale widens to decades');
  return decadesAround(...domain);
}

/** The powers of ten just around `lo` and `hi` (both > 0), a decade apart at least. */
export function decadesAround(lo: number, hi: number): [number, number] {
  const [from, to] = [Math.floor(Math.log10(lo)), Math.ceil(Math.log10(hi))];
  // Exact powers, as d3 writes them (10 ** -5 is not 1e-5 in floating point).
  return [Number(`1e${from}`), Number(`1e${Math.max(to, from + 1)}`)];
}

/** Vega's map from values to points along that scale's range [0, size] ([size, 0] when `reversed`). */
export function paddedScale(type: 'linear' | 'log', values: readonly number[], size: number, padding: number, shape: ScaleShape = {}): (value: number) => number {
  const t = type === 'log' ? Math.log : (v: number) => v;
  const [lo, hi] = paddedDomain(type, values, size, padding, shape).map(t) as [number, number];
  return (value) => {
    const along = hi > lo ? ((t(value) - lo) / (hi - lo)) * size : size / 2;
    return shape.reversed ? size - along : along;
  };
}

/** Where a label goes, and how many things it covers there (0: none, the label needs no halo). */
export interface LabelPlacement {
  place: BudgetLabelPlace;
  covers: number;
}

/**
 * The first place in LABEL_PLACES where the label, drawn at `lineY` in a panel `width` x `height`,
 * covers nothing in `obstacles` and stays inside the panel; where every place covers something,
 * the one that covers the fewest.
 */
export function budgetLabelPlace(width: number, height: number, lineY: number, label: LabelBox, obstacles: Obstacles): LabelPlacement {
  let best: LabelPlacement | null = null;
  for (const place of LABEL_PLACES) {
    const covers = coveredBy(labelBox(place, width, lineY, label), height, obstacles);
    if (covers === 0) return { place, covers };
    if (!best || covers < best.covers) best = { place, covers };
  }
  return best!;
}

/** A text's box in the panel, its halo included, y down. */
export interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** The box of a label at `place` by a line at `lineY` (budgetLabelPlace's), its halo included. */
export function labelBox(place: BudgetLabelPlace, panelWidth: number, lineY: number, label: LabelBox): Box {
  const height = label.fontSize * LINE_HEIGHT_EM;
  const [x0, x1] = place.endsWith('left') ? [LABEL_GAP.dx, LABEL_GAP.dx + label.width] : [panelWidth - LABEL_GAP.dx - label.width, panelWidth - LABEL_GAP.dx];
  const [y0, y1] = place.startsWith('above') ? [lineY - LABEL_GAP.dy - height, lineY - LABEL_GAP.dy] : [lineY + LABEL_GAP.dy, lineY + LABEL_GAP.dy + height];
  const m = label.margin;
  return { x0: x0 - m, x1: x1 + m, y0: y0 - m, y1: y1 + m };
}

/** How many things the box covers; a box reaching out of the panel covers more than any place inside. */
function coveredBy(box: Box, panelHeight: number, obstacles: Obstacles): number {
  return (box.y0 < 0 || box.y1 > panelHeight ? 1000 : 0) + coverCount(box, obstacles);
}

/** How many of the obstacles the box covers: each stretch of a line it meets, each disc it reaches. */
export function coverCount(box: Box, { lines, discs, boxes = [] }: Obstacles): number {
  let covered = 0;
  for (const line of lines) for (let i = 1; i < line.length; i++) if (segmentMeetsBox(line[i - 1]!, line[i]!, box)) covered++;
  for (const disc of discs) if (distanceToBox(disc, box) <= disc.r) covered++;
  for (const other of boxes) if (other.x0 < box.x1 && box.x0 < other.x1 && other.y0 < box.y1 && box.y0 < other.y1) covered++;
  return covered;
}

/** The box of a one-line text whose top left corner is at (x, y), its halo (`margin`) included. */
export function textBoxAt(x: number, y: number, label: LabelBox): Box {
  const m = label.margin;
  return { x0: x - m, x1: x + label.width + m, y0: y - m, y1: y + label.fontSize * LINE_HEIGHT_EM + m };
}

function distanceToBox({ x, y }: Disc, box: Box): number {
  const dx = Math.max(box.x0 - x, 0, x - box.x1);
  const dy = Math.max(box.y0 - y, 0, y - box.y1);
  return Math.hypot(dx, dy);
}

/** Whether the segment from a to b crosses or lies in the box (Liang-Barsky clipping). */
function segmentMeetsBox([ax, ay]: readonly [number, number], [bx, by]: readonly [number, number], box: Box): boolean {
  let [t0, t1] = [0, 1];
  const [dx, dy] = [bx - ax, by - ay];
  const edges: [number, number][] = [
    [-dx, ax - box.x0],
    [dx, box.x1 - ax],
    [-dy, ay - box.y0],
    [dy, box.y1 - ay],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
  }
  return true;
}
