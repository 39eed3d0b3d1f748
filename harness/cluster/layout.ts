/**
 * The shard folder of a cluster run (`--out`): where each array task writes, where the merge
 * and the report go. One definition, used by the script writer and by `status`.
 *
 *   <out>/shard-<i>-of-<n>.sqlite   one database per array task
 *   <out>/array.sbatch              the array job
 *   <out>/merge.sbatch              the merge job
 *   <out>/cluster-plan.json         what was planned (and submitted): read back by `status`
 *   <out>/logs/shard-<i>.out        each task's output, appended across requeues and reruns
 *   <out>/<study>.sqlite            the merged database
 *   <out>/report/                   the report of the merged database
 */
import { join } from 'node:path';
import { z } from 'zod';

export interface ShardFolder {
  out: string;
  arrayScript: string;
  mergeScript: string;
  planFile: string;
  logs: string;
  merged: string;
  report: string;
}

export function shardFolder(out: string, study: string): ShardFolder {
  return {
    out,
    arrayScript: join(out, 'array.sbatch'),
    mergeScript: join(out, 'merge.sbatch'),
    planFile: join(out, PLAN_FILE),
    logs: join(out, 'logs'),
    merged: join(out, `${study}.sqlite`),
    report: join(out, 'report'),
  };
}

export const PLAN_FILE = 'cluster-plan.json';

export function shardFileName(index: number | string, count: number): string {
  return `shard-${index}-of-${count}.sqlite`;
}

export function shardLogName(index: number | string): string {
  return `shard-${index}.out`;
}

/** `shard-3-of-8.sqlite` -> { index: 3, count: 8 }; anything else -> null. */
export function parseShardFileName(name: string): { index: number; count: number } | null {
  const parsed = parseShardPath(name);
  return parsed?.prefix === '' ? { index: parsed.index, count: parsed.count } : null;
}

/**
 * A path ending in a shard's file name, `run --shard`'s (`results/paper.shard-3-of-8.sqlite`)
 * or a shard folder's (`shard-3-of-8.sqlite`): what comes before it, and the shard; else null.
 */
export function parseShardPath(path: string): { prefix: string; index: number; count: number } | null {
  const m = /^(.*?)shard-(\d+)-of-(\d+)\.sqlite$/.exec(path);
  if (!m) return null;
  const index = Number(m[2]);
  const count = Number(m[3]);
  return index < count ? { prefix: m[1]!, index, count } : null;
}

/**
 * Where shard `index/count`'s database is, or goes, among databases named as shards: the one
 * named for it, else its name beside them when they share a prefix (`results/paper.`); null
 * when they are not named alike.
 */
export function shardPathAmong(index: number, count: number, paths: readonly string[]): string | null {
  const own = paths.find((path) => {
    const shard = parseShardPath(path);
    return shard?.index === index && shard.count === count;
  });
  if (own) return own;
  const prefix = shardPrefixAmong(count, paths);
  return prefix === null ? null : `${prefix}${shardFileName(index, count)}`;
}

/** What the names of `paths` share before `shard-<i>-of-<count>.sqlite` (`results/paper.`), when all are named so; else null. */
export function shardPrefixAmong(count: number, paths: readonly string[]): string | null {
  const prefixes = new Set(paths.map((path) => {
    const shard = parseShardPath(path);
    return shard?.count === count ? shard.prefix : null;
  }));
  const [prefix] = prefixes;
  return prefixes.size === 1 && typeof prefix === 'string' ? prefix : null;
}

/** `<out>/cluster-plan.json`: what `harness slurm` planned, read back by `status`. */
export const ClusterPlanFile = z.strictObject({
  study: z.string(),
  studyFile: z.string(),
  overrides: z.array(z.string()),
  /** The study's manifest hash, which every shard must hold (absent in plans of older harnesses). */
  manifestHash: z.string().optional(),
  shardCount: z.int().positive(),
  /** At most this many tasks at once (`--parallel`), which a rerun keeps; null: no limit. */
  parallel: z.int().positive().nullable().optional(),
  /** Trials each shard must store to be done. */
  shardTrials: z.array(z.int().nonnegative()),
  arrayScript: z.string(),
  mergeScript: z.string(),
  /** Job ids once submitted. */
  jobs: z.strictObject({ array: z.string(), merge: z.string() }).nullable(),
});
export type ClusterPlanFile = z.infer<typeof ClusterPlanFile>;
