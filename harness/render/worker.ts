/** The render pool's worker (see pool.ts). */
import { compileVegaLite, drawFigure, warmUpRendering, type Drawings, type VegaLiteSpec, type VegaSpec } from './vega.js';

export type RenderTask = { kind: 'warm-up' } | { kind: 'figure'; spec: VegaLiteSpec; pngScale: number; title?: string };

export interface FigureDrawings extends Drawings {
  /** The Vega spec the Vega-Lite spec compiles to (what an interactive page embeds). */
  vega: VegaSpec;
}

export default async function render(task: RenderTask): Promise<FigureDrawings | null> {
  if (task.kind === 'warm-up') {
    await warmUpRendering();
    return null;
  }
  const vega = compileVegaLite(task.spec);
  return { vega, ...(await drawFigure(vega, { pngScale: task.pngScale, title: task.title })) };
}
