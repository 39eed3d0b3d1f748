/**
 * `harness slurm <study>`: writes the array and merge scripts of a study into its shard folder,
 * prints the plan, and with `--submit` hands both to sbatch (the merge after the array, with
 * `afterany`). Nothing of ours stays running: the queue does the waiting.
 *
 * `shardFolderStatus` is `status` over a shard folder (see shard-status.ts).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Command } from '../cli/commands/command.js';
import { exitCodes, println, type Io } from '../cli/io.js';
import { list, optionTable, options, pilotOption, seconds, text, wholeNumber } from '../cli/options.js';
import { minWorkerMemoryMb } from '../cli/commands/run.js';
import { PILOT_GROUP_LIMIT_MS } from '../run/plan.js';
import { InputError, errorMessage } from '../errors.js';
import { makeFolders, writeFileAtomically } from '../files.js';
import { errnoCode, outputFolderProblem, statOrNull } from '../folders.js';
import { folderProblem } from '../messages.js';
import { defaultResultsDir, projectRoot, realPath } from '../paths.js';
import { parseShardFileName, shardFolder, type ClusterPlanFile } from './layout.js';
import * as msg from './messages.js';
import { formatFolderStatus, isShardFolder, readPlanFile, readShardFolder, shardManifestHash, type QueuedTask, type QueueView } from './shard-status.js';
import {
  DEFAULT_MAX_ARRAY_SIZE,
  arrayScript,
  formatPlan,
  mergeScript,
  parseMaxArraySize,
  planArray,
  planFile,
  submitCommand,
  watchCommands,
  type ArrayPlan,
} from './slurm.js';
import { studyWork } from './study-work.js';

const slurmOptions = {
  'array-size': { type: 'string', describe: 'Array tasks (= shards) [default: one per simulation group within MaxArraySize, fewer when the pilot shows tasks under 5 minutes]' },
  parallel: { type: 'string', describe: 'At most this many tasks at once (the %P throttle)' },
  partition: { type: 'string', describe: 'Slurm partition' },
  time: { type: 'string', describe: 'Time limit per task in a Slurm format (90, 1:30:00, 2-00:00)' },
  'cpus-per-task': { type: 'string', describe: 'CPUs per task; the harness runs that many threads [default: 1]' },
  'max-requeues': { type: 'string', describe: 'Times a task at its time limit requeues itself [default: 3]' },
  submit: { type: 'boolean', describe: 'Submit both jobs with sbatch and print their ids' },
} as const;

/** The run's options that each task passes on, as `harness run` describes them. */
const runOptions = Object.fromEntries(
  (['task-timeout', 'max-failures', 'worker-memory'] as const).map((name) => [name, { ...optionTable[name], describe: `Passed on to each task's run. ${optionTable[name].describe}` }]),
);

/** Groups timed by default: enough to size the tasks, few enough not to delay the submission. */
const PILOT_GROUPS = 3;

export const slurmCommand: Command = {
  name: 'slurm',
  command: 'slurm <study>',
  describe: 'Write (and with --submit, submit) a Slurm array job that runs the study in shards, plus the job that merges them',
  builder: (y) =>
    y
      .positional('study', { type: 'string', describe: 'Study file or name' })
      .options({
        ...options('set', 'json'),
        ...pilotOption(PILOT_GROUPS),
        out: { type: 'string', describe: 'Shard folder on the shared filesystem [default: results/<study>]' },
        ...slurmOptions,
        ...runOptions,
        'task-timeout': { ...runOptions['task-timeout']!, describe: `${runOptions['task-timeout']!.describe}; the pilot's groups (stopped at ${PILOT_GROUP_LIMIT_MS / 1000} s) are held to a shorter one` },
      }),
  async run(args, io) {
    const pilotGroups = wholeNumber('pilot', args['pilot'], 0) ?? PILOT_GROUPS;
    const taskTimeoutMs = seconds('task-timeout', args['task-timeout']);
    const maxFailures = wholeNumber('max-failures', args['max-failures'], 1);
    const workerMemoryMb = wholeNumber('worker-memory', args['worker-memory'], minWorkerMemoryMb);
    const typedOut = text('out', args['out']) ?? null;
    // A given --out is checked before the pilot; the default one once the study names it.
    if (typedOut !== null) refuseUnusableOut(typedOut, resolve(io.cwd, typedOut));
    const work = await studyWork(String(args['study']), list(args['set']), { pilotGroups, cwd: io.cwd, taskTimeoutMs });
    const out = typedOut === null ? join(defaultResultsDir(io.cwd), work.study) : resolve(io.cwd, typedOut);
    if (typedOut === null) refuseUnusableOut(null, out);
    const plan = planArray(work, {
      out,
      arraySize: wholeNumber('array-size', args['array-size'], 1),
      parallel: wholeNumber('parallel', args['parallel'], 1),
      partition: text('partition', args['partition']),
      time: text('time', args['time']),
      cpusPerTask: wholeNumber('cpus-per-task', args['cpus-per-task'], 1) ?? 1,
      maxArraySize: siteMaxArraySize(io),
      maxRequeues: wholeNumber('max-requeues', args['max-requeues'], 0) ?? 3,
      runOptions: [
        ...(taskTimeoutMs === undefined ? [] : ['--task-timeout', String(taskTimeoutMs / 1000)]),
        ...(maxFailures === undefined ? [] : ['--max-failures', String(maxFailures)]),
        ...(workerMemoryMb === undefined ? [] : ['--worker-memory', String(workerMemoryMb)]),
      ],
      node: process.execPath,
      harness: join(projectRoot, 'bin/harness.mjs'),
      workdir: projectRoot,
    });
    refuseOtherShards(typedOut, out, plan.tasks, work.manifestHash);
    if (args['submit'] === true) refuseQueuedSubmission(out, io);
    writePlan(plan, typedOut);
    const jobs = args['submit'] === true ? submit(plan, io) : null;
    if (jobs) writePlanFile(plan, typedOut, jobs);
    if (args['json'] === true) {
      const { work: w, tasks, shards, files, warnings } = plan;
      println(io.stdout, JSON.stringify({ study: w.study, studyFile: w.studyFile, tasks, shards, files, warnings, jobs }));
      return exitCodes.ok;
    }
    println(io.stdout, formatPlan(plan));
    println(io.stdout, '');
    println(io.stdout, jobs ? watchCommands(plan, jobs.array, jobs.merge, io.cwd) : `Submit with --submit, or by hand:\n  ${submitCommand(plan.files.arrayScript, plan.files.mergeScript)}`);
    return exitCodes.ok;
  },
};

/** The site's MaxArraySize, or Slurm's default when the controller cannot be asked. */
function siteMaxArraySize(io: Io): number {
  try {
    const config = execFileSync('scontrol', ['show', 'config'], { env: io.env, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return parseMaxArraySize(config) ?? DEFAULT_MAX_ARRAY_SIZE;
  } catch {
    return DEFAULT_MAX_ARRAY_SIZE;
  }
}

/**
 * Refuses a shard folder (`typed`: --out as given, null for the default) that cannot take the
 * scripts, before anything is written: one no output can go into (outputFolderProblem), or one
 * where a folder stands in the way of a file it writes, or a file in the way of logs/.
 */
function refuseUnusableOut(typed: string | null, out: string): void {
  const unusable = (problem: string) => new InputError(msg.outUnusable(typed, out, problem));
  const problem = outputFolderProblem(out);
  if (problem) throw unusable(folderProblem.of(problem, (p) => p));
  if (!statOrNull(out)) return;
  // The study names only the merged database, which is not written here.
  const files = shardFolder(out, '');
  for (const file of [files.arrayScript, files.mergeScript, files.planFile]) {
    if (statOrNull(file)?.isDirectory()) throw unusable(msg.outProblem.folderInTheWay(file));
  }
  const logs = statOrNull(files.logs);
  if (logs && !logs.isDirectory()) throw unusable(folderProblem.isFile(files.logs));
}

/** Shards of a different cut, or of another study, in the folder would be mixed with the new ones: refuse. */
function refuseOtherShards(typed: string | null, out: string, tasks: number, manifestHash: string): void {
  if (!existsSync(out)) return;
  let names: string[];
  try {
    names = readdirSync(out).sort();
  } catch (thrown) {
    throw new InputError(msg.outUnusable(typed, out, msg.outProblem.notReadable(out, errnoCode(thrown) ?? errorMessage(thrown))));
  }
  const shards = names.flatMap((name) => {
    const shard = parseShardFileName(name);
    return shard ? [{ name, ...shard }] : [];
  });
  // Another study's, or this one's with other settings: each task would refuse its database,
  // and status and the merge would take their rows for this study's. Said first: resuming their
  // cut (below) is no way out for those.
  const others = shards.filter((s) => {
    const held = shardManifestHash(join(out, s.name));
    return held !== null && held !== manifestHash;
  });
  if (others.length > 0) throw new InputError(msg.folderHasOtherStudy(out, others.map((s) => s.name)));
  const counts = new Set(shards.map((s) => s.count));
  counts.delete(tasks);
  if (counts.size > 0) throw new InputError(msg.folderHasOtherShards(out, [...counts].sort((a, b) => a - b), tasks));
}

/**
 * Refuses to submit into a folder whose scripts still have jobs in the queue, however they were
 * submitted (by --submit, by hand, a rerun): the two arrays would run the same shards, each task
 * refused by the other's lock, and a second merge would run beside the first.
 */
function refuseQueuedSubmission(out: string, io: Io): void {
  const earlier = readPlanFile(out);
  const jobs = earlier && queuedJobs(io);
  if (!earlier || !jobs) return;
  const [arrayScript, mergeScript] = [realPath(earlier.arrayScript), realPath(earlier.mergeScript)];
  const mine = jobs.filter((j) => j.script === arrayScript || j.script === mergeScript);
  if (mine.length > 0) throw new InputError(msg.submissionQueued(out, [...new Set(mine.map((j) => j.job))]));
}

/**
 * Writes the scripts and the plan into the shard folder, each file atomically (a reader, or
 * sbatch, sees the old file or the new one, never part of one); the plan comes last, as it is
 * what marks the folder as a shard folder. A file-system error becomes an InputError naming
 * --out, the file and what was written before it.
 */
function writePlan(plan: ArrayPlan, typed: string | null): void {
  const written: string[] = [];
  const context = { plan, typed, written, jobs: null };
  for (const [file, content] of [
    [plan.files.arrayScript, arrayScript(plan)],
    [plan.files.mergeScript, mergeScript(plan)],
  ] as const) {
    writing(context, 'writing', file, () => {
      writeFileAtomically(file, content);
      // Executable for whoever runs one by hand; sbatch itself only reads them.
      chmodSync(file, 0o755);
    });
    written.push(basename(file));
  }
  // Slurm does not create the folder of a task's --output file.
  writing(context, 'creating', plan.files.logs, () => makeFolders(plan.files.logs));
  writePlanFile(plan, typed, null, written);
}

/** Writes `<out>/cluster-plan.json`, with the job ids once submitted (`written`: files written before it). */
function writePlanFile(plan: ArrayPlan, typed: string | null, jobs: ClusterPlanFile['jobs'], written: readonly string[] = []): void {
  writing({ plan, typed, written, jobs }, 'writing', plan.files.planFile, () => writeFileAtomically(plan.files.planFile, planFile(plan, jobs)));
}

/** Runs one write step on `path`; a file-system error becomes the --out message. */
function writing(
  context: { plan: ArrayPlan; typed: string | null; written: readonly string[]; jobs: ClusterPlanFile['jobs'] },
  action: 'creating' | 'writing',
  path: string,
  step: () => unknown,
): void {
  try {
    step();
  } catch (thrown) {
    const code = errnoCode(thrown);
    if (code === undefined) throw thrown;
    const { plan, typed, written, jobs } = context;
    throw new InputError(msg.outUnusable(typed, plan.files.out, folderProblem.failed(action, path, code), written, jobs));
  }
}

function sbatch(args: string[], script: string, io: Io, byHand: string): string {
  try {
    const out = execFileSync('sbatch', ['--parsable', ...args, script], { env: io.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split(';')[0]!;
  } catch (thrown) {
    const { code, stderr } = thrown as { code?: string; stderr?: string };
    throw new InputError(code === 'ENOENT' ? msg.sbatchMissing() : msg.sbatchFailed(script, stderr || errorMessage(thrown), byHand));
  }
}

function submit(plan: ArrayPlan, io: Io): { array: string; merge: string } {
  const byHand = submitCommand(plan.files.arrayScript, plan.files.mergeScript);
  const array = sbatch([], plan.files.arrayScript, io, byHand);
  const merge = sbatch([`--dependency=afterany:${array}`], plan.files.mergeScript, io, byHand);
  return { array, merge };
}

/** One job (or array task) of this user in the queue: its job id, array task, state, reason and script. */
interface QueuedJob {
  /** The array's job id for an array task (`<job>_<task>` names the task, as squeue shows it), else the job's. */
  job: string;
  task: string;
  state: string;
  /** Why it waits (squeue's REASON); null when squeue gives none. */
  reason: string | null;
  /** The script's real path: submitted through a symlink (a $SCRATCH link) it is the same file. */
  script: string;
}

/** This user's jobs in the queue, array tasks one by one; null when squeue cannot be asked. */
function queuedJobs(io: Io): QueuedJob[] | null {
  let listing: string;
  try {
    // The script's path last: it is the one field that may hold a "|".
    listing = execFileSync('squeue', ['-h', '-r', '-u', userInfo().username, '-o', '%F|%K|%T|%r|%o'], { env: io.env, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
  const real = new Map<string, string>();
  return listing.split('\n').flatMap((line) => {
    const [job, task, state, reason, ...path] = line.split('|');
    const command = path.join('|');
    if (job === undefined || task === undefined || state === undefined || reason === undefined || command === '') return [];
    if (!real.has(command)) real.set(command, realPath(command));
    return [{ job, task, state, reason: reason === 'None' || reason === '(null)' || reason === '' ? null : reason, script: real.get(command)! }];
  });
}

/**
 * Where the queue has the tasks of a plan's array script (the first submission and every
 * rerun alike: they run the same script); null when squeue cannot be asked.
 */
function queueOf(plan: ClusterPlanFile, io: Io): QueueView {
  const jobs = queuedJobs(io);
  if (jobs === null) return null;
  const script = realPath(plan.arrayScript);
  const queue = new Map<number, QueuedTask>();
  for (const { job, task, state, reason, script: submitted } of jobs) {
    if (submitted !== script || !/^\d+$/.test(task)) continue;
    const running = state === 'RUNNING' || state === 'COMPLETING' || state === 'CONFIGURING' || state === 'SUSPENDED';
    // A task queued twice (a rerun beside the first submission) counts as running if either runs.
    if (!running && queue.get(Number(task))?.state === 'running') continue;
    queue.set(Number(task), running ? { job, state: 'running', reason: null } : { job, state: 'pending', reason });
  }
  return queue;
}

/**
 * `status <target>` when the target is a shard folder: prints its shards and returns the exit
 * code, 0 when every shard is done and the folder can be merged, 1 otherwise (the merge job
 * stops on it). Returns null for anything else, which the plain `status` describes.
 */
export function shardFolderStatus(folder: string, json: boolean, io: Io): number | null {
  if (!isShardFolder(folder)) return null;
  const status = readShardFolder(folder, (plan) => queueOf(plan, io), new Date(), io.cwd);
  println(io.stdout, json ? JSON.stringify(status) : formatFolderStatus(status));
  return status.complete ? exitCodes.ok : exitCodes.incomplete;
}
