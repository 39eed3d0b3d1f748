/**
 * The render pool's thread entry (see pool.ts), for two roles: a drawing thread lays figures out
 * and writes their SVG (drawing-thread.ts); it starts, from this same file, a painting thread
 * that paints their PNG and PDF from the recorded drawings (painter.ts). Each role loads only
 * its own modules: a painting thread never loads Vega.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Reply } from './replies.js';
import type { Drawings, VegaLiteSpec, VegaSpec } from './vega.js';

export interface FigureTask {
  id: number;
  /** One Int32 in shared memory: 0 until a thread takes the task. */
  claim: Int32Array;
  spec: VegaLiteSpec;
  pngScale: number;
  title?: string;
}

export interface FigureDrawings extends Drawings {
  /** The Vega spec the Vega-Lite spec compiles to (what an interactive page embeds). */
  vega: VegaSpec;
}

/** A drawing thread's answer to task `id`. */
export type TaskResult = Reply<FigureDrawings>;

/** workerData of a render thread. */
export interface RenderThreadData {
  role: 'draw' | 'paint';
  /** This file as compiled: what a drawing thread starts its painting thread from. */
  entry: string;
}

if (parentPort) {
  const data = workerData as RenderThreadData;
  if (data.role === 'paint') (await import('./painter.js')).servePainting(parentPort);
  else (await import('./drawing-thread.js')).serveDrawing(parentPort, data.entry);
}
