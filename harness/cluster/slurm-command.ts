/**
 * `harness slurm <study>`: writes the array and merge scripts of a study into its shard folder,
 * prints the plan, and with `--submit` hands both to sbatch (the merge after the array, with
 * `afterany`). Nothing of ours stays running: the queue does the waiting.
 *
 * `shardFolderStatus` is `status` over a shard folder (see shard-status.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from '../cli/commands/command.js';
import { exitCodes, println, type Io } from '../cli/io.js';
import { list, options, text, wholeNumber } from '../cli/options.js';
import { InputError, errorMessage } from '../errors.js';
import { projectRoot } from '../paths.js';
import { parseShardFileName, type ClusterPlanFile } from './layout.js';
import * as msg from './messages.js';
import { formatFolderStatus, isShardFolder, readShardFolder, type QueueView } from './shard-status.js';
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

export const slurmCommand: Command = {
  name: 'slurm',
  command: 'slurm <study>',
  describe: 'Write (and with --submit, submit) a Slurm array job that runs the study in shards, plus the job that merges them',
  builder: (y) =>
    y
      .positional('study', { type: 'string', describe: 'Study file or name' })
      .options({
        ...options('set', 'pilot', 'json'),
        out: { type: 'string', describe: 'Shard folder on the shared filesystem [default: results/<study>]' },
        ...slurmOptions,
      }),
  async run(args, io) {
    const pilotGroups = wholeNumber('pilot', args['pilot'], 0) ?? 3;
    const work = await studyWork(String(args['study']), list(args['set']), { pilotGroups, cwd: io.cwd });
    const out = resolve(io.cwd, text('out', args['out']) ?? join('results', work.study));
    const plan = planArray(work, {
      out,
      arraySize: wholeNumber('array-size', args['array-size'], 1),
      parallel: wholeNumber('parallel', args['parallel'], 1),
      partition: text('partition', args['partition']),
      time: text('time', args['time']),
      cpusPerTask: wholeNumber('cpus-per-task', args['cpus-per-task'], 1) ?? 1,
      maxArraySize: siteMaxArraySize(io),
      maxRequeues: wholeNumber('max-requeues', args['max-requeues'], 0) ?? 3,
      node: process.execPath,
      harness: join(projectRoot, 'bin/harness.mjs'),
      workdir: projectRoot,
    });
    refuseOtherShardCount(out, plan.tasks);
    writePlan(plan, null);
    const jobs = args['submit'] === true ? submit(plan, io) : null;
    if (jobs) writePlan(plan, jobs);
    if (args['json'] === true) {
      const { work: w, tasks, shards, files, warnings } = plan;
      println(io.stdout, JSON.stringify({ study: w.study, studyFile: w.studyFile, tasks, shards, files, warnings, jobs }));
      return exitCodes.ok;
    }
    println(io.stdout, formatPlan(plan));
    println(io.stdout, '');
    println(io.stdout, jobs ? watchCommands(plan, jobs.array, jobs.merge) : `Submit with --submit, or by hand:\n  ${submitCommand(plan.files.arrayScript, plan.files.mergeScript)}`);
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

/** Shards of a different cut in the folder would be mixed with the new ones: refuse. */
function refuseOtherShardCount(out: string, tasks: number): void {
  if (!existsSync(out)) return;
  const counts = new Set(readdirSync(out).flatMap((n) => parseShardFileName(n)?.count ?? []));
  counts.delete(tasks);
  if (counts.size > 0) throw new InputError(msg.folderHasOtherShards(out, [...counts].sort((a, b) => a - b), tasks));
}

function writePlan(plan: ArrayPlan, jobs: ClusterPlanFile['jobs']): void {
  mkdirSync(plan.files.logs, { recursive: true });
  writeFileSync(plan.files.arrayScript, arrayScript(plan), { mode: 0o755 });
  writeFileSync(plan.files.mergeScript, mergeScript(plan), { mode: 0o755 });
  writeFileSync(plan.files.planFile, planFile(plan, jobs));
}

function sbatch(args: string[], script: string, io: Io): string {
  try {
    const out = execFileSync('sbatch', ['--parsable', ...args, script], { env: io.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split(';')[0]!;
  } catch (thrown) {
    const { code, stderr } = thrown as { code?: string; stderr?: string };
    throw new InputError(code === 'ENOENT' ? msg.sbatchMissing() : msg.sbatchFailed(script, stderr || errorMessage(thrown)));
  }
}

function submit(plan: ArrayPlan, io: Io): { array: string; merge: string } {
  const array = sbatch([], plan.files.arrayScript, io);
  const merge = sbatch([`--dependency=afterany:${array}`], plan.files.mergeScript, io);
  return { array, merge };
}

/**
 * Where the queue has the tasks of a plan's array script (the first submission and every
 * rerun alike: they run the same script); null when squeue cannot be asked.
 */
function queueOf(plan: ClusterPlanFile, io: Io): QueueView {
  let listing: string;
  try {
    listing = execFileSync('squeue', ['-h', '-r', '-o', '%K|%T|%o'], { env: io.env, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
  const queue = new Map<number, 'pending' | 'running'>();
  for (const line of listing.split('\n')) {
    const [task, state, command] = line.split('|');
    if (command !== plan.arrayScript || task === undefined || !/^\d+$/.test(task)) continue;
    const running = state === 'RUNNING' || state === 'COMPLETING' || state === 'CONFIGURING' || state === 'SUSPENDED';
    if (running || queue.get(Number(task)) !== 'running') queue.set(Number(task), running ? 'running' : 'pending');
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
  const status = readShardFolder(folder, (plan) => queueOf(plan, io), new Date());
  println(io.stdout, json ? JSON.stringify(status) : formatFolderStatus(status));
  return status.complete ? exitCodes.ok : exitCodes.failedTrials;
}
