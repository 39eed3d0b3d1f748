/**
 * Slurm array jobs for a study: the plan (how many tasks, what each runs, how long) and the
 * text of the two sbatch scripts. Pure: the caller supplies the study's work and the site's
 * limits, and does the writing and submitting.
 *
 * Contract of the scripts:
 * - Task i of the array runs shard i of N (N fixed in the script, so `sbatch --array=i` reruns
 *   that one shard alone) into its own database `<out>/shard-<i>-of-<N>.sqlite`. Rerunning a
 *   task resumes its shard: trials already stored are kept.
 * - SIGTERM (scancel, preemption) and SIGUSR1 (sent by `--signal` shortly before the time
 *   limit) are passed to the harness as SIGTERM: it commits every finished trial and exits.
 *   After SIGUSR1 the task requeues itself (at most `maxRequeues` times), and its next start
 *   resumes the shard. `--requeue` lets Slurm requeue it after preemption or node failure.
 * - The merge job runs after every task has ended (afterany): one failed task never cancels
 *   the others. It checks the shard folder first, so a missing or unfinished shard stops it
 *   with the command that reruns only that shard.
 */
import { InputError } from '../errors.js';
import { harnessCall } from '../paths.js';
import { shardFileName, shardFolder, shardLogName, type ClusterPlanFile, type ShardFolder } from './layout.js';
import { formatDuration } from './format.js';
import * as msg from './messages.js';
import { shellCommand, shellQuote } from './shell.js';

/** What the engine knows about the study before it runs. */
export interface StudyWork {
  /** Short name: used in job names and the merged database's file name. */
  study: string;
  /** The study file as the shards must read it (an absolute path on the shared filesystem). */
  studyFile: string;
  /** `--set path=value` overrides that every shard repeats. */
  overrides: readonly string[];
  /** The hash of the study's sealed manifest: what every shard database of the plan must hold. */
  manifestHash: string;
  /** Simulation groups with a cell to run (pool tasks: cells that share one simulation) and trials in the study. */
  groups: number;
  trials: number;
  /**
   * The study's grid blocks, those whose every cell it excludes included: shards are dealt every
   * N-th block, so there are at most this many (see harness/run/shard.ts).
   */
  blocks: number;
  /** The engine's shard map: groups and trials of each shard when the grid is cut into `count`. */
  shardLoads(count: number): { groups: number; trials: number }[];
  /** Per block, whether it holds a cell to run (one the study does not exclude). */
  liveBlocks: readonly boolean[];
  /** Seconds one group takes on one thread, from a pilot run; null when unknown. */
  pilotSecondsPerGroup: number | null;
  /** What the pilot found to warn of (a group stopped at its time limit, or one whose results differed between runs). */
  pilotWarnings?: string[];
  /** Whether pilotSecondsPerGroup is a lower bound (a group ran past the pilot's own time limit). */
  pilotLowerBound?: boolean;
}

/** Whole numbers (>= 1; maxRequeues >= 0) as the command line has checked them. */
export interface SlurmOptions {
  /** Shard folder on the shared filesystem (absolute). */
  out: string;
  /** Array tasks; when undefined, chosen from the pilot (see `defaultTaskCount`). */
  arraySize: number | undefined;
  /** At most this many tasks at once (the `%P` throttle); undefined: no throttle. */
  parallel: number | undefined;
  partition: string | undefined;
  /** Slurm time limit per task (`minutes`, `h:mm:ss`, `d-hh:mm`, ...); undefined: the partition's. */
  time: string | undefined;
  cpusPerTask: number;
  /** The site's MaxArraySize (`scontrol show config`): array indices stay below it. */
  maxArraySize: number;
  /** How often a task that reaches its time limit puts itself back in the queue. */
  maxRequeues: number;
  /** Options each task passes on to its `harness run` (--task-timeout, --max-failures, --worker-memory). */
  runOptions: readonly string[];
  /** Absolute paths of the Node binary, of `bin/harness.mjs`, and of the project root. */
  node: string;
  harness: string;
  workdir: string;
}

export interface ShardLoad {
  index: number;
  groups: number;
  trials: number;
  /** Wall seconds on `cpusPerTask` threads, from the pilot; null without one. */
  estimatedSeconds: number | null;
}

export interface ArrayPlan {
  work: Omit<StudyWork, 'shardLoads'>;
  options: SlurmOptions;
  files: ShardFolder;
  tasks: number;
  shards: ShardLoad[];
  warnings: string[];
}

/** Slurm's default MaxArraySize, used when `scontrol show config` cannot be read. */
export const DEFAULT_MAX_ARRAY_SIZE = 1001;
/** Without `--array-size`, tasks are packed so each runs at least this long (given a pilot). */
export const MIN_TASK_SECONDS = 300;
/** Seconds before the time limit at which Slurm sends SIGUSR1 to the task's shell. */
export const TIME_LIMIT_WARNING_SECONDS = 60;
/** How much earlier than asked Slurm may send that signal (sbatch's man page, --signal). */
const SIGNAL_EARLY_SECONDS = 60;

export function planArray(work: StudyWork, options: SlurmOptions): ArrayPlan {
  const { groups, blocks } = work;
  if (groups === 0) throw new InputError(msg.emptyStudy(work.studyFile));
  if (options.partition !== undefined && !/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/.test(options.partition)) {
    throw new InputError(msg.badPartition(options.partition));
  }
  const timeLimitSeconds = options.time === undefined ? null : parseSlurmTime(options.time);
  // Slurm warns a task this long before its limit (and, its man page says, up to 60 s earlier
  // still), and the task then stops to requeue itself.
  const warnedBefore = TIME_LIMIT_WARNING_SECONDS + SIGNAL_EARLY_SECONDS;
  if (timeLimitSeconds !== null && timeLimitSeconds <= warnedBefore) throw new InputError(msg.timeWithinWarning(options.time!, warnedBefore));

  let tasks: number;
  if (options.arraySize === undefined) {
    tasks = withoutIdleTasks(work.liveBlocks, defaultTaskCount(work, options));
  } else {
    if (options.arraySize > options.maxArraySize) {
      throw new InputError(msg.arrayTooLarge(options.arraySize, options.maxArraySize, blocks));
    }
    if (options.arraySize > blocks) throw new InputError(msg.arrayLargerThanGrid(options.arraySize, blocks, groups));
    tasks = options.arraySize;
  }

  const loads = work.shardLoads(tasks);
  if (loads.length !== tasks) throw new RangeError(`shardLoads(${tasks}) returned ${loads.length} shards`);
  const shards: ShardLoad[] = loads.map((load, index) => ({ index, ...load, estimatedSeconds: null }));
  const pilot = work.pilotSecondsPerGroup;
  if (pilot !== null) {
    for (const s of shards) s.estimatedSeconds = Math.ceil(s.groups / options.cpusPerTask) * pilot;
  }

  const warnings: string[] = [...(work.pilotWarnings ?? [])];
  // Shards are dealt every N-th group, the study's excluded ones too: a task may get only those.
  const idle = shards.filter((s) => s.groups === 0).map((s) => s.index);
  if (idle.length > 0) {
    const fits = largestWithoutIdle(work.liveBlocks, tasks) ?? 1;
    warnings.push(msg.idleTasks(idle, tasks, fits, Math.max(...liveLoads(work.liveBlocks, fits)), Math.max(...liveLoads(work.liveBlocks, tasks))));
  }
  const longest = Math.max(...shards.map((s) => s.estimatedSeconds ?? 0));
  if (timeLimitSeconds !== null && pilot !== null && longest > timeLimitSeconds - warnedBefore) {
    warnings.push(msg.beyondTimeLimit(longest, options.time!, options.maxRequeues, warnedBefore));
  }

  const { shardLoads: _, ...rest } = work;
  return {
    work: { ...rest, overrides: [...work.overrides] },
    options,
    files: shardFolder(options.out, work.study),
    tasks,
    shards,
    warnings,
  };
}

/**
 * One task per block, within MaxArraySize; with a pilot, fewer tasks so that each runs at least
 * MIN_TASK_SECONDS (scheduling and start-up cost seconds per task) on the groups there are to run.
 */
export function defaultTaskCount(work: Pick<StudyWork, 'groups' | 'blocks' | 'pilotSecondsPerGroup'>, options: SlurmOptions): number {
  let tasks = Math.min(work.blocks, options.maxArraySize);
  if (work.pilotSecondsPerGroup !== null) {
    const wallSeconds = (work.groups * work.pilotSecondsPerGroup) / options.cpusPerTask;
    tasks = Math.min(tasks, Math.max(1, Math.floor(wallSeconds / MIN_TASK_SECONDS)));
  }
  return tasks;
}

/**
 * The largest task count, at most `tasks`, that deals every task a block with a cell to run and
 * no task more such blocks than `mostPerTask`: shards are dealt every N-th block, the excluded
 * ones too, and a task dealt only those would start, find nothing to do and end. Null when none
 * does.
 */
export function largestWithoutIdle(liveBlocks: readonly boolean[], tasks: number, mostPerTask = Infinity): number | null {
  for (let count = tasks; count >= 1; count--) {
    const load = liveLoads(liveBlocks, count);
    if (load.every((n) => n > 0) && Math.max(...load) <= mostPerTask) return count;
  }
  return null;
}

/** The default array, less the tasks that would be idle where fewer tasks take no longer: each no more groups than before. */
export function withoutIdleTasks(liveBlocks: readonly boolean[], tasks: number): number {
  return largestWithoutIdle(liveBlocks, tasks, Math.max(...liveLoads(liveBlocks, tasks))) ?? tasks;
}

/** How many blocks with a cell to run each of `count` shards is dealt. */
export function liveLoads(liveBlocks: readonly boolean[], count: number): number[] {
  const load = new Array<number>(count).fill(0);
  liveBlocks.forEach((live, block) => {
    if (live) load[block % count]!++;
  });
  return load;
}

/**
 * Slurm's time formats: `minutes`, `minutes:seconds`, `hours:minutes:seconds`, `days-hours`,
 * `days-hours:minutes`, `days-hours:minutes:seconds`. Returns seconds.
 */
export function parseSlurmTime(text: string): number {
  const m = /^(?:(\d+)-(\d+)(?::(\d+)(?::(\d+))?)?|(\d+)(?::(\d+)(?::(\d+))?)?)$/.exec(text.trim());
  if (!m) throw new InputError(msg.badTime(text));
  const n = (s: string | undefined): number => (s === undefined ? 0 : Number(s));
  let seconds: number;
  if (m[1] !== undefined) {
    seconds = ((n(m[1]) * 24 + n(m[2])) * 60 + n(m[3])) * 60 + n(m[4]);
  } else if (m[7] !== undefined) {
    seconds = (n(m[5]) * 60 + n(m[6])) * 60 + n(m[7]);
  } else {
    seconds = n(m[5]) * 60 + n(m[6]);
  }
  if (seconds <= 0) throw new InputError(msg.badTime(text));
  return seconds;
}

/** MaxArraySize from `scontrol show config` output; null when the line is absent. */
export function parseMaxArraySize(scontrolConfig: string): number | null {
  const m = /^\s*MaxArraySize\s*=\s*(\d+)\s*$/m.exec(scontrolConfig);
  return m ? Number(m[1]) : null;
}

function harnessArgs(plan: ArrayPlan): string[] {
  return [plan.options.node, plan.options.harness];
}

function sbatchHeader(plan: ArrayPlan, lines: string[]): string[] {
  const { options } = plan;
  const all = [...lines];
  if (options.time !== undefined) all.push(`--time=${options.time}`);
  if (options.partition !== undefined) all.push(`--partition=${options.partition}`);
  all.push('--open-mode=append', `--chdir=${options.workdir}`);
  return all.map((l) => `#SBATCH ${shellQuoteOption(l)}`);
}

/** `--output=/a b/c` -> `--output='/a b/c'` (sbatch reads #SBATCH lines with shell-like splitting). */
function shellQuoteOption(option: string): string {
  const eq = option.indexOf('=');
  return eq < 0 ? option : `${option.slice(0, eq + 1)}${shellQuote(option.slice(eq + 1))}`;
}

export function arrayScript(plan: ArrayPlan): string {
  const { work, options, files, tasks } = plan;
  const range = tasks === 1 ? '0' : `0-${tasks - 1}`;
  const throttle = options.parallel === undefined ? '' : `%${options.parallel}`;
  const dbPattern = `${files.out}/${shardFileName('$task', tasks)}`;
  const rest = `${work.overrides.map((o) => ` --set ${shellQuote(o)}`).join('')}${options.runOptions.map((o) => ` ${shellQuote(o)}`).join('')}`;
  const run = [
    shellCommand([...harnessArgs(plan), 'run', work.studyFile]),
    `--shard "$task/${tasks}" --db ${quoteKeepingVariables(dbPattern)}`,
    `--threads "\${SLURM_CPUS_PER_TASK:-1}"${rest} &`,
  ];
  // The same run as a task's, for a user's shell (all its cores), `<i>` standing for the shard.
  const byHand = `npx harness run ${shellQuote(work.studyFile)} --shard <i>/${tasks} --db ${shellQuote(files.out)}/${shardFileName('<i>', tasks)}${rest}`;
  return [
    '#!/bin/bash',
    `# Study ${work.study} (${work.studyFile}) as a Slurm array: task i runs shard i of ${tasks}`,
    `# into ${files.out}/shard-<i>-of-${tasks}.sqlite. Written by \`harness slurm\`.`,
    '#',
    '# Rerunning a task resumes its shard (stored trials are kept). Rerun task i alone, then merge:',
    `#   ${submitCommand(files.arrayScript, files.mergeScript, '<i>')}`,
    '#',
    ...sbatchHeader(plan, [
      `--job-name=harness-${work.study}`,
      `--array=${range}${throttle}`,
      `--cpus-per-task=${options.cpusPerTask}`,
      `--output=${files.logs}/${shardLogName('%a')}`,
      '--requeue',
      `--signal=B:USR1@${TIME_LIMIT_WARNING_SECONDS}`,
    ]),
    'set -uo pipefail',
    '',
    `max_requeues=${options.maxRequeues}`,
    // A quoted here-document: the hint's quotes and $ are printed as they are.
    'if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then',
    "  cat >&2 <<'EOF'",
    msg.arrayScriptOutsideArray(byHand, options.workdir),
    'EOF',
    '  exit 1',
    'fi',
    'task=$SLURM_ARRAY_TASK_ID',
    `echo "harness: shard $task of ${tasks}, job \${SLURM_ARRAY_JOB_ID}_$task, restart \${SLURM_RESTART_COUNT:-0}, host $(hostname)"`,
    '',
    `${run[0]} \\`,
    `  ${run[1]} \\`,
    `  ${run[2]}`,
    'harness=$!',
    '',
    '# SIGUSR1 comes shortly before the time limit, SIGTERM on scancel or preemption: either way',
    '# the harness gets SIGTERM, commits every finished trial and exits.',
    'time_limit=0',
    `trap 'time_limit=1; [ -n "$harness" ] && kill -TERM "$harness" 2>/dev/null' USR1`,
    `trap '[ -n "$harness" ] && kill -TERM "$harness" 2>/dev/null' TERM`,
    '# A trap interrupts `wait` (status > 128) while the harness still runs: wait again. Once it',
    '# has exited its pid may be given to another process, so it is forgotten, never signalled.',
    'while :; do',
    '  wait "$harness"; status=$?',
    '  [ "$status" -gt 128 ] && kill -0 "$harness" 2>/dev/null || break',
    'done',
    'harness=',
    '',
    '# At the time limit the task goes back in the queue; its next start resumes the shard.',
    '# It names itself as <array>_<task>: for the last task $SLURM_JOB_ID is the whole array.',
    'if [ "$time_limit" = 1 ] && [ "${SLURM_RESTART_COUNT:-0}" -lt "$max_requeues" ]; then',
    '  echo "harness: time limit near; requeueing ${SLURM_ARRAY_JOB_ID}_$task"',
    '  scontrol requeue "${SLURM_ARRAY_JOB_ID}_$task"',
    'fi',
    'exit "$status"',
    '',
  ].join('\n');
}

/** Double-quotes a path that contains `$task`, escaping everything else the shell would expand. */
function quoteKeepingVariables(text: string): string {
  return `"${text.replace(/[\\"`]/g, '\\$&').replace(/\$(?!task\b)/g, '\\$')}"`;
}

export function mergeScript(plan: ArrayPlan): string {
  const { work, files, tasks } = plan;
  const h = shellCommand(harnessArgs(plan));
  const shardsGlob =
    tasks === 1
      ? shellQuote(`${files.out}/${shardFileName(0, 1)}`)
      : `${shellQuote(files.out)}/shard-{0..${tasks - 1}}-of-${tasks}.sqlite`;
  return [
    '#!/bin/bash',
    `# Merge job of study ${work.study}: after every task of the array has ended (afterany), checks`,
    `# that all ${tasks} shards are done, merges them into ${files.merged}`,
    `# and writes the report to ${files.report}. Written by \`harness slurm\`; submit it as`,
    `#   sbatch --dependency=afterany:<array job id> ${shellQuote(files.mergeScript)}`,
    '#',
    ...sbatchHeader(plan, [
      `--job-name=harness-${work.study}-merge`,
      '--cpus-per-task=1',
      `--output=${files.logs}/merge.out`,
    ]),
    'set -euo pipefail',
    '',
    '# A missing or unfinished shard stops the merge here, with the command that reruns it alone.',
    `${h} status ${shellQuote(files.out)}`,
    '# Exit code 1: some trials failed. They are results too, so the report is still written.',
    'merged=0',
    `${h} merge ${shellQuote(files.merged)} ${shardsGlob} || merged=$?`,
    '[ "$merged" -le 1 ] || exit "$merged"',
    `${h} report ${shellQuote(files.merged)} --out ${shellQuote(files.report)}`,
    'exit "$merged"',
    '',
  ].join('\n');
}

/** The plan as the user reads it before submitting. */
export function formatPlan(plan: ArrayPlan): string {
  const { work, options, files, tasks, shards } = plan;
  const span = (xs: number[]): string => {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return lo === hi ? `${lo}` : `${lo}-${hi}`;
  };
  // "1 group", "2 groups", "1-2 groups".
  const counted = (xs: number[], noun: string): string => `${span(xs)} ${span(xs) === '1' ? noun : `${noun}s`}`;
  const estimates = shards.map((s) => s.estimatedSeconds).filter((x): x is number => x !== null);
  const limits = [
    `${options.cpusPerTask} CPU${options.cpusPerTask === 1 ? '' : 's'} each`,
    options.parallel === undefined ? null : `at most ${options.parallel} at once`,
    options.time === undefined ? null : `time limit ${options.time}`,
    options.partition === undefined ? null : `partition ${options.partition}`,
  ].filter((x) => x !== null);
  return [
    msg.studyWork(work.study, work.trials, work.groups, work.blocks),
    `Array job: ${tasks} task${tasks === 1 ? '' : 's'} (MaxArraySize ${options.maxArraySize}), ${limits.join(', ')}`,
    `Per task: ${counted(shards.map((s) => s.groups), 'group')}, ${counted(shards.map((s) => s.trials), 'trial')}, ` +
      (estimates.length > 0
        ? `${work.pilotLowerBound ? 'at least' : 'about'} ${formatDuration(Math.max(...estimates))} (pilot: ${formatDuration(work.pilotSecondsPerGroup!)} per group on one thread)`
        : 'time unknown (no pilot)'),
    ...plan.warnings.map((w) => `Warning: ${w}`),
    `Array script: ${files.arrayScript}`,
    `Merge script: ${files.mergeScript}`,
    `Shards:       ${files.out}/shard-<i>-of-${tasks}.sqlite`,
    `Merged:       ${files.merged}, report in ${files.report}`,
  ].join('\n');
}

/**
 * Submits the array (or only its tasks `tasks`, e.g. `3,5`) and then the merge job, to run
 * once those tasks have ended: what `--submit` does, as one shell command.
 */
export function submitCommand(arrayScript: string, mergeScript: string, tasks?: string): string {
  const only = tasks === undefined ? '' : ` --array=${tasks}`;
  return `array=$(sbatch --parsable${only} ${shellQuote(arrayScript)}) && sbatch --dependency=afterany:\${array%%;*} ${shellQuote(mergeScript)}`;
}

/** What to run to follow submitted jobs, in `cwd`. */
export function watchCommands(plan: ArrayPlan, arrayJob: string, mergeJob: string, cwd: string): string {
  return [
    `Array job ${arrayJob} (${plan.tasks} tasks), merge job ${mergeJob}`,
    `Watch:  ${harnessCall(cwd)} status ${shellQuote(plan.files.out)}`,
    `        squeue -j ${arrayJob},${mergeJob}`,
    `Logs:   ${plan.files.logs}/`,
  ].join('\n');
}

/** The plan file's content (`<out>/cluster-plan.json`), with the job ids once submitted. */
export function planFile(plan: ArrayPlan, jobs: ClusterPlanFile['jobs']): string {
  const file: ClusterPlanFile = {
    study: plan.work.study,
    studyFile: plan.work.studyFile,
    overrides: [...plan.work.overrides],
    manifestHash: plan.work.manifestHash,
    shardCount: plan.tasks,
    parallel: plan.options.parallel ?? null,
    shardTrials: plan.shards.map((s) => s.trials),
    arrayScript: plan.files.arrayScript,
    mergeScript: plan.files.mergeScript,
    jobs,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}
