/**
 * A drawing thread of the render pool (see pool.ts). On start it loads fonts and renderers and
 * draws a small chart; then it takes the figure tasks in the order they arrive, one at a time
 * (Vega's SVG ids are per thread, so two figures never interleave here). Every thread receives
 * every task; the one that claims a task's flag first draws it, the others skip it.
 */
import { parentPort } from 'node:worker_threads';
import { compileVegaLite, drawFigure, warmUpRendering, type Drawings, type VegaLiteSpec, type VegaSpec } from './vega.js';

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

export type TaskResult = { id: number; drawings: FigureDrawings } | { id: number; error: { message: string; stack?: string } };

async function draw(task: FigureTask): Promise<FigureDrawings> {
  const vega = compileVegaLite(task.spec);
  return { vega, ...(await drawFigure(vega, { pngScale: task.pngScale, title: task.title })) };
}

if (parentPort) {
  const port = parentPort;
  const queue: FigureTask[] = [];
  let busy: Promise<void> = warmUpRendering();
  let draining = false;

  const drain = async (): Promise<void> => {
    draining = true;
    await busy;
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
      if (Atomics.compareExchange(task.claim, 0, 0, 1) !== 0) continue; // another thread has it
      let result: TaskResult;
      try {
        result = { id: task.id, drawings: await draw(task) };
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        result = { id: task.id, error: { message: e.message, stack: e.stack } };
      }
      port.postMessage(result);
    }
    draining = false;
  };

  port.on('message', (task: FigureTask) => {
    queue.push(task);
    if (!draining) busy = drain();
  });
}
