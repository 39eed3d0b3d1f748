/**
 * Study files: every way a study can be wrong gets one clear message from the catalogue (the
 * file, the path inside it, the rule, the value received, a hint), and valid studies expand to
 * the grid and manifest they describe.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { studyFiles } from '../../harness/paths.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../harness/errors.js';
import * as msg from '../../harness/messages.js';
import { locateStudy, maxStudyBytes, readStudyDocument } from '../../harness/study/load.js';
import { loadStudy } from '../../harness/study/study.js';
import { maxParamCombinations } from '../../harness/study/resolve.js';
import { showValue } from '../../harness/text.js';
import { checkedModule, cli, faultyModule, noopModule, noopStudy, openAxisModule, tempDir, writeStudy } from './helpers.js';

const dir = tempDir();
let counter = 0;

async function load(doc: Record<string, unknown> | string, sets: string[] = []) {
  const file = writeStudy(dir, `study-${++counter}.yaml`, doc);
  return { file: `study-${counter}.yaml`, study: await loadStudy(file, { cwd: dir, sets }) };
}

async function failure(doc: Record<string, unknown> | string, sets: string[] = []): Promise<{ message: string; file: string }> {
  const file = `study-${++counter}.yaml`;
  writeStudy(dir, file, doc);
  try {
    await loadStudy(join(dir, file), { cwd: dir, sets });
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(InputError);
    return { message: (thrown as Error).message, file };
  }
  throw new Error('expected the study to be refused');
}

/** The line the catalogue writes for one issue. */
function line(path: string, r: { rule: string; hint?: string }, received: unknown): string {
  return `${path}: ${r.rule}; received ${showValue(received)}.${r.hint ? ` ${r.hint}` : ''}`;
}

describe('study files: valid', () => {
  it('expands axes, seeds and defaults into a grid with shared axes innermost', async () => {
    const { study } = await load(noopStudy());
    expect(study.manifest.body.order).toEqual([['color'], ['replicate'], ['size']]);
    expect(study.grid.count).toBe(3 * 3 * 3);
    expect(study.grid.blockSize).toBe(3);
    expect(study.manifest.body.params).toEqual({ n: 4, scale: 2, mode: 'plain', label: '', delay_ms: 0 });
    const { study: defaulted } = await load({ name: 'd', experiment: noopModule });
    expect(defaulted.manifest.body.axes).toEqual({ color: ['red', 'green'], size: ['s', 'm'] });
    expect(defaulted.grid.count).toBe(4);
  });

  it('makes a sweep over a simulation parameter an outer dimension and one over another parameter shared', async () => {
    const { study } = await load(noopStudy({ sweep: { n: [2, 5], 'params.mode': ['plain', 'fancy'] } }));
    expect(study.manifest.body.order).toEqual([['color'], ['n'], ['replicate'], ['size'], ['mode']]);
    expect(study.manifest.body.shared_dims).toBe(2);
    expect(study.grid.count).toBe(3 * 2 * 3 * 3 * 2);
    const cell = study.grid.valuesOf(study.grid.size - 1);
    expect(cell).toEqual({ color: 'blue', n: 5, replicate: 2, size: 'l', mode: 'fancy' });
    expect(study.paramsOf(study.grid.size - 1).json).toMatchObject({ n: 5, mode: 'fancy', scale: 2 });
  });

  it('counts zipped axes once and removes excluded cells', async () => {
    const { study } = await load(
      noopStudy({ axes: { color: ['red', 'green', 'blue'], size: ['s', 'm', 'l'] }, zip: [['size', 'color']], exclude: [{ color: 'red' }] }),
    );
    expect(study.manifest.body.zip).toEqual([['color', 'size']]);
    expect(study.grid.count).toBe(3 * 3 - 3);
  });

  it("narrows the file's exclude and zip to what --set leaves of an axis or a sweep", async () => {
    const file = noopStudy({
      axes: { color: ['red', 'green', 'blue'], size: ['s', 'm', 'l'] },
      sweep: { n: [1, 2], scale: [3, 4] },
      zip: [['n', 'scale']],
      exclude: [{ color: ['red', 'blue'], size: 'm' }, { color: 'green' }, { n: 2, size: 's' }],
    });
    // Only blue left: the first rule keeps blue alone, the second (green) has nothing left to exclude.
    const blue = (await load(file, ['color=blue'])).study;
    expect(blue.manifest.body.exclude).toEqual([{ color: ['blue'], size: ['m'] }, { n: [2], size: ['s'] }]);
    expect(blue.grid.count).toBe(3 * 3 * 2 - 3 * 2 - 3);
    // n fixed at 2 takes its zip partner to the value paired with it (scale 4), never 3; the third
    // rule then holds wherever size is s.
    const fixed = (await load(file, ['n=2'])).study;
    expect(fixed.manifest.body.zip).toEqual([]);
    expect(fixed.manifest.body.sweep).toEqual({});
    expect(fixed.manifest.body.params).toMatchObject({ n: 2, scale: 4 });
    expect(fixed.manifest.body.exclude).toEqual([{ color: ['red', 'blue'], size: ['m'] }, { color: ['green'] }, { size: ['s'] }]);
    // n fixed at 1 (scale 3): the third rule excludes nothing.
    const one = (await load(file, ['n=1'])).study.manifest.body;
    expect([one.params, one.exclude]).toEqual([expect.objectContaining({ n: 1, scale: 3 }), [{ color: ['red', 'blue'], size: ['m'] }, { color: ['green'] }]]);
    // A value the zip does not pair: refused, unless its partner is set too.
    await expect(load(file, ['n=5'])).rejects.toThrow(msg.setZipUnpaired('n=5', 'n', ['scale'], 0, [1, 2]));
    expect((await load(file, ['n=5', 'scale=7'])).study.manifest.body.params).toMatchObject({ n: 5, scale: 7 });
    // A rule --set leaves with no field would exclude every cell: refused, saying so.
    await expect(load(noopStudy({ sweep: { n: [1, 2] }, exclude: [{ n: 2 }] }), ['n=2'])).rejects.toThrow(msg.setExcludesEverything(['n=2'], 0));
    // A value the file never had (a typo) is the file's to fix, at its place in the file.
    const typo = await failure(noopStudy({ exclude: [{ color: 'green' }, { color: 'purple' }] }), ['color=blue']);
    expect(typo.message).toContain('exclude[0].color: matches no value of color; received "purple" (from --set color=blue: the file\'s exclude[1]).');
  });

  it('applies --set overrides: top-level fields, axes, a parameter, and a comma list as a sweep', async () => {
    const { study } = await load(noopStudy(), ['seeds=2', 'axes.color=blue', 'size=s,xl', 'scale=3', 'params.n=1,2']);
    const body = study.manifest.body;
    expect(body.seeds).toBe(2);
    expect(body.axes).toEqual({ color: ['blue'], size: ['s', 'xl'] });
    expect(body.params).toMatchObject({ scale: 3 });
    expect(body.sweep).toEqual({ n: [1, 2] });
    const { study: unswept } = await load(noopStudy({ sweep: { n: [1, 2] } }), ['n=7']);
    expect(unswept.manifest.body.sweep).toEqual({});
    expect(unswept.manifest.body.params).toMatchObject({ n: 7 });
  });

  it('gives the same manifest hash whatever the order of keys in the file', async () => {
    const a = await load('name: k\nexperiment: ' + noopModule + '\nseeds: 2\naxes: {size: [s], color: [red, blue]}\nparams: {n: 2, scale: 1}\n');
    const b = await load('params: {scale: 1, n: 2}\naxes: {color: [red, blue], size: [s]}\nseeds: 2\nexperiment: ' + noopModule + '\nname: k\n');
    expect(b.study.manifest.hash).toBe(a.study.manifest.hash);
    const c = await load('params: {scale: 1, n: 2}\naxes: {color: [red, blue], size: [s]}\nseeds: 2\nexperiment: ' + noopModule + '\nname: k\ndescription: another text\n');
    expect(c.study.manifest.hash).toBe(a.study.manifest.hash);
  });

  it('finds a study by name among the project study files', () => {
    const studies = join(dir, 'experiments');
    mkdirSync(join(studies, 'a'), { recursive: true });
    mkdirSync(join(studies, 'b'), { recursive: true });
    const known = [join(studies, 'a', 'one.yaml'), join(studies, 'a', 'two.yaml'), join(studies, 'b', 'two.yaml')];
    expect(locateStudy('one', dir, known)).toBe(known[0]);
    // Its file's name, where no file of that path is in the folder.
    expect(locateStudy('one.yaml', dir, known)).toBe(known[0]);
    expect(() => locateStudy('two.yaml', dir, known)).toThrow(msg.studyAmbiguous('two.yaml', known.slice(1)));
    expect(() => locateStudy('two', dir, known)).toThrow(msg.studyAmbiguous('two', known.slice(1)));
    expect(() => locateStudy('onne', dir, known)).toThrow(msg.studyNotFound('onne', ['one', 'two'], 'one'));
    // A file that declares another name than its own is known, and suggested, by that name (as "harness list" shows it).
    mkdirSync(join(studies, 'c'), { recursive: true });
    writeFileSync(join(studies, 'c', 'queue.yaml'), 'name: queue-small\nexperiment: noop\n');
    const withDeclared = [...known, join(studies, 'c', 'queue.yaml')];
    expect(locateStudy('queue-small', dir, withDeclared)).toBe(withDeclared[3]);
    expect(() => locateStudy('queue-smal', dir, withDeclared)).toThrow(msg.studyNotFound('queue-smal', ['one', 'two', 'queue-small'], 'queue-small'));
    expect(() => locateStudy('queu', dir, withDeclared)).toThrow(msg.studyNotFound('queu', ['one', 'two', 'queue-small'], 'queue'));
    // An experiment's name, given where a study goes: said so, with what a study file is.
    expect(() => locateStudy('inference-scaling', dir, known)).toThrow(msg.studyNotFound('inference-scaling', ['one', 'two'], undefined, true));
    expect(msg.studyNotFound('inference-scaling', ['one', 'two'], undefined, true)).toContain('"inference-scaling" is an experiment (experiments/inference-scaling/experiment.ts), not a study: a study file names it (experiment: inference-scaling)');
  });

  it('also by the name a study file declares, as harness list shows it', () => {
    const studies = join(dir, 'named');
    mkdirSync(studies, { recursive: true });
    const file = (name: string, declared: string) => {
      writeFileSync(join(studies, `${name}.yaml`), `name: ${declared}\nexperiment: noop\n`);
      return join(studies, `${name}.yaml`);
    };
    const known = [file('toy', 'pi-study'), file('three', 'shared'), file('four', 'shared'), file('five', 'toy')];
    expect(locateStudy('pi-study', dir, known)).toBe(known[0]);
    expect(() => locateStudy('shared', dir, known)).toThrow(msg.studyAmbiguous('shared', known.slice(1, 3)));
    // A file's own name comes first.
    expect(locateStudy('toy', dir, known)).toBe(known[0]);
  });
});

describe('study files: refused, one clear message each', () => {
  it('a path that does not exist, a directory, an unreadable path, a file too large', async () => {
    const stems = studyFiles().map((f) => basename(f).replace(/\.yaml$/, ''));
    await expect(loadStudy('nope.yaml', { cwd: dir })).rejects.toThrow(msg.studyNotFound('nope.yaml', stems, undefined));
    await expect(loadStudy(dir, { cwd: dir })).rejects.toThrow(msg.studyIsDirectory(dir));
    const plain = writeStudy(dir, 'plain.txt', 'x');
    const reason = (() => {
      try {
        statSync(join(plain, 'child.yaml'));
      } catch (thrown) {
        return (thrown as Error).message;
      }
      return '';
    })();
    expect(() => readStudyDocument(join(plain, 'child.yaml'), 'plain.txt/child.yaml')).toThrow(msg.studyUnreadable('plain.txt/child.yaml', reason));
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(maxStudyBytes)}\n`);
    await expect(loadStudy(big, { cwd: dir })).rejects.toThrow(msg.studyTooLarge('big.yaml', maxStudyBytes + 3, maxStudyBytes));
  });

  it('YAML syntax errors, with line and column', async () => {
    const { message, file } = await failure('name: x\naxes: [a, b\n');
    expect(message).toMatch(new RegExp(`^${file}:\\d+:\\d+: YAML syntax error: `));
    const dup = await failure('name: x\nname: y\n');
    expect(dup.message).toBe(msg.studyYamlSyntax(dup.file, 2, 1, 'Map keys must be unique'));
  });

  it('a file that is not a mapping', async () => {
    const { message, file } = await failure('- just\n- a list\n');
    expect(message).toBe(msg.studyNotMapping(file, ['just', 'a list']));
  });

  it('shape errors: types, bounds, unknown keys with a near match', async () => {
    const { message, file } = await failure({ ...noopStudy(), seeds: 0, base_seed: 1.5, name: 'bad name!', axis: {} });
    expect(message.startsWith(`${file}: 4 problems:`)).toBe(true);
    expect(message).toContain(line('name', { rule: 'must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names the study\'s files)', hint: 'A name that would do: bad-name.' }, 'bad name!'));
    expect(message).toContain(line('seeds', { rule: 'must be at least 1', hint: 'Use 1 or more.' }, 0));
    expect(message).toContain("base_seed: ");
    expect(message).toContain(line('axis', { rule: 'is not a known key here', hint: 'Did you mean "axes"?' }, {}));
    const typed = await failure({ ...noopStudy(), seeds: 'three', axes: { color: [1] } });
    expect(typed.message).toContain(line('seeds', { rule: 'must be a number', hint: 'Write it in digits, without quotes.' }, 'three'));
    expect(typed.message).toContain(
      line('axes.color[0]', { rule: 'must be a string', hint: 'Axis values are names: quote it ("1"); or, if color is a numeric parameter rather than an axis, vary it with sweep: {color: [...]}.' }, 1),
    );
    const boolean = await failure({ ...noopStudy(), axes: { color: [true] } });
    expect(boolean.message).toContain(line('axes.color[0]', { rule: 'must be a string', hint: 'Quote the value if YAML read it as another type.' }, true));
    // Quoted, a parameter under axes is named as one.
    const param = await failure({ ...noopStudy(), axes: { color: ['red'], scale: ['1', '2'] } });
    expect(param.message).toContain(line('axes.scale', msg.rule.axisIsParameter('noop', 'scale'), 'scale'));
    // A number or a mapping written so that YAML reads another type: the fix is named.
    const quoted = await failure({ ...noopStudy(), seeds: '5', params: null });
    expect(quoted.message).toContain(line('seeds', { rule: 'must be a number', hint: 'Write it without quotes: 5.' }, '5'));
    expect(quoted.message).toContain(
      line('params', { rule: 'must be a mapping (key: value)', hint: 'It is empty: give its entries (name: value, indented below it), or remove the line.' }, null),
    );
  });

  it('unknown axes and axis values, with the choices and the nearest one', async () => {
    const { message } = await failure(noopStudy({ axes: { colour: ['red'], size: ['s', 'mm'] } }));
    expect(message).toContain(line('axes.colour', msg.rule.unknownAxis('noop', ['color', 'size'], 'color'), 'colour'));
    expect(message).toContain(line('axes.size[1]', msg.rule.unknownAxisValue('size', ['s', 'm', 'l', 'xl'], 'm'), 'mm'));
  });

  it('duplicate and missing axis values', async () => {
    const { message } = await failure(noopStudy({ axes: { color: ['red', 'blue', 'red'] } }));
    expect(message).toContain(line('axes.color[2]', msg.rule.duplicateValue(0), 'red'));
    const empty = await failure(noopStudy({ axes: { color: [] } }));
    expect(empty.message).toContain(line('axes.color', { rule: 'must have at least 1 entry' }, []));
    const noDefault = await failure({ name: 'f', experiment: faultyModule });
    expect(noDefault.message).toContain(line('axes.variant', msg.rule.axisNoDefault('variant'), undefined));
  });

  it('params refused by the experiment, at their path, with a near key', async () => {
    const { message } = await failure(noopStudy({ params: { n: -1, scael: 2 } }));
    expect(message).toContain(line('params.n', { rule: 'must be at least 1' }, -1));
    expect(message).toContain(line('params.scael', { rule: 'is not a known key here', hint: 'Did you mean "scale"?' }, 2));
  });

  it('sweeps: unknown parameter, bad value, duplicate value, rejected combination, too many combinations', async () => {
    const unknown = await failure(noopStudy({ sweep: { nn: [1, 2] } }));
    expect(unknown.message).toBe(`${unknown.file}: ${line('sweep.nn', msg.rule.unknownParam('nn', ['n', 'scale', 'mode', 'label', 'delay_ms', 'touch'], 'n'), 'nn')}`);
    const bad = await failure(noopStudy({ sweep: { n: [2, 'x'] } }));
    expect(bad.message).toContain(line('sweep.n[1]', msg.rule.sweepValue('params.n', 'must be a number', 'params.n'), 'x'));
    // A rule across parameters fails at another one than the sweep sets: both are named.
    const across = await failure(noopStudy({ params: { scale: 1500 }, sweep: { n: [1, 2] } }));
    expect(across.message).toContain(`sweep.n[0]: sets params.n to a value that fails at params.scale: scale may be at most 1000 * n; received 1`);
    const dup = await failure(noopStudy({ sweep: { n: [2, 3, 2] } }));
    expect(dup.message).toContain(line('sweep.n[2]', msg.rule.duplicateValue(0), 2));
    const combo = await failure(noopStudy({ params: {}, sweep: { n: [1, 3], scale: [1, 2000] } }));
    expect(combo.message).toContain('the combination {"n":1,"scale":2000} is rejected by the experiment: params.scale scale may be at most 1000 * n');
    const many = await failure(noopStudy({ params: {}, seeds: 1, axes: { color: ['red'], size: ['s'] }, sweep: { n: range(1, 1001), scale: range(1, 102) } }));
    expect(many.message).toContain(msg.rule.tooManyParamCombinations(1000 * 101, maxParamCombinations).rule);
  });

  it('a swept parameter whose column would clash with a result column', async () => {
    const { message } = await failure(noopStudy({ sweep: { label: ['a', 'b'] } }));
    expect(message).toContain(line('sweep.label', msg.rule.columnClash('label', 'the experiment\'s result column "label"', true), 'label'));
    // The study's author cannot rename the experiment's column: the way out is variants, or its author.
    expect(message).toContain('vary the parameter with variants instead');
  });

  it('zip: unknown member, member twice, unequal lengths', async () => {
    const unknown = await failure(noopStudy({ zip: [['color', 'sise']] }));
    expect(unknown.message).toContain(line('zip[0][1]', msg.rule.zipUnknownMember(['color', 'size', 'replicate'], 'size'), 'sise'));
    const twice = await failure(noopStudy({ sweep: { n: [1, 2, 3] }, zip: [['color', 'size'], ['n', 'color']] }));
    expect(twice.message).toContain(line('zip[1][1]', msg.rule.zipTwice(0), 'color'));
    const lengths = await failure(noopStudy({ axes: { color: ['red'], size: ['s', 'm'] }, zip: [['color', 'size']] }));
    expect(lengths.message).toContain(line('zip[0]', msg.rule.zipLengths({ color: 1, size: 2 }), ['color', 'size']));
  });

  it('exclude: empty rule, unknown dimension, unknown value, everything excluded', async () => {
    const empty = await failure(noopStudy({ exclude: [{}] }));
    expect(empty.message).toContain(line('exclude[0]', msg.rule.excludeEmpty(), {}));
    const dim = await failure(noopStudy({ exclude: [{ colr: 'red' }] }));
    expect(dim.message).toContain(line('exclude[0].colr', msg.rule.excludeUnknownDim(['color', 'size', 'replicate'], 'color'), 'colr'));
    const value = await failure(noopStudy({ exclude: [{ color: 'rde' }] }));
    expect(value.message).toContain(line('exclude[0].color', msg.rule.excludeUnknownValue('color', ['red', 'green', 'blue'], 'rde', 'red'), 'rde'));
    // The same text as a value of another type: which type the study holds is the fix.
    const quoted = await failure(noopStudy({ sweep: { n: [1, 1000] }, exclude: [{ n: '1000' }] }));
    expect(quoted.message).toContain('exclude[0].n: matches no value of n; received "1000". Did you mean 1000 (a number, without quotes)? Values: 1, 1000.');
    const all = await failure(noopStudy({ exclude: [{ replicate: [0, 1, 2] }] }));
    expect(all.message).toContain(line('exclude', msg.rule.allExcluded(), [{ replicate: [0, 1, 2] }]));
  });

  it('one bound per field, the tightest: no second limit from zod\'s safe-integer check', async () => {
    const { message, file } = await failure(noopStudy({ seeds: 1e20 }));
    expect(message).toBe(`${file}: seeds: must be at most 1000000; received 100000000000000000000. Use 1000000 or less.`);
    const below = await failure(noopStudy({ seeds: -1e20 }));
    expect(below.message).toBe(`${below.file}: seeds: must be at least 1; received -100000000000000000000. Use 1 or more.`);
  });

  it('a grid too large to index', async () => {
    const { message } = await failure(noopStudy({ seeds: 1_000_000, params: {}, axes: { color: ['red', 'green', 'blue', 'cyan'], size: ['s', 'm', 'l', 'xl'] }, sweep: { n: range(1, 201) } }));
    expect(message).toContain(msg.rule.gridTooLarge(1_000_000 * 16 * 200, 2 ** 31).rule);
  });

  it('experiments: unknown name, missing path, a module that throws, a module off contract', async () => {
    const name = await failure({ name: 'x', experiment: 'inference-scalling' });
    expect(name.message).toContain('experiment: "inference-scalling" not found');
    expect(name.message).toContain('Did you mean "inference-scaling"?');
    const path = await failure({ name: 'x', experiment: './nowhere.ts' });
    expect(path.message).toBe(msg.experimentNotFound(`${path.file}: experiment`, './nowhere.ts', join(dir, 'nowhere.ts'), knownNames(name.message)));
    const broken = await failure({ name: 'x', experiment: noopModule.replace('noop.ts', 'broken.ts') });
    expect(broken.message).toBe(msg.experimentImportFailed(noopModule.replace('noop.ts', 'broken.ts'), 'fixture: this module cannot load'));
    const invalid = await failure({ name: 'x', experiment: noopModule.replace('noop.ts', 'invalid.ts') });
    expect(invalid.message).toBe(
      msg.experimentInvalid(noopModule.replace('noop.ts', 'invalid.ts'), [
        '"version" must be a non-empty string',
        '"description" must be a string',
        '"groupOf" must be a function',
        '"runGroup" must be a function',
        '"checkCell", when present, must be a function',
        '"paramsSchema" must be a zod schema',
        'axis "Bad" must be lower snake case (it names a database column)',
        'trialColumns[0]: "status" is a column the harness stores beside the experiment\'s (it reserves cell_index, key, group_key, replicate, status, diagnostics, error, duration_ms, run_id, variant); rename it, e.g. "status_value"',
        'trialColumns[1]: "type" must be INTEGER, REAL or TEXT; received "FLOAT"',
        '"curveColumns" must be a list of column definitions',
      ]),
    );
  });

  it('--set: syntax, fields that cannot be set, bad YAML, bad values reported as coming from --set', async () => {
    await expect(loadStudy('x.yaml', { cwd: dir, sets: ['seeds'] })).rejects.toThrow(msg.setSyntax('seeds'));
    const file = writeStudy(dir, 'sets.yaml', noopStudy());
    await expect(loadStudy(file, { cwd: dir, sets: ['zip=a,b'] })).rejects.toThrow(msg.setNotSettable('zip=a,b', 'zip'));
    const yamlReason = (() => {
      try {
        parseYaml('[1,');
      } catch (thrown) {
        return (thrown as Error).message.split('\n')[0]!;
      }
      return '';
    })();
    await expect(loadStudy(file, { cwd: dir, sets: ['n=[1,'] })).rejects.toThrow(msg.setValueSyntax('n=[1,', yamlReason));
    const { message } = await failure(noopStudy(), ['seeds=abc', 'size=s,huge']);
    expect(message).toContain('seeds: must be a number; received "abc" (from --set seeds=abc).');
    await expect(loadStudy(file, { cwd: dir, sets: ['size=s,huge'] })).rejects.toThrow(
      'axes.size[1]: is not a known size; received "huge" (from --set size=s,huge). Choices: s, m, l, xl.',
    );
    // One thing set twice, under any of its names: refused, as one would silently win.
    for (const [a, b, key] of [
      ['seeds=2', 'seeds=5', 'seeds'],
      ['sim.M=100', 'params.sim.M=200', 'sim.M'],
      ['sweep.sim.M=1,2', 'sim.M=3', 'sim.M'],
      ['size=s', 'axes.size=m', 'size'],
    ]) {
      await expect(loadStudy(file, { cwd: dir, sets: [a!, 'name=x', b!] })).rejects.toThrow(
        msg.optionInvalid('set', `sets ${key} twice`, [a, b], `Keep one --set for ${key}${key === 'seeds' ? '' : `; for several values (an axis's, or a parameter's sweep), list them in one: --set ${key}=a,b`}.`),
      );
    }
    // Or a value and a part of it.
    await expect(loadStudy(file, { cwd: dir, sets: ['sim={M: 5}', 'params.sim.M=3'] })).rejects.toThrow(
      msg.optionInvalid('set', 'sets sim and sim.M, which is part of it', ['sim={M: 5}', 'params.sim.M=3'], "Set sim.M inside sim's value, or each part of sim on its own."),
    );
  });

  it("the experiment's check of each cell: each distinct problem once, at the field that sets it, excluded cells spared", async () => {
    const study = (doc: Record<string, unknown>) => ({ name: 'c', experiment: checkedModule, seeds: 3, axes: { color: ['red', 'cyan'], size: ['s', 'm'] }, ...doc });
    const rule = { rule: 'must be at least 2 for the colour cyan', hint: 'Raise n.' };
    // Six cyan cells (two sizes, three replicates) make one problem.
    const plain = await failure(study({ params: { n: 1 } }));
    expect(plain.message).toBe(`${plain.file}: ${line('params.n', rule, 1)}`);
    const set = await failure(study({}), ['n=1']);
    expect(set.message).toBe(`${set.file}: params.n: ${rule.rule}; received 1 (from --set n=1). ${rule.hint}`);
    // A sweep or a variant that makes it: named there, with the combination at fault.
    const inCombination = (where: unknown) => ({ rule: `in the combination ${showValue(where)}, ${rule.rule}`, hint: `${rule.hint} ${msg.excludeCellsHint}` });
    const swept = await failure(study({ sweep: { n: [1, 2] } }));
    expect(swept.message).toBe(`${swept.file}: ${line('sweep.n', inCombination({ n: 1 }), 1)}`);
    const variants = await failure(study({ params: { n: 3 }, variants: { lean: { n: 1 }, thin: { n: 1, mode: 'fancy' }, wide: {} } }));
    expect(variants.message).toBe(
      `${variants.file}: 2 problems:\n  - ${line('variants.lean.n', inCombination({ variant: 'lean' }), 1)}\n  - ${line('variants.thin.n', inCombination({ variant: 'thin' }), 1)}`,
    );
    // A problem every combination has is not the sweep's: said once, as for a study without one.
    const everywhere = await failure(study({ params: { n: 1 }, sweep: { scale: [1, 2, 3] } }));
    expect(everywhere.message).toBe(`${everywhere.file}: ${line('params.n', rule, 1)}`);
    const several = await failure(study({ sweep: { n: [1, 2], scale: [1, 2] } }));
    expect(several.message).toBe(`${several.file}: ${line('sweep.n', { ...inCombination({ n: 1, scale: 1 }), rule: `in the combination ${showValue({ n: 1, scale: 1 })} (and 1 more), ${rule.rule}` }, 1)}`);
    // Cells a study excludes are not checked; nor are colours that pass. Another replicate of an
    // excluded one is checked.
    await expect(load(study({ params: { n: 1 }, exclude: [{ color: 'cyan' }] }))).resolves.toBeDefined();
    expect((await failure(study({ params: { n: 1 }, exclude: [{ replicate: 0 }] }))).message).toContain(line('params.n', rule, 1));
    await expect(load(study({ params: { n: 2 } }))).resolves.toBeDefined();
    // A check that throws breaks the contract: said as such, with the cell.
    const thrown = await failure(study({ axes: { color: ['blue'], size: ['s'] } }));
    expect(thrown.message).toBe(msg.experimentCheckCellFailed('checked', { color: 'blue', size: 's' }, 'fixture: checkCell throws'));
  });

  it("an axis whose choices come from the params: each cell's values against its own params, the experiment's defaults where the study lists none", async () => {
    const study = (doc: Record<string, unknown>) => ({ name: 'o', experiment: openAxisModule, seeds: 2, ...doc });
    const three = { loads: { low: 0.3, mid: 0.6, high: 0.9 } };
    await expect(load(study({ params: three, axes: { load: ['low', 'high'] } }))).resolves.toBeDefined();
    // A variant that defines fewer: its cells of the others are refused before anything runs, at the axis's entry.
    const rule = (where: unknown) => ({
      rule: `in the combination ${showValue(where)}, ${msg.rule.axisValueNotInCell('load', ['mid'], true).rule}`,
      hint: `${msg.rule.axisValueNotInCell('load', ['mid'], true).hint} ${msg.excludeCellsHint}`,
    });
    const variant = await failure(study({ params: three, axes: { load: ['low', 'mid'] }, variants: { base: {}, 'only-mid': { loads: { mid: 0.65 } } } }));
    expect(variant.message).toBe(`${variant.file}: ${line('axes.load[0]', rule({ variant: 'only-mid' }), 'low')}`);
    // Leaving the variant's cells of that load out makes the study run.
    await expect(load(study({ params: three, axes: { load: ['low', 'mid'] }, variants: { base: {}, 'only-mid': { loads: { mid: 0.65 } } }, exclude: [{ variant: 'only-mid', load: 'low' }] }))).resolves.toBeDefined();
    // A value every variant defines, and the study's own params do not, runs; a misspelt one is named with the nearest.
    const everyVariant = { params: { loads: { low: 0.3 } }, variants: { a: { loads: { low: 0.3, extra: 0.5 } }, b: { loads: { low: 0.4, extra: 0.6 } } } };
    await expect(load(study({ ...everyVariant, axes: { load: ['low', 'extra'] } }))).resolves.toBeDefined();
    const misspelt = await failure(study({ ...everyVariant, axes: { load: ['low', 'extar'] } }));
    expect(misspelt.message).toBe(`${misspelt.file}: ${line('axes.load[1]', msg.rule.axisValueNotInCell('load', ['low', 'extra'], true, 'extra'), 'extar')}`);
    expect(misspelt.message).toContain('Did you mean "extra"?');
    // The experiment's defaults, where the study's params do not define them: the fix is to list the axis.
    const defaults = await failure(study({ params: { loads: { low: 0.3 } } }));
    expect(defaults.message).toBe(`${defaults.file}: ${line('axes.load', msg.rule.unknownAxisDefault('load', ['low'], 2), ['mid', 'high'])}`);
    expect(defaults.message).toContain('these are not among its choices (low)');
    await expect(load(study({ params: { loads: { low: 0.3 } }, axes: { load: ['low'] } }))).resolves.toBeDefined();
    // A dotted sweep into the defaulted loads replaces them: said with the problem it makes.
    const dotted = await failure(study({ sweep: { 'loads.high': [0.9, 0.95] } }));
    const hint = `${msg.rule.axisValueNotInCell('load', ['high'], false).hint} ${msg.dottedIntoDefaultsHint(['loads.high'])}`;
    expect(dotted.message).toBe(`${dotted.file}: 2 problems:\n  - ${line('axes.load', { ...msg.rule.axisValueNotInCell('load', ['high'], false), hint }, 'low')}\n  - ${line('axes.load', { ...msg.rule.axisValueNotInCell('load', ['high'], false), hint }, 'mid')}`);
    expect(dotted.message).toContain('Note that loads.high sets its parameter to what the path gives alone');
    // A choices function that throws is the experiment's fault, said as such, with the cell.
    const thrown = await failure(study({ params: three, axes: { load: ['low'] }, variants: { base: {}, none: { loads: null } } }));
    expect(thrown.message).toBe(msg.experimentChoicesFailed('open-axis', 'load', { load: 'low', variant: 'none' }, "Cannot convert undefined or null to object"));
  });

  it('refuses an experiment whose replicates would draw the same random numbers', async () => {
    const study = (seeds: number, doc: Record<string, unknown> = {}) => ({ name: 'o', experiment: openAxisModule, seeds, axes: { load: ['low'] }, params: { replicate_in_seed: false }, ...doc });
    const shared = await failure(study(3));
    expect(shared.message).toBe(msg.experimentReplicatesShareSeed(shared.file, 'open-axis', { load: 'low' }, '{"load":"low"}'));
    expect(shared.message).toContain('or run the study with one seed ("seeds: 1")');
    // Probed on replicates the grid has: with the second excluded, the third.
    expect((await failure(study(3, { exclude: [{ replicate: 1 }] }))).message).toBe(shared.message.replace(shared.file, `study-${counter}.yaml`));
    // One replicate has nothing to repeat, nor has one left by the exclusions; with the replicate in the seed, any number runs.
    await expect(load(study(1))).resolves.toBeDefined();
    await expect(load(study(2, { exclude: [{ replicate: 1 }] }))).resolves.toBeDefined();
    await expect(load({ ...study(3), params: {} })).resolves.toBeDefined();
  });

  it('experiment contract breaches found before anything runs: groupOf throws, seeds differ within one simulation', async () => {
    const bad = await failure({ name: 'f', experiment: faultyModule, axes: { behavior: ['ok', 'bad-group'], variant: ['a'] } });
    expect(bad.message).toBe(`${bad.file}: ${msg.experimentGroupOfFailed('faulty', { behavior: 'bad-group', replicate: 0, variant: 'a' }, 'fixture: groupOf refuses this cell')}`);
    const conflict = await failure({ name: 'f', experiment: faultyModule, axes: { behavior: ['seed-conflict'], variant: ['a', 'b'] } });
    expect(conflict.message).toBe(
      `${conflict.file}: ${msg.experimentSeedConflict('faulty', { behavior: 'seed-conflict', replicate: 0, variant: 'a' }, { behavior: 'seed-conflict', replicate: 0, variant: 'b' }, ['variant'])}`,
    );
    // The cells differ only in the shared axis: the fix is to leave it out of the seed, not to split the simulation.
    expect(conflict.message).toContain('they differ only in variant, which the experiment declares shared (shared: true), so leave it out of "seedIdentity" too.');
  });

  it('refuses a groupOf that gives cells differing only in a shared axis different simulations', async () => {
    // Following the old advice for a seed conflict (the shared axis put into "simulation" too)
    // split every group in two, and the axis shared no random numbers, without a word.
    const split = await failure({ name: 'f', experiment: faultyModule, axes: { behavior: ['ok', 'split-shared'], variant: ['a', 'b'] } });
    expect(split.message).toBe(
      `${split.file}: ${msg.experimentSplitsShared('faulty', ['variant'], { behavior: 'split-shared', replicate: 0, variant: 'a' }, { behavior: 'split-shared', replicate: 0, variant: 'b' })}`,
    );
    expect(split.message).toContain('Leave variant out of "simulation" and "seedIdentity"; or, if it changes the simulation, declare the axis without shared: true');
    // Also where exclusions leave a cell's first replicate out, so that the study's check sees another.
    const excluded = await failure({ name: 'f', experiment: faultyModule, seeds: 2, axes: { behavior: ['ok', 'split-shared'], variant: ['a', 'b'] }, exclude: [{ replicate: [0], variant: ['a'] }] });
    expect(excluded.message).toContain('differ only in variant, which the experiment declares shared (shared: true), yet groupOf gives them different simulations');
    // Where exclusions hide the split from the study's check (it sees one replicate of each cell,
    // and here only replicate 2 has variant a), the run stops at that group, exit 2, keeping the rest.
    const { file: hidden } = await load({ name: 'hidden', experiment: faultyModule, seeds: 3, axes: { behavior: ['ok', 'split-shared'], variant: ['a', 'b'] }, exclude: [{ replicate: [0, 1], variant: ['a'] }] });
    const run = await cli(['run', hidden, '--threads', '1', '--db', 'hidden.sqlite'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(msg.experimentSplitsShared('faulty', ['variant'], { behavior: 'split-shared', replicate: 2, variant: 'a' }, { behavior: 'split-shared', replicate: 2, variant: 'b' }));
    // With one value of the shared axis there is nothing to split.
    await expect(load({ name: 'f', experiment: faultyModule, axes: { behavior: ['split-shared'], variant: ['a'] } })).resolves.toBeDefined();
  });

  it('probes every cell for replicates that share a seed, not only the first', async () => {
    // The seed leaves the replicate out in one variant only, the second.
    const doc = { name: 'o', experiment: openAxisModule, seeds: 3, axes: { load: ['low'] }, variants: { base: {}, pinned: { replicate_in_seed: false, loads: { low: 0.35 } } } };
    const pinned = await failure(doc);
    expect(pinned.message).toBe(msg.experimentReplicatesShareSeed(pinned.file, 'open-axis', { load: 'low', variant: 'pinned' }, '{"load":"low"}'));
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function knownNames(message: string): string[] {
  return message.split('Known experiments: ')[1]!.split('.')[0]!.split(', ');
}
