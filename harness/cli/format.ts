/** Plain-text views of plan, status and list results (the JSON views are the objects themselves). */
import { formatDuration } from '../cluster/format.js';
import type { PlanReport } from '../run/plan.js';
import type { DbStatus } from '../run/status.js';
import type { ExperimentEntry, StudyEntry } from '../run/list.js';
import * as msg from '../messages.js';
import { countOf, showList, showValue } from '../text.js';

export function formatPlan(p: PlanReport, db: string): string {
  const lines: string[] = [];
  lines.push(`Study ${p.study}: experiment ${p.experiment.name} v${p.experiment.version}, manifest ${p.manifestHash.slice(0, 12)}`);
  lines.push('Grid (outermost first):');
  for (const d of p.dims) lines.push(`  ${d.fields.join(' + ').padEnd(24)} ${String(d.values).padStart(6)} value${d.values === 1 ? '' : 's'}${d.shared ? '  (shared: one simulation per group)' : ''}`);
  lines.push(`  = ${countOf(p.cells, 'cell')} in ${countOf(p.groups, 'group')} of ${p.cells < p.groups * p.cellsPerGroup ? 'up to ' : ''}${p.cellsPerGroup}`);
  const where = p.shard ? `shard ${p.shard}` : 'all shards';
  const otherStudy = p.differences.find((d) => d.path === 'study');
  if (otherStudy) {
    lines.push(`Database ${db}: holds study ${showValue(otherStudy.stored)}, not ${showValue(otherStudy.current)} (a run would refuse it; give ${p.study} a database of its own with --db)`);
  } else if (p.database === 'differs') {
    lines.push(`Database ${db}: holds a different setup (a run would refuse it):`);
    for (const d of p.differences) lines.push(`  - ${d.path}: ${showValue(d.stored)} in the database, ${showValue(d.current)} now`);
  } else {
    lines.push(`Database ${db}: ${p.database === 'new' ? 'new' : 'exists, same setup'}`);
    if (p.otherCode) lines.push(`  ${msg.planMixesCode(p.otherCode)}`);
  }
  lines.push(`Trials (${where}): ${p.scope.cells} in all, ${p.scope.done} done, ${p.scope.failed} failed, ${p.scope.missing} missing`);
  if (p.shardMap.length) {
    lines.push(`Shards:`);
    for (const s of p.shardMap) lines.push(`  ${s.shard.padEnd(8)} ${String(s.cells).padStart(8)} cells ${String(s.groups).padStart(7)} groups`);
  }
  if (p.estimate && 'error' in p.estimate) lines.push(`Estimate: the pilot failed: ${p.estimate.error}`);
  else if (p.estimate) {
    const todo = p.scope.cells - p.scope.done;
    const { stopped } = p.estimate;
    const atLeast = stopped && !stopped.byTaskTimeout ? 'at least ' : '';
    lines.push(
      p.estimate.pilotGroups === 0
        ? 'Estimate: nothing to run.'
        : `Estimate: ${atLeast}${p.estimate.msPerCell.toFixed(3)} ms per trial (pilot of ${countOf(p.estimate.pilotGroups, 'group')}), ${todo} to run on ${countOf(p.estimate.threads, 'thread')}: ${atLeast || 'about '}${formatDuration(p.estimate.seconds)}`,
    );
    for (const warning of msg.pilotWarnings(p.estimate)) lines.push(`  warning: ${warning}`);
    if (p.estimate.failedGroups) {
      lines.push(`  warning: ${p.estimate.failedGroups} group${p.estimate.failedGroups === 1 ? '' : 's'} of the pilot failed (their trials would fail; left out of the estimate); the first: ${p.estimate.firstError}`);
    }
  }
  return lines.join('\n');
}

export function formatStatus(s: DbStatus, db: string): string {
  const lines = [`${db}: study ${s.study} (experiment ${s.experiment.name} v${s.experiment.version}, manifest ${s.manifestHash.slice(0, 12)})${s.running ? ' - a run is writing now' : ''}`];
  // A run of the whole grid makes the counts the whole grid's, whatever shards ran as well.
  const wholeGrid = s.runs.some((r) => r.shard === null);
  const scope = s.shards.length && !wholeGrid ? ` (shard${s.shards.length === 1 ? '' : 's'} ${s.shards.join(', ')})` : '';
  lines.push(`  trials${scope}: ${s.cells} in all, ${s.ok} ok, ${s.failed} failed, ${s.missing} missing`);
  lines.push(...whereUnfinished(s.byDimension));
  if (s.live) lines.push(`  ${msg.liveRunPace(s.live)}`);
  // The last started: a merge takes the lowest id of its database, the shards' runs come after it.
  const last = s.runs.reduce<(typeof s.runs)[number] | undefined>((latest, run) => (latest === undefined || run.startedAt >= latest.startedAt ? run : latest), undefined);
  if (last) {
    const commit = last.gitCommit ? `commit ${last.gitCommit.slice(0, 10)}${last.gitDirtyHash ? ' + changes' : ''}` : 'no git commit';
    const threads = last.status === 'merged' ? '' : `${last.threads} thread${last.threads === 1 ? '' : 's'}, `;
    lines.push(`  runs: ${s.runs.length}; last #${last.id} ${last.status}, started ${last.startedAt}, ${threads}${commit}, node ${last.nodeVersion}`);
  }
  for (const run of s.runs.filter((r) => r.status === 'stalled')) lines.push(`  ${msg.runStalled(run.id)}`);
  if (s.next) lines.push(`  ${msg.statusNext(s.missing, s.failed, s.next)}`);
  if (s.code.length > 1) {
    lines.push(`  warning: the trials were computed by ${s.code.length} versions of the experiment's code (${msg.codeVersionsText(s.code)}); rerun with --fresh to compute them all with one`);
  }
  return lines.join('\n');
}

/** Most values named per dimension in the status text (all of them are in --json). */
const VALUES_SHOWN = 8;

/**
 * Where the failed and missing trials lie: per dimension, the values that have any, when they
 * are not spread evenly over all of them (then the dimension says nothing of where).
 */
function whereUnfinished(dims: DbStatus['byDimension']): string[] {
  const lines: string[] = [];
  for (const dim of dims) {
    const unfinished = dim.values.filter((v) => v.failed + v.missing > 0);
    if (unfinished.length === 0) continue;
    const even = unfinished.length === dim.values.length && unfinished.every((v) => v.failed === unfinished[0]!.failed && v.missing === unfinished[0]!.missing);
    if (even) continue;
    const text = (v: (typeof unfinished)[number]) => `${v.value} ${[v.failed ? `${v.failed} failed` : '', v.missing ? `${v.missing} missing` : ''].filter(Boolean).join(', ')}`;
    const more = unfinished.length > VALUES_SHOWN ? `; ... (${countOf(unfinished.length - VALUES_SHOWN, 'more value')})` : '';
    lines.push(`    by ${dim.name}: ${unfinished.slice(0, VALUES_SHOWN).map(text).join('; ')}${more}`);
  }
  return lines;
}

/** A message of several lines, each after the first indented to sit under the entry it belongs to. */
function indentLines(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}

export function formatList(experiments: readonly ExperimentEntry[], studies: readonly StudyEntry[]): string {
  const lines = ['Experiments:'];
  if (!experiments.length) lines.push('  (none under experiments/)');
  for (const e of experiments) {
    if (e.error) {
      lines.push(`  ${e.name} (${e.module}): cannot load: ${indentLines(e.error, '    ')}`);
      continue;
    }
    lines.push(`  ${e.name} v${e.version} (${e.module}): ${e.description}`);
    for (const a of e.axes ?? []) {
      const values = a.choices ? `${showList(a.choices, 12)}${a.open ? ', or any the study defines' : ''}` : 'any the study defines';
      // An open axis's defaults are named: a study may define other values, and still runs these.
      const all = !a.open && a.defaults !== null && a.choices !== null && a.defaults.length === a.choices.length && a.defaults.every((d) => a.choices!.includes(d));
      const defaults = a.defaults === null ? '' : `; without it in the study: ${all ? 'all of them' : showList(a.defaults, 12)}`;
      lines.push(`    axis ${a.name}${a.shared ? ' (shared)' : ''}: ${values}${defaults}`);
    }
  }
  lines.push('Studies:');
  if (!studies.length) lines.push('  (none under experiments/*/)');
  for (const s of studies) {
    lines.push(s.error ? `  ${s.file}: invalid: ${indentLines(s.error, '    ')}` : `  ${s.name} (${s.file}, experiment ${s.experiment})${s.description ? `: ${s.description.trim().split('\n')[0]}` : ''}`);
  }
  return lines.join('\n');
}
