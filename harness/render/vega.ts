/**
 * Vega-Lite -> Vega -> SVG without a browser.
 *
 * Vega measures text with a canvas when one exists and otherwise guesses (0.8 em per
 * character), which spaces labels and titles badly. Here text is measured with the metrics of
 * the font the figures are drawn in (see fonts.ts), through vega's documented
 * `textMetrics.width` hook, so the layout matches the PNG and PDF renderings.
 */
import PDFDocument from 'pdfkit';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { faceOf, fontFile, type FontFace } from './fonts.js';

export type VegaLiteSpec = TopLevelSpec;
export type VegaSpec = vega.Spec;

export function compileVegaLite(spec: VegaLiteSpec): VegaSpec {
  return compile(spec).spec;
}

/** Renders a Vega spec to SVG text; the same spec always gives the same bytes. */
export async function renderSvg(spec: VegaSpec): Promise<string> {
  useFontMetrics();
  // Clip-path and gradient ids count up per process; restart them so each figure is self-contained.
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return compactNumbers(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Vega writes coordinates with full double precision; a hundredth of a unit (0.01 pt) is far below
 * what any output can show, and the shorter text makes SVG, PNG and PDF conversion faster.
 */
export function compactNumbers(svg: string): string {
  return svg.replace(GEOMETRY_ATTRIBUTE, (_attribute: string, name: string, value: string) =>
    `${name}="${value.replace(/-?\d+\.\d{3,}/g, (n) => String(Number(Number(n).toFixed(2))))}"`,
  );
}

/** Attributes that hold coordinates only; text and labels are never touched. */
const GEOMETRY_ATTRIBUTE = /\b(d|transform|x|y|x1|x2|y1|y2|width|height|r|cx|cy|points)="([^"]*)"/g;

let metricsInstalled = false;

/** vega-scenegraph's text measurement hook (exported by vega, absent from its typings). */
interface TextMetrics {
  width(item: unknown, text: unknown): number;
}

function useFontMetrics(): void {
  if (metricsInstalled) return;
  const measurer = new PDFDocument({ autoFirstPage: false });
  const registered = new Set<FontFace>();
  const cache = new Map<string, number>();
  (vega as unknown as { textMetrics: TextMetrics }).textMetrics.width = (item, text) => {
    const it = (item ?? {}) as { fontSize?: number; fontWeight?: unknown; fontStyle?: unknown };
    const size = typeof it.fontSize === 'number' ? it.fontSize : 11;
    const face = faceOf(it.fontWeight, it.fontStyle);
    const str = String(text ?? '');
    const key = `${face}\u0000${size}\u0000${str}`;
    let width = cache.get(key);
    if (width === undefined) {
      if (!registered.has(face)) {
        measurer.registerFont(face, fontFile(face));
        registered.add(face);
      }
      width = measurer.font(face).fontSize(size).widthOfString(str);
      cache.set(key, width);
    }
    return width;
  };
  metricsInstalled = true;
}
