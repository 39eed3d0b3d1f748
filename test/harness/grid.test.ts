import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json } from '../../harness/experiment.js';
import { Grid, type Dim, type GridSpec } from '../../harness/grid.js';
import { canonicalJson } from '../../harness/identity.js';
import { blockInShard } from '../../harness/run/shard.js';
import { shardBlocks, trialKeyOf } from '../../harness/run/tasks.js';
import type { ManifestBody } from '../../harness/manifest.js';

/** Random grid specs: 1-4 dimensions (some zipped), a shared suffix, 0-3 exclusion rules. */
const gridSpecs: fc.Arbitrary<GridSpec> = fc
  .array(fc.record({ length: fc.integer({ min: 1, max: 4 }), zipped: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 4 })
  .chain((shapes) =>
    fc.record({
      sharedFrom: fc.integer({ min: 0, max: shapes.length }),
      rules: fc.array(
        fc.array(fc.record({ dim: fc.nat(shapes.length - 1), pick: fc.array(fc.nat(3), { minLength: 1, maxLength: 3 }) }), {
          minLength: 1,
          maxLength: 2,
        }),
        { maxLength: 3 },
      ),
    }).map(({ sharedFrom, rules }) => {
      const dims: Dim[] = shapes.map((shape, d) => ({
        shared: d >= sharedFrom,
        fields: Array.from({ length: shape.zipped }, (_, z) => ({
          name: `f${d}_${z}`,
          kind: 'axis' as const,
          values: Array.from({ length: shape.length }, (_, v): Json => (z === 0 ? `v${v}` : v * 10)),
        })),
      }));
      const exclude = rules.map((terms) =>
        Object.fromEntries(
          terms.map((t) => {
            const field = dims[t.dim]!.fields[0]!;
            return [field.name, t.pick.map((p) => field.values[p % field.values.length]!)];
          }),
        ),
      );
      return { dims, exclude };
    }),
  );

/** Brute force: every combination of digits, excluded or not, by direct rule matching. */
function bruteForce(spec: GridSpec): Record<string, Json>[] {
  let cells: Record<string, Json>[] = [{}];
  for (const dim of spec.dims) {
    const next: Record<string, Json>[] = [];
    for (const cell of cells) {
      for (let v = 0; v < dim.fields[0]!.values.length; v++) {
        const extended = { ...cell };
        for (const f of dim.fields) extended[f.name] = f.values[v]!;
        next.push(extended);
      }
    }
    cells = next;
  }
  const matches = (cell: Record<string, Json>, rule: Record<string, Json[]>) =>
    Object.entries(rule).every(([name, values]) => values.some((v) => canonicalJson(v) === canonicalJson(cell[name]!)));
  return cells.filter((cell) => !spec.exclude.some((rule) => matches(cell, rule)));
}

describe('grid', () => {
  it('counts the product of dimension sizes minus exclusions, zipped dimensions once', () => {
    fc.assert(
      fc.property(gridSpecs, (spec) => {
        const grid = new Grid(spec);
        const expected = bruteForce(spec);
        expect(grid.count).toBe(expected.length);
        const listed = [...grid.indices()].map((i) => grid.valuesOf(i));
        expect(listed.map((v) => canonicalJson(v))).toEqual(expected.map((v) => canonicalJson(v)));
      }),
      { seed: 20251028, numRuns: 300 },
    );
  });

  it('gives every cell distinct values and a distinct trial key, in a stable order', () => {
    const body = { study: 's', experiment: { name: 'e', version: '1' }, base_seed: 1 } as ManifestBody;
    fc.assert(
      fc.property(gridSpecs, (spec) => {
        const grid = new Grid(spec);
        const keys = [...grid.indices()].map((i) => trialKeyOf(body, grid.valuesOf(i)));
        expect(new Set(keys).size).toBe(grid.count);
        const again = new Grid(structuredClone(spec));
        expect([...again.indices()].map((i) => trialKeyOf(body, again.valuesOf(i)))).toEqual(keys);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('maps digits to indices and back', () => {
    fc.assert(
      fc.property(gridSpecs, fc.nat(), (spec, pick) => {
        const grid = new Grid(spec);
        const index = pick % grid.size;
        expect(grid.indexOf(grid.digitsOf(index))).toBe(index);
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('keeps the cells of a block together and differing only in shared fields', () => {
    fc.assert(
      fc.property(gridSpecs, (spec) => {
        const grid = new Grid(spec);
        const outer = spec.dims.filter((d) => !d.shared).flatMap((d) => d.fields.map((f) => f.name));
        for (let block = 0; block < grid.blockCount; block++) {
          const firsts = new Set<string>();
          for (let i = block * grid.blockSize; i < (block + 1) * grid.blockSize; i++) {
            const values = grid.valuesOf(i);
            firsts.add(canonicalJson(outer.map((name) => values[name]!)));
          }
          expect(firsts.size).toBe(1);
        }
      }),
      { seed: 5, numRuns: 200 },
    );
  });

  it('splits blocks over shards: disjoint, complete, never splitting a block', () => {
    fc.assert(
      fc.property(gridSpecs, fc.integer({ min: 1, max: 5 }), (spec, count) => {
        const grid = new Grid(spec);
        const owner = new Map<number, number>();
        for (let index = 0; index < count; index++) {
          for (const block of shardBlocks(grid, { index, count })) {
            expect(owner.has(block)).toBe(false);
            expect(blockInShard(block, { index, count })).toBe(true);
            owner.set(block, index);
          }
        }
        expect(owner.size).toBe(grid.blockCount);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('finds any cell of a million-cell grid without listing the others', () => {
    const axis = (name: string, n: number, shared = false): Dim => ({
      shared,
      fields: [{ name, kind: 'axis', values: Array.from({ length: n }, (_, i) => `${name}${i}`) }],
    });
    const grid = new Grid({ dims: [axis('a', 100), axis('b', 100), axis('c', 100, true)], exclude: [{ a: ['a0'] }] });
    expect(grid.size).toBe(1_000_000);
    expect(grid.count).toBe(990_000);
    expect(grid.valuesOf(999_999)).toEqual({ a: 'a99', b: 'b99', c: 'c99' });
    expect(grid.isExcluded(5_000)).toBe(true);
    expect(grid.blockSize).toBe(100);
  });

  it('visits each distinct cell once, replicates aside: the first replicate not excluded', () => {
    const field = (name: string, n: number, kind: 'axis' | 'replicate' = 'axis') => ({ name, kind, values: Array.from({ length: n }, (_, i): Json => (kind === 'replicate' ? i : `${name}${i}`)) });
    /** By brute force: per distinct values (replicate aside), the first index not excluded. */
    const reference = (grid: Grid): number[] => {
      const first = new Map<string, number>();
      for (const index of grid.indices()) {
        const key = canonicalJson(grid.valuesOf(index, 'replicate'));
        if (!first.has(key)) first.set(key, index);
      }
      return [...first.values()];
    };
    const specs: GridSpec[] = [
      { dims: [{ shared: false, fields: [field('a', 3)] }, { shared: false, fields: [field('replicate', 4, 'replicate')] }, { shared: true, fields: [field('s', 2)] }], exclude: [] },
      // Replicate 0 excluded for some cells, and every replicate of others.
      { dims: [{ shared: false, fields: [field('replicate', 3, 'replicate')] }, { shared: false, fields: [field('a', 3)] }, { shared: true, fields: [field('s', 2)] }], exclude: [{ replicate: [0], a: ['a1'] }, { a: ['a2'], s: ['s0'] }] },
      // Zipped with an axis: the replicates differ in that axis, so every cell is distinct.
      { dims: [{ shared: false, fields: [field('replicate', 3, 'replicate'), field('z', 3)] }, { shared: true, fields: [field('s', 2)] }], exclude: [{ z: ['z1'] }] },
    ];
    for (const spec of specs) {
      const grid = new Grid(spec);
      expect([...grid.distinctCells()].sort((x, y) => x - y)).toEqual(reference(grid).sort((x, y) => x - y));
    }
    expect(new Grid(specs[1]!).replicateDim).toBe(0);
    expect(new Grid(specs[2]!).replicateDim).toBe(-1);
  });

  it('refuses shared dimensions that are not innermost', () => {
    const dim = (shared: boolean): Dim => ({ shared, fields: [{ name: `x${String(shared)}`, kind: 'axis', values: ['a'] }] });
    expect(() => new Grid({ dims: [dim(true), dim(false)], exclude: [] })).toThrow(/innermost/);
  });
});
