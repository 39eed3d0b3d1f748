/**
 * The balanced scenario: 9 models x 9 selectors, one replicate at base seed 42, through the
 * plugin's own runGroup (seeds derived as the harness derives them). Prints a Markdown table.
 *
 *   npx tsx experiments/inference-scaling/scripts/balanced-table.ts
 */
import type { GroupTask, Json } from '../../../harness/experiment.js';
import { groupKeyOf, seedOf, trialKeyOf } from '../../../harness/run/tasks.js';
import { MODEL_IDS } from '../catalog.js';
import experiment from '../experiment.js';
import { SELECTOR_IDS } from '../selectors.js';

const STUDY = 'balanced-table';
const BASE_SEED = 42;
const params = experiment.paramsSchema.parse({});

const identity = { study: STUDY, base_seed: BASE_SEED, experiment: { name: experiment.name, version: experiment.version } };

function task(model: string): GroupTask {
  const values = { scenario: 'balanced', model, replicate: 0 };
  const { simulation, seedIdentity } = experiment.groupOf(values, params);
  const seed = seedOf(identity, seedIdentity);
  return {
    groupKey: groupKeyOf(identity, simulation, seed),
    seed,
    params: params as unknown as Json,
    cells: SELECTOR_IDS.map((selector) => {
      const cellValues = { ...values, selector };
      return { key: trialKeyOf(identity, cellValues), values: cellValues, params: params as unknown as Json };
    }),
  };
}

const fmt = (x: unknown, digits: number) => (typeof x === 'number' ? x.toFixed(digits) : '-');
const lines = [
  '| model | selector | k* | C ($) | T (s) | A | note |',
  '|---|---|---:|---:|---:|---:|---|',
];
for (const model of MODEL_IDS) {
  const output = experiment.runGroup(task(model));
  output.trials.forEach((trial, i) => {
    const r = trial.result;
    const note = r.none_reason ?? [r.feasible === 0 ? 'infeasible' : '', r.breaks_latency === 1 ? 'breaks T_max' : ''].filter(Boolean).join(', ');
    lines.push(`| ${model} | ${SELECTOR_IDS[i]} | ${r.k_star ?? '-'} | ${fmt(r.cost, 4)} | ${fmt(r.latency, 2)} | ${fmt(r.accuracy, 4)} | ${note} |`);
  });
}
console.log(lines.join('\n'));
