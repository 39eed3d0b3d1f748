/**
 * Which versions of an experiment's code computed the trials a database holds, by the hash each
 * run recorded (`run.code_hash`): a resume by other code, `status` and `merge` say so when the
 * stored trials mix versions. Runs of an older harness recorded no hash and are left out.
 */
import type { RunRecord } from '../experiment.js';
import { listRuns } from './runs.js';
import type { Store } from './store.js';

export interface CodeVersion {
  codeHash: string;
  /** The runs of this code whose finished trials are stored. */
  runs: number[];
  trials: number;
}

/** The versions whose finished trials the database holds, oldest first, from its runs and its finished trials by run (trialCells). */
export function codeVersions(runs: readonly RunRecord[], okByRun: ReadonlyMap<number | null, number>): CodeVersion[] {
  const versions = new Map<string, CodeVersion>();
  for (const run of runs) {
    const trials = okByRun.get(run.id) ?? 0;
    if (run.codeHash === null || trials === 0) continue;
    const version = versions.get(run.codeHash) ?? { codeHash: run.codeHash, runs: [], trials: 0 };
    version.runs.push(run.id);
    version.trials += trials;
    versions.set(run.codeHash, version);
  }
  return [...versions.values()];
}

/** Stored trials computed by other code of the experiment than `codeHash`, and the runs that did. */
export interface OtherCode {
  trials: number;
  runs: number[];
}

/** The versions whose finished trials a database holds, when there is more than one; else null. */
export function mixedCodeVersions(store: Store, runs: readonly RunRecord[] = listRuns(store)): CodeVersion[] | null {
  // The runs name one version or none: no pass over the trials for them.
  if (new Set(runs.map((r) => r.codeHash).filter((h) => h !== null)).size < 2) return null;
  const versions = codeVersions(runs, okTrialsByRun(store));
  return versions.length > 1 ? versions : null;
}

/** The finished trials that runs of other code than `codeHash` stored; null when there are none. */
export function trialsOfOtherCode(store: Store, codeHash: string): OtherCode | null {
  const runs = listRuns(store);
  // Most resumes run the code of the runs before: no pass over the trials for them.
  if (!runs.some((r) => r.codeHash !== null && r.codeHash !== codeHash)) return null;
  const others = codeVersions(runs, okTrialsByRun(store)).filter((v) => v.codeHash !== codeHash);
  if (others.length === 0) return null;
  return { trials: others.reduce((sum, v) => sum + v.trials, 0), runs: others.flatMap((v) => v.runs).sort((a, b) => a - b) };
}

function okTrialsByRun(store: Store): Map<number | null, number> {
  const rows = store.db.prepare(`SELECT run_id, count(*) AS n FROM trial WHERE status = 'ok' GROUP BY run_id`).all() as { run_id: number | null; n: number }[];
  return new Map(rows.map((r) => [r.run_id, r.n]));
}
