/**
 * What a study argument may go wrong with before any experiment runs: a results database given
 * where the study file belongs, and parameter paths in sweeps and variants that the experiment
 * does not have (the message lists every parameter there is and suggests the nearest one).
 */
import Database from 'better-sqlite3';
import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as msg from '../../harness/messages.js';
import { maxStudyBytes } from '../../harness/study/load.js';
import { formatPath } from '../../harness/text.js';
import { cli, noopStudy, tempDir, writeStudy } from './helpers.js';

const dir = tempDir('harness-study-input-');

/** Every parameter of the inference-scaling experiment, as a sweep or a variant may set it. */
const inferenceParameters = [
  'sim.M',
  'sim.k_max',
  'sim.P',
  'sim.step',
  'sim.sampling',
  'sim.latency',
  'sim.sd_A_scale',
  'feasibility',
  'delta',
  'fixed_k',
  'scenarios.<name>.{intent,C_max,T_max,acc_min,P,k_max,M}',
  'models.<name>.{name,size,mu_in,sd_in,mu_out,sd_out,c_in,c_out,t_in,t_out,mu_A,sd_A}',
];

const tiny = {
  name: 'tiny',
  experiment: 'inference-scaling',
  seeds: 1,
  axes: { scenario: ['balanced'], model: ['gpt5'], selector: ['utopia'] },
  params: { sim: { M: 50 } },
};

/** The message for one unknown parameter at `where` in the study (`from`: the --set that put it there). */
function unknownParameter(file: string, where: PropertyKey[], path: string, known: readonly string[], close: string, from?: string): string {
  const sources = new Map(from ? [[formatPath(where), from]] : []);
  return `${msg.studyInvalid(file, [{ path: where, received: path, ...msg.rule.unknownParam(path, known, close) }], sources)}\n`;
}

describe('a results database given as the study', () => {
  beforeAll(async () => {
    writeStudy(dir, 'noop.yaml', noopStudy({ name: 'made' }));
    expect((await cli(['run', 'noop.yaml', '--db', 'made.sqlite', '--threads', '1'], dir)).code).toBe(0);
    // Larger than any study file may be: the database is named as such, not as too large.
    copyFileSync(join(dir, 'made.sqlite'), join(dir, 'big.sqlite'));
    const big = new Database(join(dir, 'big.sqlite'));
    big.exec(`CREATE TABLE padding (x BLOB); INSERT INTO padding VALUES (zeroblob(${2 * maxStudyBytes}));`);
    big.close();
    expect(statSync(join(dir, 'big.sqlite')).size).toBeGreaterThan(maxStudyBytes);
    // Any SQLite file, even one the harness did not make, is no study file.
    const other = new Database(join(dir, 'other.db'));
    other.exec('CREATE TABLE notes (text TEXT);');
    other.close();
  });

  it('says it is a results database, not a study file, for run, plan and slurm (exit 2)', async () => {
    for (const db of ['made.sqlite', 'big.sqlite', 'other.db']) {
      for (const argv of [['run', db], ['plan', db], ['slurm', db, '--pilot', '0'], ['run', join(dir, db)]]) {
        const result = await cli(argv, dir);
        expect({ argv, ...result }).toEqual({ argv, code: 2, stdout: '', stderr: `${msg.studyIsDatabase(db)}\n` });
      }
    }
  });

  it('names the commands the user probably meant', () => {
    const text = msg.studyIsDatabase('results/paper.sqlite');
    expect(text).toContain('results/paper.sqlite is a results database (an SQLite file), not a study file.');
    expect(text).toContain('"harness status results/paper.sqlite"');
    expect(text).toContain('"harness report results/paper.sqlite"');
    expect(text).toContain('experiments/inference-scaling/paper.yaml');
  });

  it('still reads a study file whose text merely starts like an SQLite header', async () => {
    writeStudy(dir, 'sqlite-ish.yaml', `# SQLite format 3\n${JSON.stringify(noopStudy({ name: 'ish' }))}\n`);
    expect((await cli(['plan', 'sqlite-ish.yaml', '--pilot', '0'], dir)).code).toBe(0);
  });
});

describe('an unknown parameter in a sweep or a variant', () => {
  it('lists every parameter of the experiment (defaulted or not) and suggests the nearest path', async () => {
    const file = writeStudy(dir, 'sweep-typo.yaml', { ...tiny, sweep: { 'sim.MM': [1, 2] } });
    const result = await cli(['plan', file, '--pilot', '0'], dir);
    const stderr = unknownParameter('sweep-typo.yaml', ['sweep', 'sim.MM'], 'sim.MM', inferenceParameters, 'sim.M');
    expect(result).toEqual({ code: 2, stdout: '', stderr });
    expect(result.stderr).toContain('Did you mean "sim.M"? Parameters: sim.M, sim.k_max, sim.P, sim.step,');
  });

  it('does the same for a variant, a sweep made by --set, and a field of a scenario override', async () => {
    const variant = writeStudy(dir, 'variant-typo.yaml', { ...tiny, variants: { base: {}, big: { 'sim.MM': 1000 } } });
    expect((await cli(['plan', variant, '--pilot', '0'], dir)).stderr).toBe(
      unknownParameter('variant-typo.yaml', ['variants', 'big', 'sim.MM'], 'sim.MM', inferenceParameters, 'sim.M'),
    );
    const set = writeStudy(dir, 'set-typo.yaml', tiny);
    const bySet = await cli(['plan', set, '--pilot', '0', '--set', 'sim.k_mx=16,32'], dir);
    expect(bySet.stderr).toBe(unknownParameter('set-typo.yaml', ['sweep', 'sim.k_mx'], 'sim.k_mx', inferenceParameters, 'sim.k_max', 'sim.k_mx=16,32'));
    expect(bySet.stderr).toContain('(from --set sim.k_mx=16,32). Did you mean "sim.k_max"?');
    const field = writeStudy(dir, 'field-typo.yaml', { ...tiny, variants: { base: {}, cheap: { 'scenarios.balanced.C_mx': 0.5 } } });
    const path = 'scenarios.balanced.C_mx';
    expect((await cli(['plan', field, '--pilot', '0'], dir)).stderr).toBe(
      unknownParameter('field-typo.yaml', ['variants', 'cheap', path], path, inferenceParameters, 'scenarios.balanced.C_max'),
    );
  });

  it('accepts the parameters it lists, swept or set by a variant', async () => {
    const file = writeStudy(dir, 'valid.yaml', {
      ...tiny,
      sweep: { 'sim.M': [50, 60], 'scenarios.balanced.C_max': [0.5, 1] },
      variants: { base: {}, tight: { 'sim.k_max': 16, 'models.gpt5.sd_A': 0.1 } },
    });
    expect((await cli(['plan', file, '--pilot', '0'], dir)).code).toBe(0);
  });

  it('keeps the list of an experiment whose parameters all have defaults', async () => {
    const file = writeStudy(dir, 'noop-typo.yaml', noopStudy({ sweep: { scael: [1, 2] } }));
    expect((await cli(['plan', file, '--pilot', '0'], dir)).stderr).toBe(
      unknownParameter('noop-typo.yaml', ['sweep', 'scael'], 'scael', ['n', 'scale', 'mode', 'label', 'delay_ms', 'touch'], 'scale'),
    );
  });
});
