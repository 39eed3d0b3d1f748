/**
 * `harness report`: load a database's results as the experiment's ReportInput, call the
 * experiment's `report()`, and write the files it returns, each atomically (temporary file,
 * then rename), under the report folder; then remove the files an earlier report wrote there
 * and this one did not (see ReportLedger).
 *
 * What can be refused is refused before the work: a database with no finished trial or with
 * only failed ones, and a report folder that cannot be written (checkReportFolder). A database
 * of an unfinished run gets a report that says so (ReportInput.coverage, and `partial` in the
 * result); one with failed trials, a warning that names their commonest error (`failures`).
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { Experiment, ReportFile, ReportInput, RunRecord } from '../experiment.js';
import { canonicalJson, sha256 } from '../identity.js';
import { makeFolders, removeAbandonedTempsOf, removeEmptyFolders, removeFolderWhole, writeFileAtomically, writeFilesAtomically, type WriteProgress } from '../files.js';
import { errnoCode, outputFolderProblem, statOrNull } from '../folders.js';
import { FONT_FAMILY } from '../render/fonts.js';
import { RenderPool } from '../render/pool.js';
import { errorMessage, errorStack, InputError, OnlyFailedTrialsError, StoredResultsError } from '../errors.js';
import { experimentModulePath, loadExperiment } from '../experiments.js';
import { gridOf } from '../manifest.js';
import * as msg from '../messages.js';
import { displayPath, harnessCall, projectRoot } from '../paths.js';
import { withoutOption } from '../text.js';
import { commonFailure, failedTrialsByRun, loadReportInput, statusCounts, timedOutShards } from '../store/reader.js';
import { listRuns } from '../store/runs.js';
import { mixedCodeVersions, type CodeVersion } from '../store/code-versions.js';
import { Store } from '../store/store.js';
import { Bitset } from '../bitset.js';
import type { Grid } from '../grid.js';
import { shellQuote } from '../cluster/shell.js';
import { parseShard, rerunLast, rerunShard } from './shard.js';
import { runState, type RunState } from './status.js';
import { countCells } from './tasks.js';
import { writerState } from './provenance.js';
import { shardRunsOf } from './recorded-command.js';

export interface ReportOptions {
  dbPath: string;
  /** Report folder (default: reports/<study>, or reports/<study>--<db name> for another database; see defaultReportDir). */
  outDir: (study: string) => string;
  /** Experiment module to use instead of the one recorded in the database. */
  experimentPath?: string;
  progress?: ReportInput['progress'];
  log?: (line: string) => void;
  /** Messages show paths relative to this folder, and commands to paste there (harnessCall). */
  cwd?: string;
  /** The JavaScript heap's use and limit (default: this process's, from V8); see heapNote. */
  heap?: () => HeapUse;
  /** The --out value as typed, for messages; undefined when `outDir` is the default folder. */
  out?: string;
  /**
   * The command that completes the run, when the caller knows it (`run --report`: its own);
   * otherwise it is the last run's command line as the database recorded it.
   */
  resumeCommand?: string;
  /** PNG resolution of the figures (`--dpi`); absent: the experiment's default. */
  pngDpi?: number;
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
      /** Files an earlier report wrote into `dir` that this one does not, removed (see ReportLedger). */
      removed: string[];
      /** Set when the database holds only part of the study (an unfinished run). */
      partial: PartialReport | null;
      /** Set when trials failed: the report leaves them out. */
      failures: { trials: number; warning: string } | null;
      /** Set when the trials were computed by more than one version of the experiment's code. */
      mixedCode: { versions: CodeVersion[]; warning: string } | null;
      /** Set when figures have text with characters their font lacks: their titles. */
      textOutsideFont: { figures: (string | null)[]; warning: string } | null;
    }
  | { none: string };

/** A report of part of a study: trials finished, trials of the study, and how to get the rest. */
export interface PartialReport {
  done: number;
  expected: number;
  /** The warning to print (msg.reportPartial), naming the command that completes the run. */
  warning: string;
}

export async function writeReport(options: ReportOptions): Promise<ReportResult> {
  const log = options.log ?? (() => {});
  const store = Store.open(options.dbPath, 'read', options.cwd);
  try {
    const manifest = store.requireManifest();
    // The study's size is its grid's, also for a shard's database. Who writes it is read before
    // the results, so that "a run is writing it now" describes the snapshot the report shows.
    const expectedTrials = gridOf(manifest.body).count;
    const state = runState(store);
    const next = () => nextStep(state, store.shown, manifest.study, options);
    const { ok, failed } = statusCounts(store);
    if (ok + failed === 0) {
      // Shards whose every group the study's exclusions leave out: finished, with nothing in them.
      const empty = finishedShards(state, gridOf(manifest.body), 0);
      throw new InputError(empty.length ? msg.reportEmptyShards(store.shown, manifest.study, empty) : msg.reportNoTrials(store.shown, manifest.study, expectedTrials, next()));
    }
    const common = failed > 0 ? commonFailure(store)! : null;
    if (ok === 0) throw new OnlyFailedTrialsError(msg.reportOnlyFailed(store.shown, manifest.study, failed, common!, retryStep(state, store, manifest.study, options)));
    const dir = options.outDir(manifest.study);
    checkReportFolder(dir, options.out, options.cwd);
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
    const writer = writerState();
    try {
      figures?.warmUp(figureSetOf(experiment, manifest.hash, listRuns(store), options.pngDpi));
      const input = loadReportInput(store, options.progress);
      const codeVersions = mixedCodeVersions(store, input.runs);
      const note = heapNote(input.trials.length, (options.heap ?? getHeapStatistics)());
      if (note) log(note);
      // The trials of the snapshot the report shows (while a run writes, a later one than status's).
      const finished = finishedShards(state, gridOf(manifest.body), ok + failed);
      const coverage = { done: input.trials.length, expected: expectedTrials, ...(finished.length ? { finishedShards: finished } : {}) };
      let files: unknown;
      try {
        files = await experiment.report({ ...input, figures, coverage, ...(codeVersions ? { codeVersions } : {}), writer: await writer, ...(options.pngDpi === undefined ? {} : { pngDpi: options.pngDpi }) });
      } catch (thrown) {
        // The experiment's code failed, not the harness: say where, and that nothing was lost.
        if (thrown instanceof InputError) throw thrown;
        if (thrown instanceof StoredResultsError) throw new InputError(msg.reportStoredResults(store.shown, experiment.name, thrown.message));
        const error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : errorMessage(thrown);
        const harnessCode = join(projectRoot, 'harness') + sep;
        const harnessFrame = (line: string) => line.includes(harnessCode) || line.includes('(node:');
        throw new InputError(msg.reportThrew(experiment.name, shownPath(modulePath, options.cwd), error, errorStack(thrown), harnessFrame));
      }
      const result = writeFiles(checkedReportFiles(files, experiment.name, shownPath(modulePath, options.cwd)), dir, options);
      if (result.removed.length) log(msg.reportRemovedStale(result.removed.length, shownPath(dir, options.cwd)));
      const partial =
        coverage.done < coverage.expected
          ? { done: coverage.done, expected: coverage.expected, warning: msg.reportPartial(store.shown, manifest.study, coverage.done, coverage.expected, finished.length ? msg.reportNext.otherShards() : next(), finished) }
          : null;
      const failures = common === null ? null : { trials: failed, warning: msg.reportFailedTrials(store.shown, manifest.study, failed, ok + failed, common, retryStep(state, store, manifest.study, options)) };
      const mixedCode = codeVersions === null ? null : { versions: codeVersions, warning: msg.reportMixedCode(store.shown, codeVersions) };
      const outside = figures?.textOutsideFont ?? [];
      const textOutsideFont = outside.length === 0 ? null : { figures: outside.map((f) => f.title ?? null), warning: msg.reportTextOutsideFont(FONT_FAMILY, outside) };
      return { ...result, partial, failures, mixedCode, textOutsideFont };
    } finally {
      await figures?.close();
    }
  } finally {
    store.close();
  }
}

/**
 * How to get the trials a database lacks: wait for the run that writes it; for a shard's
 * database, complete and merge the shards; else the command that resumes the run: the caller's,
 * or the last run's as recorded (without --fresh, as run.ts builds its hints), adjusted by `fit`.
 */
function nextStep(status: RunState, db: string, study: string, { resumeCommand, cwd }: Pick<ReportOptions, 'resumeCommand' | 'cwd'>, fit: (command: string) => string = (c) => c): string {
  if (status.running) return msg.reportNext.running(db);
  // The database reported, wherever the run wrote it (a copy, or one moved since); the shards of
  // a merged one are completed in their own databases, which their recorded commands name.
  const merged = status.runs.some((r) => r.status === 'merged');
  // Its shard written out where a job array's variables gave it: a shell without them would run the whole study.
  const command = fit(resumeCommand ?? rerunLast(status.runs, merged ? null : db, cwd) ?? `${harnessCall(cwd)} run ${study} --db ${shellQuote(db)}`);
  return status.shards.length ? msg.reportNext.shards(status.shards, command) : msg.reportNext.resume(command);
}

/**
 * How to retry the failed trials: in a database of shards (a merged one, or a shard's own), run
 * the shards whose runs recorded them again, each by the command that resumes it, then merge
 * again; else resume, as for missing trials. A command leaves out the --task-timeout its trials
 * hit (the advice is a larger one, or none): the same limit would stop them again.
 */
function retryStep(state: RunState, store: Store, study: string, options: Pick<ReportOptions, 'resumeCommand' | 'cwd'>): string {
  const failed = failedTrialsByRun(store);
  const noLimit = (command: string) => withoutOption(command, '--task-timeout');
  const recorded = shardRunsOf(state.runs);
  const failedShards = new Set(state.runs.filter((run) => run.shard !== null && failed.has(run.id)).map((run) => run.shard!));
  const shards = state.shards.filter((shard) => failedShards.has(shard));
  if (state.running || shards.length === 0) {
    return nextStep(state, store.shown, study, options, [...failed.values()].some((f) => f.timedOut) ? noLimit : undefined);
  }
  const timedOut = timedOutShards(store);
  return msg.reportNext.retryShards(shards.map((shard) => ({ shard, command: timedOut.has(shard) ? noLimit(rerunShard(shard, recorded, null, options.cwd)) : rerunShard(shard, recorded, null, options.cwd) })));
}

/** The shards a database holds when it holds every trial of each (none while a run writes it, or for a whole study's database). */
function finishedShards(state: RunState, grid: Grid, recorded: number): string[] {
  if (state.running || state.shards.length === 0) return [];
  const cells = state.shards.reduce((sum, shard) => sum + countCells(grid, parseShard(shard), new Bitset(grid.size)).cells, 0);
  return recorded >= cells ? state.shards : [];
}

function shownPath(path: string, cwd: string | undefined): string {
  return cwd ? displayPath(path, cwd) : path;
}

/**
 * Refuses a report folder that cannot be written, before any work is done (outputFolderProblem).
 * `out` is the --out value as typed, undefined for the default.
 */
export function checkReportFolder(dir: string, out: string | undefined, cwd?: string): void {
  const problem = outputFolderProblem(dir);
  if (!problem) return;
  const text = problem.kind === 'is-file' ? msg.reportFolderIsFile() : msg.folderProblem.of(problem, (p) => shownPath(p, cwd));
  throw new InputError(msg.reportFolderUnusable(out ?? null, shownPath(dir, cwd), text));
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
function figureSetOf(experiment: Experiment, manifestHash: string, runs: readonly RunRecord[], pngDpi: number | undefined): string {
  return canonicalJson({
    report: [experiment.name, experiment.version],
    manifest: manifestHash,
    runs: runs.map((r) => [r.id, r.trialsDone, r.trialsFailed]),
    pngDpi: pngDpi ?? null,
  });
}

/**
 * Writes the report's files into `dir`, each atomically, and removes the files of an earlier
 * report that this one does not have (see ReportLedger), with the folder or file of that report
 * where this one puts a file or a folder (ReportLedger.inTheWay). A file system error (a full
 * disk, a read-only folder, a file in the way) is the user's to fix: an InputError naming the
 * folder. A report that puts nothing in place leaves no folder it created.
 */
function writeFiles(files: ReportFile[], dir: string, options: ReportOptions): Omit<Extract<ReportResult, { written: string[] }>, 'partial' | 'failures' | 'mixedCode' | 'textOutsideFont'> {
  const progress: WriteProgress = { at: null, placed: 0 };
  const shown = (path: string) => shownPath(path, options.cwd);
  const inDir = (path: string) => join(dir, ...path.split('/'));
  let created: string | undefined;
  let removed: string[];
  try {
    created = makeFolders(dir);
    const ledger = ReportLedger.of(dir);
    const fresh = new Map(files.map((f) => [f.path, [sha256(f.content)]]));
    const way = ledger.inTheWay(new Map([...fresh].map(([path, [hash]]) => [path, hash!])), options.out === undefined);
    if ('taken' in way) {
      const out = options.out ?? null;
      const [{ file, blocker, foreign }] = way.taken;
      // Every one named at once: a folder of an earlier report's copies takes one move, not a rerun per file.
      const blockers = [...new Set(way.taken.map((t) => shown(inDir(t.foreign ?? t.blocker))))];
      throw new InputError(
        blockers.length > 1
          ? msg.reportPathsTaken(out, shown(dir), blockers)
          : foreign === null && blocker === file
            ? msg.reportFileTaken(out, shown(dir), file, shown(inDir(file)))
            : msg.reportPathTaken(out, shown(dir), file, shown(inDir(blocker)), foreign === null ? null : shown(inDir(foreign))),
      );
    }
    // Named before written, with the bytes each file holds now as well as those it is about to:
    // a report stopped halfway leaves none of its files, old or new, untracked.
    const pending = new Map(ledger.files);
    for (const [path, [hash]] of fresh) pending.set(path, [...new Set([...(ledger.files.get(path) ?? []), hash!])]);
    ledger.save(pending);
    // All written before any is put in place: a report killed while writing leaves the last one whole.
    writeFilesAtomically(
      files.map((f) => [inDir(f.path), f.content] as const),
      progress,
      new Map([...way.clear].map(([path, clear]) => [inDir(path), clear])),
    );
    removed = [...new Set([...way.cleared, ...ledger.removeAllBut(fresh)])].sort();
  } catch (thrown) {
    if (created !== undefined && progress.placed === 0) removeEmptyFolders(dir, dirname(created));
    const code = errnoCode(thrown);
    if (code === undefined || code.startsWith('ERR_')) throw thrown;
    const target = progress.at ?? dir;
    // A folder that could not be made on the way to `dir` (one under /proc) is named as such.
    const { syscall, path } = thrown as { syscall?: unknown; path?: unknown };
    const problem =
      target !== dir
        ? msg.folderProblem.failed('writing', shown(target), code)
        : syscall === 'mkdir' && typeof path === 'string'
          ? msg.folderProblem.failed('creating', shown(path), code)
          : msg.folderProblem.notWritable(shown(dir), code);
    throw new InputError(msg.reportFolderUnusable(options.out ?? null, shown(dir), problem, progress.placed > 0));
  }
  const written = files.map((f) => f.path);
  const entry = files.find((f) => f.role === 'entry');
  const summary = files.find((f) => f.role === 'summary');
  return {
    written,
    dir,
    entry: entry ? inDir(entry.path) : null,
    summary: summary ? (typeof summary.content === 'string' ? summary.content : new TextDecoder().decode(summary.content)) : null,
    removed,
  };
}

/** Where the ledgers live: beside the harness's other caches, outside every report folder. */
const LEDGER_DIR = join(projectRoot, 'node_modules', '.cache', 'harness', 'report-folders');

/** A report's file whose place holds what is not the harness's (see ReportLedger.inTheWay). */
interface Taken {
  file: string;
  blocker: string;
  foreign: string | null;
}

/**
 * The contract of a report folder: after a report, it holds exactly that report's files, plus
 * whatever its user put there. The harness tells the two apart by a ledger of the files it
 * wrote into the folder, each with the SHA-256 of its bytes (two while a report replaces them:
 * the old and the new, either of which the file may hold if that report is stopped): one JSON file per folder under
 * node_modules/.cache/harness/report-folders/, named by the hash of the folder's real path. It
 * is kept outside the folder so that the folder lists the report's files and nothing else.
 *
 * After writing a report, the files the ledger names that this report did not write are
 * removed, with the folders that leaves empty, but only while they hold the bytes the harness
 * wrote: a file its user edited or replaced since is theirs, and stays (and leaves the ledger).
 * A file the ledger does not name is never removed, so without a ledger (a folder written by an
 * older harness, a cleared cache, another checkout) nothing is. The temporary files a report
 * killed while writing left go too: writeFilesAtomically removes those of each file it writes,
 * and removeAllBut those of the files the ledger names and this report does not write. A
 * ledger that cannot be read or written never fails a report; it only leaves earlier files in
 * place.
 */
class ReportLedger {
  private constructor(
    private readonly folder: string,
    private readonly path: string,
    readonly files: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** The ledger of `dir`, which exists. */
  static of(dir: string): ReportLedger {
    // The real path, with no fallback: the ledger is found by it, so every spelling of the folder
    // (through a symlink) finds the one ledger; the folder exists, and a failure is a file-system
    // error that writeFiles reports.
    const folder = realpathSync(dir);
    const path = join(LEDGER_DIR, `${sha256(folder).slice(0, 32)}.json`);
    let files = new Map<string, readonly string[]>();
    try {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as { folder?: unknown; files?: unknown };
      if (stored.folder === folder && stored.files && typeof stored.files === 'object') {
        // A hash, or (written by a report that replaced the file) the hashes of its old and new bytes.
        const hashes = (v: unknown) => (typeof v === 'string' ? [v] : Array.isArray(v) && v.every((h) => typeof h === 'string') ? (v as string[]) : null);
        files = new Map(Object.entries(stored.files as Record<string, unknown>).flatMap(([p, v]) => (hashes(v) ? [[p, hashes(v)!] as const] : [])));
      }
    } catch {
      // No ledger yet, or an unreadable one: nothing is known to be the harness's.
    }
    return new ReportLedger(folder, path, files);
  }

  save(files: ReadonlyMap<string, readonly string[]>): void {
    const entries = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, hashes]) => [path, hashes.length === 1 ? hashes[0] : hashes]);
    try {
      writeFileAtomically(this.path, `${JSON.stringify({ folder: this.folder, files: Object.fromEntries(entries) })}\n`);
    } catch {
      // A cache that cannot be written never fails a report (see the class comment).
    }
  }

  /**
   * Removes the files of the ledger that `kept` does not name and that still hold the bytes
   * recorded, with the temporary files that killed processes left of them, then records `kept`
   * (plus any file that could not be removed) as the ledger. Returns the paths removed, sorted.
   */
  removeAllBut(kept: ReadonlyMap<string, readonly string[]>): string[] {
    const removed: string[] = [];
    const remaining = new Map(kept);
    for (const [path, hashes] of this.files) {
      if (kept.has(path)) continue;
      const file = this.pathOf(path);
      if (removeAbandonedTempsOf(file)) removeEmptyFolders(dirname(file), this.folder);
      try {
        if (!this.wrote(path)) continue;
        unlinkSync(file);
      } catch (thrown) {
        // Gone, or a file of this report in place of one of its folders: either way not there.
        if (!['ENOENT', 'ENOTDIR'].includes(errnoCode(thrown) ?? '')) remaining.set(path, hashes); // try again next time
        continue;
      }
      removed.push(path);
      removeEmptyFolders(dirname(file), this.folder);
    }
    this.save(remaining);
    pruneLedgers(this.path);
    return removed.sort();
  }

  /**
   * What stands where the files of `fresh` (path to the SHA-256 of its new bytes) go. A file at
   * a file's own path is replaced only when it is the harness's (see mayReplace). From an
   * earlier report whose layout differs: a folder where a file goes (tables/, now the file
   * tables), or a file where a folder goes (summary.txt, now the folder of summary.txt/all.txt).
   * Each may go, as removeAllBut's files do, only while it is the harness's: a file that holds
   * the bytes an earlier report wrote, or a folder that holds such files and nothing else (but
   * folders of them, and temporary files killed writers left of them). Returns each, for
   * writeFilesAtomically, with the function that removes it, and the files that removes; or
   * every one that may not go (`taken`, in the order of `fresh`: the path of the report's file,
   * what is in its way (the file itself for one of the user's at its path), and in a folder, the
   * thing in it that is not the harness's), all paths relative to the folder.
   */
  inTheWay(fresh: ReadonlyMap<string, string>, ownFolder: boolean):
    | { clear: ReadonlyMap<string, () => void>; cleared: string[] }
    | { taken: [Taken, ...Taken[]] } {
    const clear = new Map<string, () => void>();
    const cleared = new Set<string>();
    const taken: Taken[] = [];
    for (const [path, hash] of fresh) {
      const parts = path.split('/');
      for (let i = 1; i <= parts.length; i++) {
        const at = parts.slice(0, i).join('/');
        const last = i === parts.length;
        // A folder on the way may be a link to one; the file's own place is taken as it stands.
        const stats = statOrNull(this.pathOf(at), last);
        if (stats === null) break; // nothing there, nor below
        if (stats.isDirectory()) {
          if (!last) continue;
          const held = this.harnessFolder(at);
          if ('foreign' in held) {
            taken.push({ file: path, blocker: at, foreign: held.foreign });
            break;
          }
          if (held.files.length === 0) break; // no report's: the write says that a folder is in the way
          for (const file of held.files) cleared.add(file);
          // Whole or not at all: a folder left half deleted would hold neither report.
          clear.set(at, () => removeFolderWhole(this.pathOf(at)));
        } else if (!last) {
          if (!this.owns(at)) {
            taken.push({ file: path, blocker: at, foreign: null });
            break;
          }
          cleared.add(at);
          clear.set(at, () => rmSync(this.pathOf(at), { force: true }));
        } else if (stats.isFile() && !this.mayReplace(at, hash, ownFolder)) taken.push({ file: path, blocker: at, foreign: null });
        break; // the file itself, or a link there, which the new file replaces
      }
    }
    const [first, ...more] = taken;
    return first ? { taken: [first, ...more] } : { clear, cleared: [...cleared] };
  }

  /**
   * The files in the folder `folder` (relative) and its folders, when every file is the
   * harness's (see wrote) once the temporary files of dead writers are gone; otherwise the first
   * file (sorted) that is not.
   */
  private harnessFolder(folder: string): { files: string[] } | { foreign: string } {
    for (const path of this.files.keys()) if (path.startsWith(`${folder}/`)) removeAbandonedTempsOf(this.pathOf(path));
    const files: string[] = [];
    const walk = (at: string): string | null => {
      for (const entry of readdirSync(this.pathOf(at), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const path = `${at}/${entry.name}`;
        if (entry.isDirectory()) {
          const foreign = walk(path);
          if (foreign !== null) return foreign;
        } else if (this.owns(path)) files.push(path);
        else return path;
      }
      return null;
    };
    const foreign = walk(folder);
    return foreign === null ? { files } : { foreign };
  }

  /** Whether the file at `path` (relative) is one the harness wrote, holding bytes it wrote there. Throws what reading it throws. */
  private wrote(path: string): boolean {
    const hashes = this.files.get(path);
    const file = this.pathOf(path);
    return hashes !== undefined && lstatSync(file).isFile() && hashes.includes(sha256(readFileSync(file)));
  }

  /**
   * Whether the report may write its file over the file at `path` (relative): one that holds the
   * new bytes already, or the bytes the ledger says an earlier report wrote there. A file the
   * ledger names that holds other bytes was edited by its user, and is theirs. One it does not
   * name is replaced only in the harness's own folder (`ownFolder`: reports/<study>/, where a
   * ledger cleared with the cache, or one an older harness never kept, leaves the earlier
   * report's files unnamed); in a folder given with --out (a paper's own folder, say) it is the
   * user's. One that cannot be read is left to the write, which says what is wrong.
   */
  private mayReplace(path: string, newHash: string, ownFolder: boolean): boolean {
    let hash: string;
    try {
      hash = sha256(readFileSync(this.pathOf(path)));
    } catch {
      return true;
    }
    if (hash === newHash) return true;
    const recorded = this.files.get(path);
    return recorded ? recorded.includes(hash) : ownFolder;
  }

  /** wrote, false where the file cannot be read. */
  private owns(path: string): boolean {
    try {
      return this.wrote(path);
    } catch {
      return false;
    }
  }

  private pathOf(path: string): string {
    return join(this.folder, ...path.split('/'));
  }
}

/** Removes the ledgers of folders that no longer exist (reports into temporary folders). */
function pruneLedgers(keep: string): void {
  try {
    for (const name of readdirSync(LEDGER_DIR)) {
      const path = join(LEDGER_DIR, name);
      // Hidden names are temporary files of a ledger being written (writeFileAtomically).
      if (path === keep || name.startsWith('.') || !name.endsWith('.json')) continue;
      try {
        const { folder } = JSON.parse(readFileSync(path, 'utf8')) as { folder?: unknown };
        if (typeof folder !== 'string' || !existsSync(folder)) rmSync(path, { force: true });
      } catch {
        rmSync(path, { force: true });
      }
    }
  } catch {
    // No ledgers, or a folder that cannot be read: nothing to prune.
  }
}

/**
 * What report() returned, checked before anything is written: the files, or an InputError saying
 * what is wrong, naming the experiment and its module (as shown). Each path is a path inside the
 * report folder (checkReportPath), no two alike, and none a folder of another (a.txt and
 * a.txt/b.txt): the report folder could hold only one of the two.
 */
function checkedReportFiles(files: unknown, experiment: string, module: string): ReportFile[] {
  const bad = (problem: string) => new InputError(msg.reportBadFiles(experiment, module, problem));
  if (!Array.isArray(files)) throw bad(files === undefined || files === null ? `nothing (${files})` : `a value of type ${typeof files}, not an array`);
  const seen = new Set<string>();
  files.forEach((file: Partial<ReportFile> | null, i) => {
    if (file === null || typeof file !== 'object' || typeof file.path !== 'string') throw bad(`an entry [${i}] without a string path`);
    if (typeof file.content !== 'string' && !(file.content instanceof Uint8Array)) throw bad(`the file ${JSON.stringify(file.path)} with content of type ${file.content === null ? 'null' : typeof file.content}`);
    if (!isReportPath(file.path)) throw new InputError(msg.reportBadPath(experiment, module, file.path));
    if (seen.has(file.path)) throw new InputError(msg.reportPathTwice(experiment, module, file.path));
    seen.add(file.path);
  });
  for (const path of seen) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (seen.has(folder)) throw new InputError(msg.reportPathFileAndFolder(experiment, module, folder, path));
    }
  }
  return files as ReportFile[];
}

/** A path relative to the report folder, in forward slashes, with no empty, "." or ".." part. */
function isReportPath(path: string): boolean {
  const parts = path.split('/');
  return path !== '' && !isAbsolute(path) && !path.includes('\\') && !parts.some((p) => p === '..' || p === '' || p === '.');
}
