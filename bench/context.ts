/**
 * What benchmarks share within one suite run: the mode, a scratch folder, and the expensive
 * runs several of them read (paper study runs, no-op runs, reports), each done once and kept.
 * Every run writes its own database under the scratch folder; nothing touches results/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../harness/paths.js';
import { loadStudy, type Study } from '../harness/study/study.js';
import { VARIANTS } from './fixtures/noop.js';
import { inRotation } from './measure.js';
import { runHarness, runSummaryOf, type ProcessRun, type RunSummaryJson } from './processes.js';

export interface StudyRun {
  run: ProcessRun;
  summary: RunSummaryJson;
  db: string;
  threads: number;
}

/** The key under which runs of the paper study (on `threads` threads, `seedFactor` times its seeds) are kept. */
function paperRunsId(threads: number, seedFactor = 1): string {
  return `paper${seedFactor === 1 ? '' : `-x${seedFactor}`}@${threads}`;
}

/** One round of the report benchmark (see BenchContext.paperRounds). */
export interface PaperRound {
  study: StudyRun;
  /** `harness report` of the study's database with every figure drawn. */
  report: ProcessRun;
  /** `harness run paper --report`: the study and its report in one process. */
  pipeline: ProcessRun;
}

export interface ContextOptions {
  quick: boolean;
  /** Thread counts for the scaling curve (default 1, 2, 4, ... up to the cores). */
  threadCounts: number[];
  log: (line: string) => void;
}

export const paperStudyFile = join(projectRoot, 'experiments', 'inference-scaling', 'paper.yaml');
export const noopStudyFile = join(projectRoot, 'bench', 'fixtures', 'noop.yaml');

/** Trials in one group of the no-op study (its shared variants). */
export const noopGroupSize = VARIANTS.length;

export class BenchContext {
  readonly quick: boolean;
  readonly threadCounts: number[];
  readonly cores = availableParallelism();
  readonly tmp = mkdtempSync(join(tmpdir(), 'harness-bench-'));
  readonly log: (line: string) => void;
  private readonly runs = new Map<string, StudyRun[]>();
  private readonly reports = { cold: [] as ProcessRun[], warm: [] as ProcessRun[] };
  private readonly rounds: PaperRound[] = [];
  private files = 0;
  /** The figure cache warm reports share (filled by the first cold report). */
  private readonly warmCache = this.scratch('figure-cache');

  constructor(options: ContextOptions) {
    this.quick = options.quick;
    this.threadCounts = options.threadCounts;
    this.log = options.log;
  }

  /** `--set` arguments that size the paper study for this mode (quick: a few seeds). */
  get paperSets(): string[] {
    return this.quick ? ['seeds=4'] : [];
  }

  /** The paper study as benchmarks run it. */
  paperStudy(extraSets: readonly string[] = []): Promise<Study> {
    return loadStudy(paperStudyFile, { cwd: projectRoot, sets: [...this.paperSets, ...extraSets] });
  }

  /** The no-op study with `trials` cells (a multiple of the group size). */
  noopSets(trials: number): string[] {
    if (trials % noopGroupSize !== 0) throw new RangeError(`no-op trials must be a multiple of ${noopGroupSize}, received ${trials}`);
    return [`seeds=${trials / noopGroupSize}`];
  }

  /** A fresh path under the scratch folder. */
  scratch(stem: string, extension = ''): string {
    return join(this.tmp, `${stem}-${++this.files}${extension}`);
  }

  /**
   * The first `count` runs of the paper study on `threads` threads (more are run as needed),
   * with `seedFactor` times its seeds.
   */
  async paperRuns(threads: number, count: number, seedFactor = 1): Promise<StudyRun[]> {
    const sets = seedFactor === 1 ? this.paperSets : [...this.paperSets, `seeds=${(await this.paperStudy()).manifest.body.seeds * seedFactor}`];
    return this.studyRuns(paperRunsId(threads, seedFactor), paperStudyFile, sets, threads, count);
  }

  /** The first `count` runs of the no-op study with `trials` cells on `threads` threads. */
  noopRuns(trials: number, threads: number, count: number): Promise<StudyRun[]> {
    return this.studyRuns(`noop-${trials}@${threads}`, noopStudyFile, this.noopSets(trials), threads, count);
  }

  /**
   * The first `count` timings of `harness report` on the paper study's database: `cold` with an
   * empty figure cache each time (every figure drawn, as after a new run), `warm` with the
   * figures already cached (the same results reported again).
   */
  async paperReports(count: number, cache: 'cold' | 'warm' = 'cold'): Promise<ProcessRun[]> {
    if (cache === 'warm' && this.reports.cold.length === 0) await this.paperReports(1, 'cold');
    const runs = this.reports[cache];
    while (runs.length < count) {
      this.log(`  harness report (paper, ${cache} figure cache), ${runs.length + 1} of ${count}`);
      await this.paperReport(cache);
    }
    return runs.slice(0, count);
  }

  /**
   * The first `count` rounds of the paper study, its report with every figure drawn, and the two
   * in one process, one of each per round and in a new order each round. A report is compared
   * with a study timed beside it, so a machine that slows down or speeds up meanwhile (by a
   * tenth within minutes, on a shared one) weighs on both alike.
   */
  async paperRounds(count: number): Promise<PaperRound[]> {
    while (this.rounds.length < count) {
      const round = this.rounds.length;
      this.log(`  round ${round + 1} of ${count}: harness run paper, harness report, harness run paper --report`);
      const steps = [
        async () => ({ study: await this.paperStudyRun() }),
        async () => ({ report: await this.paperReport('cold') }),
        async () => ({ pipeline: await this.paperPipeline() }),
      ];
      const parts: Partial<PaperRound> = {};
      for (const step of inRotation(steps, round)) Object.assign(parts, await step());
      this.rounds.push(parts as PaperRound);
    }
    return this.rounds.slice(0, count);
  }

  /** One more run of the paper study on every core, kept with the others (paperRuns). */
  private async paperStudyRun(): Promise<StudyRun> {
    const id = paperRunsId(this.cores);
    const run = await this.studyRun(id, paperStudyFile, this.paperSets, this.cores);
    this.runsOf(id).push(run);
    return run;
  }

  /** One `harness report` of the paper study's first run, kept with the others of its cache kind. */
  private async paperReport(cache: 'cold' | 'warm'): Promise<ProcessRun> {
    const [source] = await this.paperRuns(this.cores, 1);
    // Cold reports each start an empty cache; the first also fills the one warm reports read.
    const cacheDir = cache === 'warm' || this.reports.cold.length === 0 ? this.warmCache : this.scratch('figure-cache');
    const run = await runHarness(['report', source!.db, '--out', this.scratch('paper-report')], { env: { HARNESS_RENDER_CACHE: cacheDir } });
    this.reports[cache].push(run);
    return run;
  }

  /** One `harness run paper --report`: the study, then its report with every figure drawn, in one process (what `npm start` does). */
  private paperPipeline(): Promise<ProcessRun> {
    const args = ['run', paperStudyFile, '--threads', String(this.cores), '--db', this.scratch('paper-pipeline', '.sqlite'), '--report', '--out', this.scratch('paper-pipeline-report')];
    return runHarness([...args, ...this.paperSets.flatMap((s) => ['--set', s])], { env: { HARNESS_RENDER_CACHE: this.scratch('figure-cache') } });
  }

  private async studyRuns(id: string, studyFile: string, sets: string[], threads: number, count: number): Promise<StudyRun[]> {
    const runs = this.runsOf(id);
    while (runs.length < count) {
      this.log(`  harness run ${id.split('@')[0]} --threads ${threads}, ${runs.length + 1} of ${count}`);
      runs.push(await this.studyRun(id, studyFile, sets, threads));
    }
    return runs.slice(0, count);
  }

  private runsOf(id: string): StudyRun[] {
    const runs = this.runs.get(id) ?? [];
    this.runs.set(id, runs);
    return runs;
  }

  private async studyRun(id: string, studyFile: string, sets: string[], threads: number): Promise<StudyRun> {
    const db = this.scratch(id.replace('@', '-t'), '.sqlite');
    const args = ['run', studyFile, '--threads', String(threads), '--db', db, '--json', ...sets.flatMap((s) => ['--set', s])];
    const run = await runHarness(args);
    return { run, summary: runSummaryOf(run), db, threads };
  }

  dispose(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
