/**
 * Figure drawing in worker threads: each task compiles one Vega-Lite spec and draws it as SVG,
 * PNG and PDF, so figures are drawn on several cores while the main thread stays free. Each
 * drawing thread lays figures out and hands their recorded drawings to a painting thread of its
 * own for the PNG and PDF (drawing-thread.ts), so the next layout overlaps the painting. A figure's
 * bytes depend only on its request, never on the thread that drew it, so figures drawn before
 * come from the cache (cache.ts) instead; threads start only when something must be drawn.
 *
 * Scheduling needs nothing from this thread once a task is posted: every thread gets every task
 * and the first to claim its flag (an Atomics compare-and-exchange on shared memory) draws it.
 * A pool that handed tasks out here (as piscina does) would leave the threads idle whenever
 * this thread is busy, e.g. computing the statistics the later figures need.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import type { Json } from '../experiment.js';
import * as msg from '../messages.js';
import { compiledModulePath } from '../pool/compile.js';
import { FigureCache } from './cache.js';
import { FACES, fontFile } from './fonts.js';
import { Replies } from './replies.js';
import { knownFields, unknownField } from './spec-fields.js';
import { fontCoverage, mayLeaveFont, svgTextOutsideFont, type TextOutsideFont } from './font-coverage.js';
import type { VegaLiteSpec } from './vega.js';
import type { FigureDrawings, FigureTask, RenderThreadData, TaskResult } from './worker.js';

const workerFile = new URL('./worker.ts', import.meta.url);

/**
 * Each drawing thread holds its own Vega, Skia canvases and V8 heap (about 150 MB more peak
 * memory per thread on the paper report), and a report has tens of figures, not hundreds: more
 * threads than this add memory and start-up faster than they save time.
 */
const MAX_THREADS = 4;

/**
 * Drawing threads for a machine's cores (each with its painting thread): one core is left to the
 * caller, which computes meanwhile (the statistics that the later figures need). On two cores,
 * one drawing thread made the paper report faster than two (3.0 s against 3.2 s), and a second
 * one started once the statistics were done slower still (3.35 s): its start-up costs more than
 * it draws. A painting thread loads no Vega and starts in a fraction of that.
 */
export function drawingThreads(cores: number): number {
  return Math.max(1, Math.min(MAX_THREADS, cores - 1));
}

export interface FigureRequest {
  spec: VegaLiteSpec;
  /** PNG pixels per SVG unit. */
  pngScale: number;
  /** The PDF's title. */
  title?: string;
}

/**
 * A figure not drawn since its spec warns, or fails the pool's own check of it (RenderPool.figure);
 * `reason`: the warning, as the drawing thread gave it, or what the check found.
 */
export class FigureRefusedError extends Error {
  constructor(
    title: string | undefined,
    readonly reason: string,
    private readonly checked = false,
  ) {
    super();
    this.message = this.describe(title === undefined ? 'A figure without a title' : `The figure "${title}"`);
  }

  /** The message, naming the figure as `figure` (its title, or the file it came from). */
  describe(figure: string): string {
    return this.checked ? msg.figureRefused(figure, this.reason) : msg.renderFailed(figure, this.reason);
  }
}

/** A figure (by its title) whose drawn text has characters the font lacks. */
export interface FigureTextOutsideFont extends TextOutsideFont {
  title: string | undefined;
}

export interface RenderPoolOptions {
  /** Default: drawingThreads(the machine's cores). */
  threads?: number;
  /** Folder of the figure cache; null for none (HARNESS_RENDER_CACHE=off turns it off everywhere). */
  cacheDir?: string | null;
}

export class RenderPool {
  private workers: Worker[] | null = null;
  /**
   * Vega and Vega-Lite bundled in (Skia is a native addon), and no source map: the threads run
   * without source maps, and one with Vega in it would be 5.6 MB more to read at every start
   * (the paper report took 2.00 s against 2.07 s with it, median of 9 runs each).
   */
  private readonly workerPath = compiledModulePath(workerFile, { externalPackages: ['@napi-rs/canvas'], sourceMap: false });
  private readonly cache: FigureCache | null;
  private readonly threads: number;
  /** Figures drawn and figures taken from the cache so far. */
  readonly counts = { drawn: 0, cached: 0 };
  /** Figures whose drawn text has characters their font lacks. */
  readonly textOutsideFont: FigureTextOutsideFont[] = [];
  private expected: string | undefined;
  private readonly keys: string[] = [];
  /** Figures being drawn; when a thread dies, they and every later figure fail. */
  private readonly replies = new Replies<FigureDrawings>();
  private closing = false;

  constructor(options: RenderPoolOptions = {}) {
    this.threads = options.threads ?? drawingThreads(availableParallelism());
    this.cache = options.cacheDir === null ? null : FigureCache.open(this.workerPath, options.cacheDir);
  }

  /**
   * Starts every thread now (each loads fonts and renderers and draws a small chart), so that
   * work done meanwhile on this thread hides the start-up. `expected` names the set of figures
   * about to be asked for (e.g. the report of given results): when that set was asked for before
   * and is still cached, no thread starts (they start later if a figure is missing after all).
   * Returns whether threads started, i.e. whether drawing is expected.
   */
  warmUp(expected?: string): boolean {
    this.expected = expected;
    if (expected !== undefined && this.cache?.holdsSet(expected)) return false;
    this.start();
    return true;
  }

  /** Whether any thread was started. */
  get started(): boolean {
    return this.workers !== null;
  }

  /**
   * The compiled Vega spec and the SVG, PNG and PDF of one figure. A spec that Vega-Lite or Vega
   * warns about (a field no row has, a colour that is none) is not drawn: the promise rejects with
   * the warning as the reason, since the figure would show otherwise than its spec asks (an
   * empty frame, for a misspelt field). So only figures drawn as asked are cached.
   */
  async figure(request: FigureRequest): Promise<FigureDrawings> {
    // Here, not in the drawing thread, whose figures one after another bound the report.
    const field = unknownField(request.spec);
    if (field !== null) {
      const { close, listed } = knownFields(field);
      throw new FigureRefusedError(request.title, msg.fieldInNoRow(field.field, field.path, close, listed), true);
    }
    const key = this.cache?.key({ spec: request.spec as unknown as Json, pngScale: request.pngScale, title: request.title });
    if (key !== undefined) this.keys.push(key);
    let drawings = key === undefined ? undefined : this.cache?.get(key);
    if (drawings) {
      this.counts.cached++;
    } else {
      drawings = await this.draw(request).catch((thrown: unknown) => {
        throw errorMessage(thrown).startsWith(msg.WARNED) ? new FigureRefusedError(request.title, errorMessage(thrown)) : thrown;
      });
      this.counts.drawn++;
      if (key !== undefined) this.cache?.put(key, drawings);
    }
    this.checkText(request, drawings);
    return drawings;
  }

  /** Records a figure whose drawn text has characters the font lacks (see font-coverage.ts). */
  private checkText(request: FigureRequest, drawings: FigureDrawings): void {
    if (!mayLeaveFont(drawings.svg)) return;
    const outside = svgTextOutsideFont(drawings.svg, fontCoverage());
    if (outside !== null) this.textOutsideFont.push({ title: request.title, ...outside });
  }

  /** Stops the threads, records the figures asked for (see warmUp) and trims the cache. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.expected !== undefined) this.cache?.recordSet(this.expected, this.keys);
    this.cache?.prune();
    const workers = this.workers ?? [];
    await Promise.all(workers.map((w) => w.terminate()));
    this.replies.fail(new Error('the render pool is closed'));
  }

  private draw(request: FigureRequest): Promise<FigureDrawings> {
    return this.replies.ask((id) => {
      const task: FigureTask = { id, claim: new Int32Array(new SharedArrayBuffer(4)), ...request };
      for (const worker of this.start()) worker.postMessage(task);
    });
  }

  private start(): Worker[] {
    if (this.workers !== null) return this.workers;
    // Here, so that missing fonts stop the report with their own message, not a thread's failure.
    for (const face of FACES) fontFile(face);
    this.workers = Array.from({ length: this.threads }, () => {
      // Plain JavaScript: not the parent's TypeScript loader, which would slow every module load.
      const worker = new Worker(this.workerPath, { execArgv: [], workerData: { role: 'draw', entry: this.workerPath } satisfies RenderThreadData });
      worker.on('message', (result: TaskResult) => this.replies.settle(result));
      // A thread died: the figure it was drawing is lost, so every figure still waiting fails.
      worker.on('error', (error) => this.replies.fail(new Error(`a drawing thread failed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        if (!this.closing) this.replies.fail(new Error(`a drawing thread stopped (exit code ${code}) before its figures were drawn`));
      });
      return worker;
    });
    return this.workers;
  }
}
