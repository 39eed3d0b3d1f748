/**
 * A large results database without the compute: a finished S-seed database copied onto a
 * study with more seeds, replicate r carrying the rows of replicate r mod S. The target is
 * sealed and registered through the engine's store (manifest, run row); the rows are copied
 * inside SQLite (the keys of copy b get the suffix `:b`), so a million trials take seconds.
 * `harness report` reads it like any other database; only the repeated seeds tell it apart,
 * which changes the statistics but not the work a report does per trial.
 */
import { gridOf } from '../harness/manifest.js';
import { collectProvenance } from '../harness/run/provenance.js';
import { openForStudy } from '../harness/run/run.js';
import { quoteIdent } from '../harness/store/columns.js';
import { beginRun, endRun } from '../harness/store/runs.js';
import { curveColumnNames, trialColumnNames } from '../harness/store/schema.js';
import { Store } from '../harness/store/store.js';
import type { Study } from '../harness/study/study.js';

function strides(lengths: readonly number[]): number[] {
  const out = new Array<number>(lengths.length);
  let stride = 1;
  for (let j = lengths.length - 1; j >= 0; j--) {
    out[j] = stride;
    stride *= lengths[j]!;
  }
  return out;
}

/**
 * Writes `study` (the source's study with more seeds) into a new database at `target` from the
 * finished database at `source`; returns the rows written.
 */
export function tileDatabase(source: string, study: Study, target: string): { trials: number; curves: number } {
  const from = Store.open(source, 'read');
  const sourceBody = from.requireManifest().body;
  from.close();
  const body = study.manifest.body;
  const replicateDim = body.order.findIndex((names) => names.includes('replicate'));
  if (replicateDim < 0 || body.order[replicateDim]!.length !== 1) throw new Error('tile: replicate must be a dimension of its own');
  const oldLengths = gridOf(sourceBody).lengths;
  const newGrid = gridOf(body);
  if (newGrid.lengths.some((length, j) => j !== replicateDim && length !== oldLengths[j])) {
    throw new Error(`tile: ${source} holds another grid (${oldLengths.join(' x ')}); only the seeds may differ`);
  }
  const oldStrides = strides(oldLengths);
  const newStrides = strides(newGrid.lengths);
  // cell_index in the new grid: the same digits, the replicate digit shifted by the copy's offset.
  const index = newGrid.lengths
    .map((length, j) => `((cell_index / ${oldStrides[j]}) % ${j === replicateDim ? sourceBody.seeds : length}) * ${newStrides[j]}`)
    .join(' + ');

  const store = openForStudy(study, target, '', new Date());
  try {
    const runId = beginRun(store, collectProvenance({ threads: 1, shard: null, commandLine: `bench tile ${source}` }), 'running', new Date());
    store.db.prepare(`ATTACH DATABASE ? AS src`).run(source);
    const trialColumns = trialColumnNames(body);
    const copied = trialColumns.map((name) => {
      if (name === 'cell_index') return `${index} + @offset * ${newStrides[replicateDim]}`;
      if (name === 'key' || name === 'group_key') return `${name} || @suffix`;
      if (name === 'replicate') return 'replicate + @offset';
      if (name === 'run_id') return '@run';
      return quoteIdent(name);
    });
    const curveColumns = curveColumnNames(body);
    const insertTrials = store.db.prepare(
      `INSERT INTO trial (${trialColumns.map(quoteIdent).join(', ')}) SELECT ${copied.join(', ')} FROM src.trial WHERE replicate + @offset < @seeds`,
    );
    const insertCurves = store.db.prepare(
      `INSERT INTO curve (${curveColumns.map(quoteIdent).join(', ')})
       SELECT group_key || @suffix, ${curveColumns.slice(1).map(quoteIdent).join(', ')} FROM src.curve
       WHERE group_key IN (SELECT group_key FROM src.trial WHERE replicate + @offset < @seeds)`,
    );
    let trials = 0;
    let curves = 0;
    for (let copy = 0; copy * sourceBody.seeds < body.seeds; copy++) {
      const params = { offset: copy * sourceBody.seeds, suffix: copy === 0 ? '' : `:${copy}`, seeds: body.seeds, run: runId };
      store.db.transaction(() => {
        trials += insertTrials.run(params).changes;
        curves += insertCurves.run(params).changes;
      })();
    }
    store.db.prepare(`DETACH DATABASE src`).run();
    endRun(store, runId, 'done', { done: trials, failed: 0 }, new Date());
    return { trials, curves };
  } finally {
    store.close();
  }
}
