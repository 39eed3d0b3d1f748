/**
 * PNG and PDF conversion in worker threads, so they run beside the SVG rendering on the main
 * thread. The output of a conversion depends only on its input, never on the thread it ran in.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { compiledModulePath } from '../pool/compile.js';
import type { PdfOptions } from './pdf.js';
import type { PngOptions } from './png.js';
import type { RenderTask } from './worker.js';

const workerFile = new URL('./worker.ts', import.meta.url);

export class RenderPool {
  private readonly piscina: Piscina<RenderTask, Uint8Array>;

  constructor(threads = Math.max(1, availableParallelism())) {
    this.piscina = new Piscina({ filename: compiledModulePath(workerFile), minThreads: threads, maxThreads: threads, idleTimeout: 1_000 });
  }

  /** Starts every worker now (they take a moment to load), so the first conversions wait less. */
  warmUp(): void {
    const tiny = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>';
    for (let i = 0; i < this.piscina.options.maxThreads; i++) {
      this.png(tiny, { scale: 1 }).catch(() => {});
    }
  }

  png(svg: string, options: PngOptions): Promise<Uint8Array> {
    return this.piscina.run({ kind: 'png', svg, options });
  }

  pdf(svg: string, options: PdfOptions): Promise<Uint8Array> {
    return this.piscina.run({ kind: 'pdf', svg, options });
  }

  close(): Promise<void> {
    return this.piscina.destroy();
  }
}
