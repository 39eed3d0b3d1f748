/**
 * Variants: a study's named bundles of parameter overrides, one grid dimension (`variant`).
 * They expand into cells whose params carry the overrides, are part of identity and of the
 * sealed manifest, are checked against the experiment's schema with one clear message each,
 * and run, resume and report like any other dimension.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/errors.js';
import { diffManifests, gridOf, VARIANT_FIELD } from '../../harness/manifest.js';
import * as msg from '../../harness/messages.js';
import { runStudy } from '../../harness/run/run.js';
import { loadReportInput } from '../../harness/store/reader.js';
import { Store } from '../../harness/store/store.js';
import { loadStudy, type Study } from '../../harness/study/study.js';
import { showValue } from '../../harness/text.js';
import { faultyModule, noopStudy, query, tempDir, writeStudy } from './helpers.js';

const dir = tempDir();
let counter = 0;

const variants = { base: {}, big: { n: 8 }, fancy: { 'params.mode': 'fancy' } };

async function load(doc: Record<string, unknown>, sets: string[] = []): Promise<Study> {
  return loadStudy(writeStudy(dir, `variants-${++counter}.yaml`, doc), { cwd: dir, sets });
}

async function refusal(doc: Record<string, unknown>, sets: string[] = []): Promise<string> {
  try {
    await load(doc, sets);
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(InputError);
    return (thrown as Error).message;
  }
  throw new Error('expected the study to be refused');
}

function line(path: string, r: { rule: string; hint?: string }, received: unknown): string {
  return `${path}: ${r.rule}; received ${showValue(received)}.${r.hint ? ` ${r.hint}` : ''}`;
}

describe('variants: expansion', () => {
  it('are one dimension after the axes, in file order, each cell with its overrides applied', async () => {
    const study = await load(noopStudy({ variants }));
    const body = study.manifest.body;
    expect(body.variants).toEqual([
      { name: 'base', set: {} },
      { name: 'big', set: { n: 8 } },
      { name: 'fancy', set: { mode: 'fancy' } },
    ]);
    expect(body.order).toEqual([['color'], [VARIANT_FIELD], ['replicate'], ['size']]);
    expect(study.grid.count).toBe(3 * 3 * 3 * 3);
    const byVariant = new Map<string, unknown>();
    for (const index of study.grid.indices()) byVariant.set(String(study.grid.valuesOf(index)[VARIANT_FIELD]), study.paramsOf(index).json);
    expect(byVariant.get('base')).toMatchObject({ n: 4, mode: 'plain', scale: 2 });
    expect(byVariant.get('big')).toMatchObject({ n: 8, mode: 'plain', scale: 2 });
    expect(byVariant.get('fancy')).toMatchObject({ n: 4, mode: 'fancy', scale: 2 });
    // The grid rebuilt from the manifest alone is the same grid.
    const rebuilt = gridOf(body);
    expect(rebuilt.dims.map((d) => d.fields.map((f) => [f.name, f.kind, f.values]))).toEqual(study.grid.dims.map((d) => d.fields.map((f) => [f.name, f.kind, f.values])));
  });

  it('are shared (one simulation for all) when no variant changes the simulation', async () => {
    const study = await load(noopStudy({ variants: { plain: {}, fancy: { mode: 'fancy' } } }));
    expect(study.manifest.body.order).toEqual([['color'], ['replicate'], ['size'], [VARIANT_FIELD]]);
    expect(study.grid.blockSize).toBe(3 * 2);
  });

  it('can be excluded and zipped like an axis', async () => {
    const excluded = await load(noopStudy({ variants, exclude: [{ variant: 'big', color: ['green', 'blue'] }] }));
    expect(excluded.grid.count).toBe(3 * 3 * 3 * 3 - 2 * 3 * 3);
    const zipped = await load(noopStudy({ variants, zip: [['color', 'variant']] }));
    expect(zipped.grid.count).toBe(3 * 3 * 3);
    const values = [...zipped.grid.indices()].map((i) => zipped.grid.valuesOf(i)).map((v) => `${String(v.color)}/${String(v[VARIANT_FIELD])}`);
    expect(new Set(values)).toEqual(new Set(['red/base', 'green/big', 'blue/fancy']));
  });

  it('are part of the sealed manifest: changing an override changes its hash; a study without variants keeps its hash', async () => {
    const a = await load(noopStudy({ variants }));
    const b = await load(noopStudy({ variants: { ...variants, big: { n: 9 } } }));
    expect(b.manifest.hash).not.toBe(a.manifest.hash);
    // What differs is named down to the override, whatever else the variants hold.
    expect(diffManifests(a.manifest.body, b.manifest.body)).toEqual([{ path: 'variants.big.set.n', stored: 8, current: 9 }]);
    const { fancy, ...withoutFancy } = variants;
    const c = await load(noopStudy({ variants: { fancy, ...withoutFancy, extra: { n: 2 } } }));
    expect(diffManifests(a.manifest.body, c.manifest.body)).toContainEqual({ path: 'variants.extra', stored: undefined, current: { name: 'extra', set: { n: 2 } } });
    const reordered = await load(noopStudy({ variants: { fancy, ...withoutFancy } }));
    expect(diffManifests(a.manifest.body, reordered.manifest.body)).toContainEqual({ path: 'variants (order)', stored: ['base', 'big', 'fancy'], current: ['fancy', 'base', 'big'] });
    const plain = await load(noopStudy());
    expect('variants' in plain.manifest.body).toBe(false);
    const emptyVariants = await load(noopStudy({ variants: {} }));
    expect(emptyVariants.manifest.hash).toBe(plain.manifest.hash);
  });
});

describe('variants: refused, one clear message each', () => {
  it('an unknown parameter, with the nearest one', async () => {
    const message = await refusal(noopStudy({ variants: { base: {}, odd: { nn: 3 } } }));
    expect(message).toContain(line('variants.odd.nn', msg.rule.unknownParam('nn', ['n', 'scale', 'mode', 'label', 'delay_ms', 'touch'], 'n'), 'nn'));
  });

  it('a value the experiment rejects, at the variant and path', async () => {
    const message = await refusal(noopStudy({ variants: { base: {}, bad: { n: -2 } } }));
    expect(message).toContain(line('variants.bad.n', msg.rule.sweepValue('params.n', 'must be at least 1', 'params.n'), -2));
  });

  it('a path into a parameter that is no object: the value that parameter comes to, as received', async () => {
    const message = await refusal(noopStudy({ variants: { base: {}, deep: { 'scale.x': 2 } } }));
    expect(message).toContain(line('variants.deep', msg.rule.sweepValue('params.scale', 'must be a number', 'params.scale.x'), { x: 2 }));
    const swept = await refusal(noopStudy({ sweep: { 'scale.x': [1, 2] } }));
    expect(swept).toContain(line('sweep["scale.x"][1]', msg.rule.sweepValue('params.scale', 'must be a number', 'params.scale.x'), { x: 2 }));
  });

  it('a parameter that is also swept, one set twice, two variants alike, a bad name', async () => {
    const swept = await refusal(noopStudy({ sweep: { n: [2, 3] }, variants: { base: {}, big: { n: 8 } } }));
    expect(swept).toContain(line('variants.big.n', msg.rule.variantSetsSwept('n'), 'n'));
    // Its refused key left out, the variant is not called a twin of the one that sets nothing.
    expect(swept).not.toContain(msg.rule.variantTwin('base').rule);
    const twice = await refusal(noopStudy({ variants: { base: {}, big: { n: 8, 'params.n': 9 } } }));
    expect(twice).toContain(line('variants.big["params.n"]', msg.rule.variantSetsTwice('n'), 'params.n'));
    const twins = await refusal(noopStudy({ variants: { base: {}, one: { n: 8 }, two: { 'params.n': 8 } } }));
    expect(twins).toContain(line('variants.two', msg.rule.variantTwin('one'), { 'params.n': 8 }));
    const named = await refusal(noopStudy({ variants: { '1st': {} } }));
    expect(named).toContain('variants');
    expect(named).toContain('1st');
  });

  it('an experiment axis already named "variant"', async () => {
    const message = await refusal({ name: 'f', experiment: faultyModule, axes: { behavior: ['ok'], variant: ['a'] }, variants: { one: {}, two: { 'params.x': 1 } } });
    expect(message).toContain(line('variants', msg.rule.columnClash('variant', 'axis "variant"'), 'variant'));
  });

  it('variants cannot be set from the command line', async () => {
    const message = await refusal(noopStudy({ variants }), ['variants.big.n=3']);
    expect(message).toBe(msg.setNotSettable('variants.big.n=3', 'variants'));
  });
});

describe('variants: running', () => {
  it('store the variant as a column and in every trial\'s values, and resume without rerunning', async () => {
    const study = await load(noopStudy({ name: 'variants-run', variants }));
    const db = join(dir, 'variants-run.sqlite');
    const first = await runStudy({ study, dbPath: db, threads: 2, shard: null, commandLine: 'test' });
    expect(first).toMatchObject({ status: 'done', ok: 81, failed: 0 });
    const rows = query<{ variant: string; n: number }>(db, `SELECT variant, count(*) AS n FROM trial GROUP BY variant ORDER BY variant`);
    expect(rows).toEqual([
      { variant: 'base', n: 27 },
      { variant: 'big', n: 27 },
      { variant: 'fancy', n: 27 },
    ]);
    expect(query(db, `SELECT kind, type FROM column_info WHERE tbl = 'trial' AND name = 'variant'`)).toEqual([{ kind: 'variant', type: 'TEXT' }]);
    // The curve's length is the params' n: the big variant ran with its override.
    const curveRows = query<{ variant: string; rows: number }>(
      db,
      `SELECT t.variant, count(*) AS rows FROM curve c JOIN trial t USING (group_key) WHERE t.cell_index = (SELECT min(cell_index) FROM trial WHERE variant = t.variant) GROUP BY t.variant ORDER BY t.variant`,
    );
    expect(curveRows).toEqual([
      { variant: 'base', rows: 4 },
      { variant: 'big', rows: 8 },
      { variant: 'fancy', rows: 4 },
    ]);
    const again = await runStudy({ study: await load(noopStudy({ name: 'variants-run', variants })), dbPath: db, threads: 2, shard: null, commandLine: 'test' });
    expect(again).toMatchObject({ status: 'done', ok: 0, alreadyDone: 81 });
    const store = Store.open(db, 'read');
    try {
      const input = loadReportInput(store);
      expect(new Set(input.trials.map((t) => t.values[VARIANT_FIELD]))).toEqual(new Set(['base', 'big', 'fancy']));
      // A trial's values are its cell's without the replicate; the replicates of a cell share one frozen object.
      const grid = gridOf(study.manifest.body);
      const byCell = new Map<string, Record<string, unknown>>();
      for (const t of input.trials) {
        const { replicate, ...values } = grid.valuesOf(t.cellIndex);
        expect(replicate).toBe(t.replicate);
        expect(t.values).toEqual(values);
        expect(Object.isFrozen(t.values)).toBe(true);
        const cell = JSON.stringify(values);
        if (!byCell.has(cell)) byCell.set(cell, t.values);
        expect(t.values).toBe(byCell.get(cell));
      }
      expect(byCell.size).toBeLessThan(input.trials.length);
      expect(byCell.size).toBe(input.trials.length / new Set(input.trials.map((t) => t.replicate)).size);
      expect((input.manifest.body as { variants?: unknown }).variants).toEqual(study.manifest.body.variants);
    } finally {
      store.close();
    }
  });
});
