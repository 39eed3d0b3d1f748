/**
 * A drawing thread: on start it loads fonts and renderers and draws a small chart; then it takes
 * the figure tasks in the order they arrive and lays them out one at a time (Vega's SVG ids are
 * per thread, so two layouts never interleave). Every drawing thread receives every task; the
 * one that claims a task's flag first draws it, the others skip it. A figure's recorded drawing
 * goes to this thread's painting thread, and the next figure is laid out while it is painted.
 */
import type { MessagePort } from 'node:worker_threads';
import { startPainter } from './painter.js';
import { errorReply } from './replies.js';
import { compileVegaLite, layOutFigure, warmUpRendering } from './vega.js';
import type { FigureTask, TaskResult } from './worker.js';

export function serveDrawing(port: MessagePort, entry: string): void {
  const painter = startPainter(entry);
  const queue: FigureTask[] = [];
  let busy: Promise<void> = warmUpRendering(painter.paint);
  let draining = false;

  const drain = async (): Promise<void> => {
    draining = true;
    await busy;
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
      if (Atomics.compareExchange(task.claim, 0, 0, 1) !== 0) continue; // another thread has it
      const { id } = task;
      try {
        // A spec that warns is refused, its first warning the reason (RenderPool.figure).
        const warnings: string[] = [];
        const vega = compileVegaLite(task.spec, warnings);
        const { svg, painted } = await layOutFigure(vega, { pngScale: task.pngScale, title: task.title }, painter.paint, warnings);
        painted.then(
          (paintings) => port.postMessage({ id, value: { vega, svg, ...paintings } } satisfies TaskResult),
          (error: unknown) => port.postMessage(errorReply(id, error)),
        );
      } catch (error) {
        port.postMessage(errorReply(id, error));
      }
    }
    draining = false;
  };

  port.on('message', (task: FigureTask) => {
    queue.push(task);
    if (!draining) busy = drain();
  });
}
