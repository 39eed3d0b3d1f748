/**
 * Every experiment under experiments/ keeps the plugin contract: it loads, its declaration is
 * valid, its default study resolves, and the first group of that study runs to results that
 * fit its declared columns. A new experiment is covered by adding its folder.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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

  for (const file of studyFiles()) {
    it(`study ${file.slice(projectRoot.length + 1)} resolves against its experiment`, async () => {
      const study = await loadStudy(file, { cwd: projectRoot });
      expect(study.grid.count).toBeGreaterThan(0);
    });
  }
});
