/**
 * What a study argument may go wrong with before any experiment runs: a results database given
 * where the study file belongs, and parameter paths in sweeps and variants that the experiment
 * does not have (the message lists every parameter there is and suggests the nearest one).
 */
import Database from 'better-sqlite3';
import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatPlan } from '../../harness/cli/format.js';
import * as msg from '../../harness/messages.js';
import { planStudy } from '../../harness/run/plan.js';
import { loadStudy } from '../../harness/study/study.js';
import { maxStudyBytes } from '../../harness/study/load.js';
import { formatPath } from '../../harness/text.js';
import { cli, fixtures, noopStudy, tempDir, writeStudy } from './helpers.js';

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

describe('an experiment whose schema strips the keys it does not know (a plain z.object)', () => {
  const loose = join(fixtures, 'experiments', 'loose.ts');
  const study = (doc: Record<string, unknown>) => ({ name: 'loose-study', experiment: loose, seeds: 1, ...doc });
  const looseParameters = ['dim', 'lr', 'schedule.decay'];

  it('refuses a misspelt parameter, where the schema would drop it and run with the default', async () => {
    const typo = writeStudy(dir, 'loose-typo.yaml', study({ params: { dimm: 3, lr: 0.1 } }));
    const expected = (file: string, path: string, close: string, received: unknown) =>
      `${msg.studyInvalid(file, [{ path: ['params', ...path.split('.')], received, ...msg.rule.unknownParam(path, looseParameters, close) }], new Map())}\n`;
    expect(await cli(['plan', typo, '--pilot', '0'], dir)).toEqual({ code: 2, stdout: '', stderr: expected('loose-typo.yaml', 'dimm', 'dim', 3) });
    const nested = writeStudy(dir, 'loose-nested.yaml', study({ params: { lr: 0.1, schedule: { decy: 0.5 } } }));
    expect(await cli(['plan', nested, '--pilot', '0'], dir)).toEqual({ code: 2, stdout: '', stderr: expected('loose-nested.yaml', 'schedule.decy', 'schedule.decay', 0.5) });
    const fine = writeStudy(dir, 'loose-fine.yaml', study({ params: { lr: 0.1 } }));
    const bySet = await cli(['plan', fine, '--pilot', '0', '--set', 'dimm=3'], dir);
    expect(bySet.code).toBe(2);
    expect(bySet.stderr).toContain('"dimm" is not a parameter of the experiment');
    expect(bySet.stderr).toContain('(from --set dimm=3)');
    expect((await cli(['plan', fine, '--pilot', '0'], dir)).code).toBe(0);
  });

  it('takes a parameter without a default from a sweep or the variants alone, and still requires it somewhere', async () => {
    const swept = writeStudy(dir, 'loose-swept.yaml', study({ sweep: { lr: [0.5, 0.75] } }));
    const run = await cli(['run', swept, '--db', 'loose-swept.sqlite', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const db = new Database(join(dir, 'loose-swept.sqlite'), { readonly: true });
    expect(db.prepare('SELECT lr, loss FROM trial ORDER BY cell_index').all()).toEqual([{ lr: 0.5, loss: 1 }, { lr: 0.75, loss: 1.5 }]);
    db.close();
    const byVariants = writeStudy(dir, 'loose-variants.yaml', study({ variants: { slow: { lr: 0.5 }, fast: { lr: 0.9 } } }));
    expect((await cli(['plan', byVariants, '--pilot', '0'], dir)).code).toBe(0);
    const nowhere = writeStudy(dir, 'loose-nowhere.yaml', study({}));
    const refused = await cli(['plan', nowhere, '--pilot', '0'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('params.lr');
  });
});

describe('the time estimate of plan', () => {
  const loose = join(fixtures, 'experiments', 'loose.ts');
  it('leaves the groups that fail out of the timing and says so; only when every group fails is there none', async () => {
    const some = writeStudy(dir, 'pilot-some.yaml', { name: 'pilot-some', experiment: loose, seeds: 4, sweep: { lr: [0.5, 2] } });
    const plan = await cli(['plan', some, '--pilot', '8', '--threads', '1'], dir);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Estimate: [\d.]+ ms per trial \(pilot of \d+ groups?\), 8 to run on 1 thread: about/);
    expect(plan.stdout).toMatch(/warning: \d+ groups? of the pilot failed \(their trials would fail; left out of the estimate\); the first: learning rate 2 is unstable/);
    const json = JSON.parse((await cli(['plan', some, '--pilot', '8', '--threads', '1', '--json'], dir)).stdout) as { estimate: { failedGroups: number; pilotGroups: number } };
    expect(json.estimate.failedGroups).toBeGreaterThan(0);
    expect(json.estimate.pilotGroups).toBeGreaterThan(0);
    const all = writeStudy(dir, 'pilot-all.yaml', { name: 'pilot-all', experiment: loose, seeds: 4, params: { lr: 3 } });
    const none = await cli(['plan', all, '--pilot', '2', '--threads', '1'], dir);
    expect(none.code).toBe(0);
    // Its two groups failing, the pilot tries the others (up to eight) before it says none runs: all four here.
    expect(none.stdout).toContain('Estimate: the pilot failed: 4 groups failed; the first: learning rate 3 is unstable');
  });

  const faulty = join(fixtures, 'experiments', 'faulty.ts');
  const faultyStudy = (behavior: string) =>
    writeStudy(dir, `pilot-${behavior}.yaml`, { name: `pilot-${behavior}`, experiment: faulty, axes: { behavior: ['ok', behavior], variant: ['a', 'b'] }, seeds: 3 });

  it('stops a group that runs past --task-timeout, ends the pilot there and counts the group at the limit', async () => {
    const plan = await cli(['plan', faultyStudy('hang'), '--threads', '1', '--task-timeout', '0.5'], dir);
    expect(plan.code, plan.stderr).toBe(0);
    // Sampled in bit-reversed order over the 6 groups: ok (replicate 0), then hang (replicate 1).
    // (0.5 s and the ok group's time, a few microseconds) / 4 trials.
    const perTrial = Number(/Estimate: ([\d.]+) ms per trial \(pilot of 2 groups\), 12 to run on 1 thread: about 1\.5 s\n/.exec(plan.stdout)?.[1]);
    expect(perTrial).toBeGreaterThanOrEqual(125);
    expect(perTrial).toBeLessThan(126);
    expect(plan.stdout).toContain(`  warning: ${msg.pilotGroupStopped({ behavior: 'hang', replicate: 1, variant: 'a' }, 0.5, true)}`);
  });

  it('without --task-timeout, stops a group at its own limit and calls the estimate a lower bound', async () => {
    const study = await loadStudy(faultyStudy('hang'), { cwd: dir });
    const report = await planStudy({ study, dbPath: '', shard: null, pilotGroups: 10, threads: 1, pilotGroupLimitMs: 400 });
    expect(report.estimate).toMatchObject({ pilotGroups: 2, stopped: { cell: { behavior: 'hang', replicate: 1, variant: 'a' }, limitMs: 400, byTaskTimeout: false } });
    const text = formatPlan(report, 'db.sqlite');
    const perTrial = Number(/Estimate: at least ([\d.]+) ms per trial \(pilot of 2 groups\), 12 to run on 1 thread: at least 1\.2 s\n/.exec(text)?.[1]);
    expect(perTrial).toBeGreaterThanOrEqual(100);
    expect(perTrial).toBeLessThan(101);
    expect(text).toContain(msg.pilotGroupStopped({ behavior: 'hang', replicate: 1, variant: 'a' }, 0.4, false));
  });

  it('runs its first group more than once, and says so where its results differ: the experiment is not deterministic', async () => {
    const random = writeStudy(dir, 'pilot-random.yaml', { name: 'pilot-random', experiment: faulty, axes: { behavior: ['random', 'ok'], variant: ['a', 'b'] }, seeds: 3 });
    const plan = await cli(['plan', random, '--threads', '1'], dir);
    expect(plan.code, plan.stderr).toBe(0);
    const [, first, second] = /column "value" was ([\d.e-]+), then ([\d.e-]+)\./.exec(plan.stdout) ?? [];
    expect(first).not.toBe(second);
    expect(plan.stdout).toContain(`  warning: ${msg.pilotGroupDiffered({ behavior: 'random', replicate: 0, variant: 'a' }, 'column "value"', Number(first), Number(second))}`);
    // Its results the same on every run, the ok group first says nothing.
    const steady = await cli(['plan', faultyStudy('random'), '--threads', '1'], dir);
    expect(steady.code, steady.stderr).toBe(0);
    expect(steady.stdout).not.toContain('different results');
  });

  it("runs cells of its first group alone, and says where a cell's results change with the other cells of its task", async () => {
    type Alone = { cell: Record<string, unknown>; where: string; inGroup: unknown; alone: unknown; params?: { path: string; first?: unknown; second?: unknown }[] };
    type Estimate = { alone?: Alone; differed?: unknown };
    const planned = async (name: string, doc: Record<string, unknown>): Promise<{ estimate: Estimate; text: string }> => {
      const study = writeStudy(dir, `${name}.yaml`, { name, experiment: faulty, seeds: 2, ...doc });
      const json = await cli(['plan', study, '--threads', '1', '--json'], dir);
      expect(json.code, json.stderr).toBe(0);
      const text = await cli(['plan', study, '--threads', '1'], dir);
      expect(text.code, text.stderr).toBe(0);
      return { estimate: (JSON.parse(json.stdout) as { estimate: Estimate }).estimate, text: text.stdout };
    };
    const warning = (a: Alone) => `  warning: ${msg.pilotCellAlone(a.cell, a.where, a.inGroup, a.alone, a.params)}`;
    // A parameter the cells of a group differ in (a shared sweep), read off the task: named.
    const misread = await planned('pilot-misread', { axes: { behavior: ['misread'], variant: ['a', 'b'] }, sweep: { offset: [0, 5] } });
    const m = misread.estimate.alone!;
    expect(m).toMatchObject({ cell: { behavior: 'misread', variant: 'a', offset: 5, replicate: 0 }, where: 'column "value"', params: [{ path: 'offset', first: 0, second: 5 }] });
    expect(Number(m.alone) - Number(m.inGroup)).toBe(5);
    expect(misread.text).toContain(warning(m));
    expect(misread.text).toContain('runGroup reads from task.params');
    // Also where an exclusion leaves the group's last cell the first one's offset.
    const excluded = await planned('pilot-misread-excluded', { axes: { behavior: ['misread'], variant: ['a', 'b'] }, sweep: { offset: [0, 5] }, exclude: [{ variant: ['b'], offset: [5] }] });
    expect(excluded.estimate.alone).toMatchObject({ cell: { variant: 'a', offset: 5 }, params: [{ path: 'offset', first: 0, second: 5 }] });
    // Results that depend on a cell's place in its task: no parameter blamed, the cells' params
    // differing or not.
    for (const [name, sweep] of [['pilot-sequential', {}], ['pilot-sequential-swept', { offset: [0, 5] }]] as const) {
      const sequential = await planned(name, { axes: { behavior: ['sequential'], variant: ['a', 'b'] }, sweep });
      const q = sequential.estimate.alone!;
      expect(q).toMatchObject({ cell: { behavior: 'sequential', replicate: 0 }, where: 'column "value"' });
      expect(q.params).toBeUndefined();
      expect(sequential.text).toContain(warning(q));
      expect(sequential.text).toContain('not on the other cells of its task');
    }
    // A cell computed from its own params says nothing, its group's params differing or not.
    for (const doc of [{ axes: { behavior: ['ok'], variant: ['a', 'b'] }, sweep: { offset: [0, 5] } }, { axes: { behavior: ['ok'], variant: ['a', 'b'] } }]) {
      const ok = await planned('pilot-ok', doc);
      expect(ok.estimate.alone).toBeUndefined();
      expect(ok.text).not.toContain('run alone');
    }
    // Results that do not repeat are said to, and not blamed on the cells (a group of 150 ms
    // repeats only once the warm-up is over).
    const random = await planned('pilot-random-slow', { axes: { behavior: ['random'], variant: ['a', 'b'] }, sweep: { offset: [0, 5] }, params: { delay_ms: 150 } });
    expect(random.estimate.differed).toBeDefined();
    expect(random.estimate.alone).toBeUndefined();
  }, 30_000);

  it('names, of the parameters a cell has other values of than its task, each one', async () => {
    // noop reads `label` off the task (and `mode` off the cell); the middle variant's label is read wrong.
    const variants = writeStudy(dir, 'pilot-variants.yaml', noopStudy({ name: 'pilot-variants', seeds: 2, variants: { v1: {}, v2: { label: 'x-', delay_ms: 1 }, v3: { mode: 'fancy' } } }));
    const plan = await cli(['plan', variants, '--threads', '1', '--json'], dir);
    expect(plan.code, plan.stderr).toBe(0);
    const { alone } = (JSON.parse(plan.stdout) as { estimate: { alone: { cell: Record<string, unknown>; where: string; params: unknown[] } } }).estimate;
    expect(alone).toMatchObject({ cell: { variant: 'v2' }, where: 'column "label"', inGroup: 'red-s', alone: 'x-red-s' });
    expect(alone.params).toEqual([{ path: 'delay_ms', first: 0, second: 1 }, { path: 'label', first: '', second: 'x-' }]);
  });

  it('says where it ran its first group once, as long as the whole pilot, and could not check that its results repeat', async () => {
    const slow = writeStudy(dir, 'pilot-slow.yaml', noopStudy({ name: 'pilot-slow', seeds: 2, params: { delay_ms: 2100 }, axes: { color: ['red'], size: ['s'] } }));
    const plan = await cli(['plan', slow, '--threads', '1', '--json'], dir);
    expect(plan.code, plan.stderr).toBe(0);
    const { estimate } = JSON.parse(plan.stdout) as { estimate: { pilotGroups: number; unrepeated: { seconds: number } } };
    expect(estimate.pilotGroups).toBe(1);
    expect(estimate.unrepeated.seconds).toBeGreaterThanOrEqual(2.1);
    const text = await cli(['plan', slow, '--threads', '1'], dir);
    expect(text.stdout).toMatch(/  warning: The pilot's first group took \d+\.\d s, as long as the whole pilot, so it ran once: whether the experiment's results repeat from the same seed was not checked\./);
  }, 30_000);

  it('counts a group whose worker dies as failed, and goes on', async () => {
    const plan = await cli(['plan', faultyStudy('crash'), '--threads', '1'], dir);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Estimate: [\d.]+ ms per trial \(pilot of 3 groups\), 12 to run on 1 thread: about/);
    expect(plan.stdout).toContain('warning: 3 groups of the pilot failed (their trials would fail; left out of the estimate); the first: its worker died while running this group (worker exited with code: 3)');
  });
});
