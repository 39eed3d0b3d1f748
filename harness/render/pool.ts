/**
 * Figure drawing in worker threads: each task compiles one Vega-Lite spec and draws it as SVG,
 * PNG and PDF, so figures are drawn on several cores while the main thread stays free. A figure's
 * bytes depend only on its request, never on the thread that drew it, so figures drawn before
 * come from the cache (cache.ts) instead; workers start only when something must be drawn.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Json } from '../experiment.js';
import { compiledModulePath } from '../pool/compile.js';
import { FigureCache } from './cache.js';
import type { VegaLiteSpec } from './vega.js';
import type { FigureDrawings, RenderTask } from './worker.js';

const workerFile = new URL('./worker.ts', import.meta.url);

/**
 * Each drawing thread holds its own Vega, Skia canvases and V8 heap (about 150 MB more peak
 * memory per thread on the paper report), and a report has tens of figures, not hundreds: more
 * threads than this add memory and start-up faster than they save time.
 */
const MAX_THREADS = 4;

export interface FigureRequest {
  spec: VegaLiteSpec;
  /** PNG pixels per SVG unit. */
  pngScale: number;
  /** The PDF's title. */
  title?: string;
}

export interface RenderPoolOptions {
  threads?: number;
  /** Folder of the figure cache; null for none (HARNESS_RENDER_CACHE=off turns it off everywhere). */
  cacheDir?: string | null;
}

export class RenderPool {
  private piscina: Piscina<RenderTask, FigureDrawings | null> | null = null;
  private readonly workerPath = compiledModulePath(workerFile);
  private readonly cache: FigureCache | null;
  private readonly threads: number;
  /** Figures drawn and figures taken from the cache so far. */
  readonly counts = { drawn: 0, cached: 0 };
  private expected: string | undefined;
  private readonly keys: string[] = [];

  constructor(options: RenderPoolOptions = {}) {
    this.threads = options.threads ?? Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
    this.cache = options.cacheDir === null ? null : FigureCache.open(this.workerPath, options.cacheDir);
  }

  /**
   * Starts every worker now and has it load fonts and renderers and draw a small chart, so that
   * work done meanwhile on this thread (the statistics) hides the start-up. `expected` names the
   * set of figures about to be asked for (e.g. the report of given results): when that set was
   * asked for before and is still cached, no worker starts (one starts later if a figure is
   * missing after all). Returns whether workers started, i.e. whether drawing is expected.
   */
  warmUp(expected?: string): boolean {
    this.expected = expected;
    if (expected !== undefined && this.cache?.holdsSet(expected)) return false;
    const piscina = this.workers();
    for (let i = 0; i < this.threads; i++) piscina.run({ kind: 'warm-up' }).catch(() => {});
    return true;
  }

  /** Whether any worker thread was started. */
  get started(): boolean {
    return this.piscina !== null;
  }

  /** The compiled Vega spec and the SVG, PNG and PDF of one figure. */
  async figure(request: FigureRequest): Promise<FigureDrawings> {
    const key = this.cache?.key({ spec: request.spec as unknown as Json, pngScale: request.pngScale, title: request.title });
    if (key !== undefined) this.keys.push(key);
    const cached = key === undefined ? undefined : this.cache?.get(key);
    if (cached) {
      this.counts.cached++;
      return cached;
    }
    const drawings = (await this.workers().run({ kind: 'figure', ...request })) as FigureDrawings;
    this.counts.drawn++;
    if (key !== undefined) this.cache?.put(key, drawings);
    return drawings;
  }

  /** Stops the workers, records the figures asked for (see warmUp) and trims the cache. */
  async close(): Promise<void> {
    if (this.expected !== undefined) this.cache?.recordSet(this.expected, this.keys);
    this.cache?.prune();
    await this.piscina?.destroy();
  }

  private workers(): Piscina<RenderTask, FigureDrawings | null> {
    this.piscina ??= new Piscina({
      filename: this.workerPath,
      // Plain JavaScript: not the parent's TypeScript loader, which would slow every module load.
      execArgv: [],
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: 1_000,
    });
    return this.piscina;
  }
}
