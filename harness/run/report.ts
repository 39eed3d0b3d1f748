/**
 * `harness report`: load a database's results as the experiment's ReportInput, call the
 * experiment's `report()`, and write the files it returns, each atomically (temporary file,
 * then rename), under the report folder.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { Experiment, ReportFile, ReportInput, RunRecord } from '../experiment.js';
import { canonicalJson } from '../identity.js';
import { writeFileAtomically } from '../files.js';
import { RenderPool } from '../render/pool.js';
import { InputError } from '../errors.js';
import { experimentModulePath, loadExperiment } from '../experiments.js';
import * as msg from '../messages.js';
import { loadReportInput } from '../store/reader.js';
import { listRuns } from '../store/runs.js';
import { Store } from '../store/store.js';

export interface ReportOptions {
  dbPath: string;
  /** Report folder (default: reports/<study>). */
  outDir: (study: string) => string;
  /** Experiment module to use instead of the one recorded in the database. */
  experimentPath?: string;
  progress?: ReportInput['progress'];
  log?: (line: string) => void;
  /** Messages show paths relative to this folder. */
  cwd?: string;
  /** The JavaScript heap's use and limit (default: this process's, from V8); see heapNote. */
  heap?: () => HeapUse;
}

export interface HeapUse {
  used_heap_size: number;
  heap_size_limit: number;
}

export type ReportResult =
  | {
      written: string[];
      dir: string;
      /** Path of the file marked `entry`, inside `dir`. */
      entry: string | null;
      /** Text of the file marked `summary`. */
      summary: string | null;
    }
  | { none: string };

export async function writeReport(options: ReportOptions): Promise<ReportResult> {
  const log = options.log ?? (() => {});
  const store = Store.open(options.dbPath, 'read', options.cwd);
  try {
    const manifest = store.requireManifest();
    const expected = manifest.body.experiment;
    const modulePath = options.experimentPath
      ? resolve(options.experimentPath)
      : manifest.experimentModule && existsSync(manifest.experimentModule)
        ? manifest.experimentModule
        : experimentModulePath(expected.name, options.dbPath, store.shown);
    const { experiment } = await loadExperiment(modulePath);
    if (experiment.name !== expected.name) throw new InputError(msg.reportExperimentMismatch(modulePath, experiment.name, expected.name));
    if (experiment.version !== expected.version) log(msg.reportVersionMismatch(experiment.name, experiment.version, expected.version));
    if (!experiment.report) return { none: msg.reportNone(experiment.name) };
    const figures = experiment.drawsFigures ? new RenderPool() : undefined;
    try {
      figures?.warmUp(figureSetOf(experiment, manifest.hash, listRuns(store)));
      const input = loadReportInput(store, options.progress);
      const note = heapNote(input.trials.length, (options.heap ?? getHeapStatistics)());
      if (note) log(note);
      return writeFiles(await experiment.report({ ...input, figures }), options.outDir(manifest.study));
    } finally {
      await figures?.close();
    }
  } finally {
    store.close();
  }
}

/**
 * A note when the results just read fill more than half of the JavaScript heap: the report's own
 * data comes on top (for the inference-scaling report, about 70% more than the results read: at
 * 302,400 trials they fill 122 MB, and the report needs a heap of 210 MB, not 200), and
 * running out of heap ends the process with V8's crash report, which no code can catch. It names
 * a heap size that would do: two and a half times what the results fill, in whole GiB.
 */
export function heapNote(trials: number, heap: HeapUse): string | null {
  if (heap.used_heap_size <= heap.heap_size_limit / 2) return null;
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  const suggested = Math.ceil((heap.used_heap_size * 2.5) / 2 ** 30) * 1024;
  return msg.reportHeapTight(trials, mb(heap.used_heap_size), mb(heap.heap_size_limit), suggested);
}

/**
 * What the report's figures depend on, cheaply (see RenderPool.warmUp): the experiment, the
 * study and the runs that computed its trials.
 */
function figureSetOf(experiment: Experiment, manifestHash: string, runs: readonly RunRecord[]): string {
  return canonicalJson({
    report: [experiment.name, experiment.version],
    manifest: manifestHash,
    runs: runs.map((r) => [r.id, r.trialsDone, r.trialsFailed]),
  });
}

function writeFiles(files: ReportFile[], dir: string): ReportResult {
  for (const file of files) checkReportPath(file.path);
  const written: string[] = [];
  for (const file of files) {
    writeFileAtomically(join(dir, ...file.path.split('/')), file.content);
    written.push(file.path);
  }
  const entry = files.find((f) => f.role === 'entry');
  const summary = files.find((f) => f.role === 'summary');
  return {
    written,
    dir,
    entry: entry ? join(dir, ...entry.path.split('/')) : null,
    summary: summary ? (typeof summary.content === 'string' ? summary.content : new TextDecoder().decode(summary.content)) : null,
  };
}

function checkReportPath(path: string): void {
  const parts = path.split('/');
  if (!path || isAbsolute(path) || path.includes('\\') || parts.some((p) => p === '..' || p === '' || p === '.')) {
    throw new InputError(msg.reportBadPath(path));
  }
}
