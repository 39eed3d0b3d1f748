/**
 * Shards: `i/N` picks every N-th block of the grid starting at block i (round robin over
 * blocks, so a block — the cells of one simulation — is never split and slow regions of the
 * grid spread over all shards). The shard comes from `--shard`, else from a job array's
 * environment:
 *   - Slurm: SLURM_ARRAY_TASK_ID of `--shard-count`, or of SLURM_ARRAY_TASK_COUNT when the array
 *     is the whole range 0..N-1 (`--array=0-7`). A partial array (a rerun of one task with
 *     `--array=3`) has a task count that is not the shard count, so it needs `--shard-count`:
 *     guessing would run the wrong slice.
 *   - Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX of `--shard-count`, or of
 *     JOB_COMPLETION_COUNT (set it in the Job's env to spec.completions).
 */
import { shellQuote } from '../cluster/shell.js';
import { withoutFresh, withoutOption } from '../text.js';
import { InputError } from '../errors.js';
import * as msg from '../messages.js';
import { pasteable } from '../paths.js';
import { relocatedCommand, type RecordedCommand } from './recorded-command.js';

export interface Shard {
  index: number;
  count: number;
}

export interface ShardChoice {
  shard: Shard | null;
  /** Where it came from: `--shard`, `SLURM_ARRAY_TASK_ID`, ... (null when unsharded). */
  source: string | null;
}

export function formatShard(shard: Shard | null): string | null {
  return shard ? `${shard.index}/${shard.count}` : null;
}

export function parseShard(text: string, source = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new InputError(msg.shardInvalid(source, text, 'must be "i/N" with whole numbers'));
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  if (shard.count < 1) throw new InputError(msg.shardInvalid(source, text, 'N must be at least 1'));
  if (shard.index >= shard.count) throw new InputError(msg.shardInvalid(source, text, 'i must be less than N (shards count from 0)'));
  return shard;
}

/**
 * Refuses a shard count above the study's simulation groups: a block is never split, so the
 * shards past them would have nothing to do, and their empty databases would pass for done work.
 */
export function checkShardFits(choice: ShardChoice, groups: number): void {
  const { shard, source } = choice;
  if (shard === null || shard.count <= groups) return;
  throw new InputError(msg.shardCountExceedsGroups(source ?? '--shard', formatShard(shard)!, groups));
}

function whole(env: Record<string, string | undefined>, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text.trim())) throw new InputError(msg.shardInvalid(name, text, 'must be a whole number'));
  return Number(text);
}

export function chooseShard(
  option: string | undefined,
  shardCount: number | undefined,
  env: Record<string, string | undefined>,
): ShardChoice {
  if (option !== undefined) {
    // Never one count ignored for another: the ignored one would be stored and shown in reruns.
    if (shardCount !== undefined) throw new InputError(msg.shardCountWithShard(option, shardCount));
    return { shard: parseShard(option), source: '--shard' };
  }
  const slurmId = whole(env, 'SLURM_ARRAY_TASK_ID');
  if (slurmId !== undefined) {
    if (shardCount !== undefined) {
      return { shard: parseShard(`${slurmId}/${shardCount}`, 'SLURM_ARRAY_TASK_ID'), source: 'SLURM_ARRAY_TASK_ID' };
    }
    const count = whole(env, 'SLURM_ARRAY_TASK_COUNT');
    if (count === undefined) throw new InputError(msg.shardInvalid('SLURM_ARRAY_TASK_COUNT', '', 'must be set with SLURM_ARRAY_TASK_ID'));
    const min = whole(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const max = whole(env, 'SLURM_ARRAY_TASK_MAX') ?? count - 1;
    if (min !== 0 || max !== count - 1) {
      throw new InputError(
        msg.shardInvalid('SLURM_ARRAY_TASK_ID', String(slurmId), `the array ${min}-${max} is not the whole range 0-${count - 1}, so its task count is not the shard count; pass --shard-count N (or --shard ${slurmId}/N)`),
      );
    }
    return { shard: parseShard(`${slurmId}/${count}`, 'SLURM_ARRAY_TASK_ID'), source: 'SLURM_ARRAY_TASK_ID' };
  }
  const k8sIndex = whole(env, 'JOB_COMPLETION_INDEX');
  if (k8sIndex !== undefined) {
    const count = shardCount ?? whole(env, 'JOB_COMPLETION_COUNT');
    if (count === undefined) {
      throw new InputError(msg.shardInvalid('JOB_COMPLETION_INDEX', String(k8sIndex), 'needs the shard count from --shard-count or JOB_COMPLETION_COUNT'));
    }
    return { shard: parseShard(`${k8sIndex}/${count}`, 'JOB_COMPLETION_INDEX'), source: 'JOB_COMPLETION_INDEX' };
  }
  // A count with no index to go with it (an array task started without its variables) would
  // otherwise run the whole study, in every task.
  if (shardCount !== undefined) throw new InputError(msg.shardCountWithoutIndex(shardCount));
  return { shard: null, source: null };
}

export function blockInShard(block: number, shard: Shard | null): boolean {
  return !shard || shardOf(block, shard.count) === shard.index;
}

/** The shard index (of `count`) that a block belongs to. */
export function shardOf(block: number, count: number): number {
  return block % count;
}

/** Orders shards (`i/N`) by index: as text, 10/36 would come before 2/36. */
export function byShardIndex(a: string, b: string): number {
  return parseShard(a).index - parseShard(b).index || a.localeCompare(b);
}

const dbOption = /\s--db(?:=|\s+)('(?:[^']|'\\'')*'|\S+)/;

/** `line` with `option` added among its options (before a `--`, after which words are arguments). */
function withOption(line: string, option: string): string {
  const end = line.indexOf(' -- ');
  return end < 0 ? `${line}${option}` : `${line.slice(0, end)}${option}${line.slice(end)}`;
}

/** A recorded command line made to name the database `db` (its --db replaced, or added). */
export function withDbOption(line: string, db: string): string {
  const option = ` --db ${shellQuote(db)}`;
  return dbOption.test(line) ? line.replace(dbOption, () => option) : withOption(line, option);
}

/**
 * A command line made to name `shard` (`i/N`) itself: its --shard replaced, or, where a job
 * array's variables gave the shard, `--shard i/N` added and --shard-count (which --shard refuses)
 * left out. So it runs that shard wherever it is run, with the variables or without them.
 */
export function withShardOption(line: string, shard: string): string {
  const shardOption = /(\s--shard[= ])(\d+\/\d+)(?=\s|$)/;
  return shardOption.test(line) ? line.replace(shardOption, `$1${shard}`) : withOption(withoutOption(line, '--shard-count'), ` --shard ${shard}`);
}

/**
 * The command that runs a recorded run's command line again (less --fresh), which resumes it:
 * its `shard` written out (withShardOption), and writing `db` where given; to paste in `cwd`
 * (pasteable; its paths relocated there, see relocatedCommand).
 */
export function rerunRecorded(recorded: RecordedCommand, shard: string | null, db: string | null, cwd?: string): string {
  const line = relocatedCommand(recorded, cwd);
  const sharded = shard === null ? withoutFresh(line) : withShardOption(withoutFresh(line), shard);
  return pasteable(db === null ? sharded : withDbOption(sharded, db), cwd);
}

/** The command that runs the last `harness run` of `runs` again (rerunRecorded); null where none ran. */
export function rerunLast(runs: readonly (RecordedCommand & { shard: string | null })[], db: string | null, cwd?: string): string | null {
  const last = runs.findLast((r) => r.commandLine.startsWith('harness run '));
  return last ? rerunRecorded(last, last.shard, db, cwd) : null;
}

/**
 * The command that computes what `shard` lacks: the one it was run with (less --fresh), which resumes it (with
 * `--shard` written out where Slurm's or a Job's variables gave the shard, which a command run
 * by hand lacks); for a shard never run, another shard's with the shard swapped, keeping the
 * study and every --set. Its --db is `db` where the caller knows where the shard's database is
 * or goes (the folder the user looks at, not where a recorded command, in another working
 * folder, wrote); otherwise the recorded --db follows when it names its shard
 * (`shard-1-of-4.sqlite` becomes `shard-0-of-4.sqlite`), and is left out when it does not (the
 * shard gets its default database). Options go before a `--`, after which words are arguments.
 * The command is to paste in `cwd` (pasteable; its paths relocated there, see relocatedCommand).
 */
export function rerunShard(shard: string, recorded: Readonly<Record<string, RecordedCommand>>, db: string | null = null, cwd?: string): string {
  const withDb = (line: string) => (db === null ? line : withDbOption(line, db));
  const withShard = (line: string) => withShardOption(line, shard);
  const own = recorded[shard];
  if (own) return rerunRecorded(own, shard, db, cwd);
  const count = shard.split('/')[1];
  // Another shard of the cut, run with --shard i/N or given its shard by a job array's variables.
  const template = Object.entries(recorded).find(([other, run]) => run.commandLine.startsWith('harness run ') && other.endsWith(`/${count}`))?.[1];
  if (!template) return pasteable(withDb(`harness run <study> --shard ${shard}`), cwd);
  const [index] = shard.split('/');
  const swapped = withShard(withoutFresh(relocatedCommand(template, cwd))).replace(dbOption, (option) => {
    const named = new RegExp(`shard-\\d+-of-${count}(?=\\.sqlite)`);
    return named.test(option) ? option.replace(named, `shard-${index}-of-${count}`) : '';
  });
  return pasteable(withDb(swapped), cwd);
}
