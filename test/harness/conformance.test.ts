/**
 * Every experiment under experiments/ keeps the plugin contract: it loads, its declaration is
 * valid, its default study resolves, and the first group of that study runs to results that
 * fit its declared columns. A new experiment is covered by adding its folder.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellSpec, Experiment, GroupOutput, GroupTask } from '../../harness/experiment.js';
import { contractProblems, knownExperiments, loadExperiment } from '../../harness/experiments.js';
import { experimentsDir, projectRoot, studyFiles } from '../../harness/paths.js';
import { normalizeOutput } from '../../harness/pool/normalize.js';
import { groupsOfBlock } from '../../harness/run/tasks.js';
import { loadStudy } from '../../harness/study/study.js';
import { tempDir, writeStudy } from './helpers.js';

const dir = tempDir();

describe('experiment conformance', () => {
  const names = knownExperiments();

  it('finds the experiments of this project', () => {
    expect(names).toContain('inference-scaling');
  });

  for (const name of names) {
    it(`${name}: loads, declares a valid contract, and runs its first group of the default study`, async () => {
      const { experiment } = await loadExperiment(join(experimentsDir, name, 'experiment.ts'));
      expect(contractProblems(experiment)).toEqual([]);
      const study = await loadStudy(writeStudy(dir, `${name}.yaml`, { name: `conformance-${name}`, experiment: name }), { cwd: dir });
      const [group] = groupsOfBlock(study, 0, () => false);
      expect(group).toBeDefined();
      const outcome = normalizeOutput(experiment, group!.task, experiment.runGroup(group!.task), 0);
      expect(outcome.kind === 'failed' ? outcome.message : 'ok').toBe('ok');
      if (outcome.kind === 'ok') {
        expect(outcome.trials.filter((t) => !t.ok)).toEqual([]);
        expect(outcome.trials).toHaveLength(group!.task.cells.length);
      }
    });
  }

  it('names why a trial column may not take a name: an axis\'s, or one the harness stores beside it', async () => {
    const { experiment } = await loadExperiment(join(projectRoot, 'test', 'fixtures', 'experiments', 'noop.ts'));
    const columns = [
      { name: 'color', type: 'REAL', description: '' },
      { name: 'error', type: 'REAL', description: '' },
    ];
    expect(contractProblems({ ...experiment, trialColumns: columns })).toEqual([
      'trialColumns[0]: "color" names an axis, whose value the harness stores in a column of that name; rename the column, e.g. "color_value"',
      'trialColumns[1]: "error" is a column the harness stores beside the experiment\'s (it reserves cell_index, key, group_key, replicate, status, diagnostics, error, duration_ms, run_id, variant); rename it, e.g. "error_value"',
    ]);
    // A study's variants are stored under "variant": a result may not take it.
    expect(contractProblems({ ...experiment, trialColumns: [{ name: 'variant', type: 'TEXT', description: '' }] })).toEqual([
      'trialColumns[0]: "variant" is a column the harness stores beside the experiment\'s (it reserves cell_index, key, group_key, replicate, status, diagnostics, error, duration_ms, run_id, variant); rename it, e.g. "variant_value"',
    ]);
  });

  it("refuses an axis's defaults that repeat a value or fall outside its fixed choices: a study that leaves the axis out would run them", async () => {
    const { experiment } = await loadExperiment(join(projectRoot, 'test', 'fixtures', 'experiments', 'noop.ts'));
    const color = experiment.axes['color']!;
    expect(contractProblems({ ...experiment, axes: { ...experiment.axes, color: { ...color, defaults: ['red', 'red'] } } })).toEqual(['axis "color": "defaults" must name each value once']);
    expect(contractProblems({ ...experiment, axes: { ...experiment.axes, color: { ...color, defaults: ['red', 'mauve'] } } })).toEqual(['axis "color": "defaults" must be among its "choices"; mauve is not']);
  });

  for (const file of studyFiles()) {
    it(`study ${file.slice(projectRoot.length + 1)} resolves against its experiment`, async () => {
      const study = await loadStudy(file, { cwd: projectRoot });
      expect(study.grid.count).toBeGreaterThan(0);
    });
  }
});

describe("what runGroup returns, checked in the worker", () => {
  const experiment = {
    trialColumns: [
      { name: 'value', type: 'REAL', description: '' },
      { name: 'note', type: 'TEXT', description: '' },
    ],
    curveColumns: [],
  } as unknown as Experiment;
  const task: GroupTask = { groupKey: 'g', seed: '00', params: {}, cells: [{ key: 'a', values: {}, params: {} } as unknown as CellSpec] };
  const outcomeOf = (trials: unknown[]) => normalizeOutput(experiment, task, { groupKey: 'g', trials, curve: [] } as unknown as GroupOutput, 0);
  const trialOf = (trial: unknown) => {
    const outcome = outcomeOf([trial]);
    if (outcome.kind !== 'ok') throw new Error(outcome.message);
    return outcome.trials[0]!;
  };

  it('stores a column left out, or set to null, as NULL', () => {
    expect(trialOf({ key: 'a', result: { value: 1 } })).toEqual({ ok: true, values: [1, null], diagnostics: null });
    expect(trialOf({ key: 'a', result: { value: 1, note: null } })).toEqual({ ok: true, values: [1, null], diagnostics: null });
  });

  it('fails a trial whose column is named with nothing in it, or whose diagnostics are not JSON data, saying where', () => {
    expect(trialOf({ key: 'a', result: { value: undefined } })).toEqual({ ok: false, message: 'invalid result: column "value" got undefined; store null for "no value"' });
    expect(trialOf({ key: 'a', result: { value: 1 }, diagnostics: { at: { when: new Date(0) } } })).toEqual({
      ok: false,
      message: 'invalid result: diagnostics: at.when: a Date is not plain JSON data (it would be written as "1970-01-01T00:00:00.000Z"); convert it, e.g. a Date to its ISO text',
    });
    expect(trialOf({ key: 'a', result: { value: 1 }, diagnostics: { steps: [1, Number.NaN] } })).toEqual({
      ok: false,
      message: 'invalid result: diagnostics: steps[1]: NaN is not a finite number and has no stable text',
    });
    expect(trialOf({ key: 'a', result: { value: 1 }, diagnostics: { n: 1n } })).toEqual({ ok: false, message: 'invalid result: diagnostics: n: 1n (a BigInt) is not JSON' });
  });

  it('names a BigInt as one, and shows a plain object thrown as its JSON', async () => {
    expect(trialOf({ key: 'a', result: { value: 1n } })).toEqual({
      ok: false,
      message: 'invalid result: column "value" (REAL) got 1n (a BigInt); REAL takes a finite number (or null for "no value"): convert the value, or declare the column with the type it holds',
    });
    const { errorMessage } = await import('../../harness/errors.js');
    expect(errorMessage({ code: 42 })).toBe('thrown {"code":42}');
    expect(errorMessage(new RangeError('out of range'))).toBe('out of range');
    expect(errorMessage('text')).toBe('text');
  });

  const onePerCell = 'return one entry of "trials" for each cell of task.cells, with "key" set to that cell\'s key';

  it('fails the group that returns two results for one cell, or one for a key not in the task, and a cell without one, each with the rule', () => {
    expect(outcomeOf([{ key: 'a', result: { value: 1 } }, { key: 'a', result: { value: 2 } }])).toMatchObject({ kind: 'failed', message: `invalid output: runGroup returned two results for key a: ${onePerCell}` });
    expect(outcomeOf([{ key: 'b', result: { value: 1 } }])).toMatchObject({ kind: 'failed', message: `invalid output: runGroup returned a result for key "b", which is not in the task: ${onePerCell}` });
    expect(outcomeOf([])).toMatchObject({ kind: 'ok', trials: [{ ok: false, message: `runGroup returned no result for this cell: ${onePerCell}` }] });
  });

  it('fails a trial with a column the experiment does not declare, naming the nearest it does, or of the wrong type, with what the type takes', () => {
    expect(trialOf({ key: 'a', result: { valeu: 1 } })).toEqual({
      ok: false,
      message: 'invalid result: the result has unknown column "valeu" (did you mean "value"?); the experiment\'s trialColumns are "value", "note". Rename it, or declare it there',
    });
    expect(trialOf({ key: 'a', result: { note: 3 } })).toEqual({
      ok: false,
      message: 'invalid result: column "note" (TEXT) got 3; TEXT takes a string (or null for "no value"): convert the value, or declare the column with the type it holds',
    });
  });
});
