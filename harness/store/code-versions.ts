/**
 * Which versions of an experiment's code computed the trials a database holds, by the hash each
 * run recorded (`run.code_hash`): a resume by other code, `status` and `merge` say so when the
 * stored trials mix versions. Runs of an older harness recorded no hash and are left out.
 */
import type { RunRecord } from '../experiment.js';
import { statusCounts } from './reader.js';
import { listRuns } from './runs.js';
import type { Store } from './store.js';

export interface CodeVersion {
  codeHash: string;
  /** The runs of this code whose finished trials are stored. */
  runs: number[];
  trials: number;
}

/**
 * The versions whose finished trials the database holds, oldest first. `ok`: the number of
 * finished trials, where the caller counted them already.
 */
export function codeVersions(store: Store, runs: readonly RunRecord[] = listRuns(store), ok = () => statusCounts(store).ok): CodeVersion[] {
  const hashed = runs.filter((r) => r.codeHash !== null);
  const hashes = new Set(hashed.map((r) => r.codeHash!));
  if (hashes.size === 0) return [];
  if (hashes.size === 1 && hashed.length === runs.length) return [{ codeHash: [...hashes][0]!, runs: hashed.map((r) => r.id), trials: ok() }];
  // Which runs' trials are still stored (a rerun replaces failed ones): a pass over the trials, only here.
  const stored = new Map(
    (store.db.prepare(`SELECT run_id, count(*) AS n FROM trial WHERE status = 'ok' GROUP BY run_id`).all() as { run_id: number; n: number }[]).map((r) => [r.run_id, r.n]),
  );
  const versions = new Map<string, CodeVersion>();
  for (const run of hashed) {
    const trials = stored.get(run.id) ?? 0;
    if (trials === 0) continue;
    const version = versions.get(run.codeHash!) ?? { codeHash: run.codeHash!, runs: [], trials: 0 };
    version.runs.push(run.id);
    version.trials += trials;
    versions.set(run.codeHash!, version);
  }
  return [...versions.values()];
}

/** Stored trials computed by other code of the experiment than `codeHash`, and the runs that did. */
export interface OtherCode {
  trials: number;
  runs: number[];
}

/** The finished trials that runs of other code than `codeHash` stored; null when there are none. */
export function trialsOfOtherCode(store: Store, codeHash: string): OtherCode | null {
  const runs = listRuns(store);
  // Most resumes run the code of the runs before: no pass over the trials for them.
  if (!runs.some((r) => r.codeHash !== null && r.codeHash !== codeHash)) return null;
  const others = codeVersions(store, runs).filter((v) => v.codeHash !== codeHash);
  if (others.length === 0) return null;
  return { trials: others.reduce((sum, v) => sum + v.trials, 0), runs: others.flatMap((v) => v.runs).sort((a, b) => a - b) };
}
