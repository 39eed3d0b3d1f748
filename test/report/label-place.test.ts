import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import { compileVegaLite } from '../../harness/render/vega.js';
import type { VegaLiteSpec } from '../../harness/render/vega.js';
import { budgetLabelPlace, paddedDomain, paddedScale, type LabelBox, type Obstacles } from '../../experiments/inference-scaling/report/figures/label-place.js';

/** The domain Vega gives the y scale of a point chart of `values`, `size` points high. */
async function vegaDomain(type: 'linear' | 'log', values: number[], size: number, padding: number, nice = false): Promise<number[]> {
  const spec = {
    data: { values: values.map((v) => ({ v })) },
    height: size,
    mark: 'point',
    encoding: { y: { field: 'v', type: 'quantitative', scale: { type, padding, nice, zero: false } } },
  } as unknown as VegaLiteSpec;
  const view = new vega.View(vega.parse(compileVegaLite(spec)), { renderer: 'none' });
  await view.runAsync();
  return view.scale('y').domain() as number[];
}

describe('a panel as Vega lays it out', () => {
  it('pads a scale domain as Vega does, linear and log', async () => {
    for (const [type, values] of [
      ['linear', [0.862, 0.95, 1]],
      ['log', [0.004, 0.05, 2.7]],
    ] as const) {
      const [lo, hi] = paddedDomain(type, [...values], 92, 12);
      const [vlo, vhi] = await vegaDomain(type, [...values], 92, 12);
      expect(lo, type).toBeCloseTo(vlo!, 12);
      expect(hi, type).toBeCloseTo(vhi!, 12);
    }
  });

  it('widens a padded log domain to whole decades as Vega\'s nice does', async () => {
    // 2.8 decades over the 21 points between the paddings: 12 points more are 1.6 decades either side.
    for (const values of [[0.004, 0.05, 2.7], [2.15, 60, 68.8]]) {
      const domain = paddedDomain('log', values, 45, 12, { decades: true });
      expect(domain).toEqual(await vegaDomain('log', values, 45, 12, true));
    }
    expect(paddedDomain('log', [0.004, 0.05, 2.7], 45, 12, { decades: true })).toEqual([1e-5, 1000]);
    expect(() => paddedDomain('linear', [1, 2], 45, 12, { decades: true })).toThrow(/only a log scale/);
  });

  it('maps the extreme values to the padding from either end, y downwards when reversed', () => {
    const y = paddedScale('linear', [0.8, 1], 92, 12, { reversed: true });
    expect(y(1)).toBeCloseTo(12, 9);
    expect(y(0.8)).toBeCloseTo(80, 9);
    const x = paddedScale('log', [4, 128], 136, 12);
    expect(x(4)).toBeCloseTo(12, 9);
    expect(x(128)).toBeCloseTo(124, 9);
    expect(x(Math.sqrt(4 * 128))).toBeCloseTo(68, 9);
  });
});

describe('where a budget label goes', () => {
  const [width, height] = [136, 92];
  const label: LabelBox = { width: 40, fontSize: 7, margin: 1 };
  const none: Obstacles = { lines: [], discs: [] };
  const lineY = 46;

  it('above the line at its right end when nothing is there', () => {
    expect(budgetLabelPlace(width, height, lineY, label, none)).toEqual({ place: 'above-right', covers: 0 });
  });

  it('below it where a ring covers the place above', () => {
    expect(budgetLabelPlace(width, height, lineY, label, { lines: [], discs: [{ x: 120, y: 38, r: 6 }] }).place).toBe('below-right');
  });

  it('at the left end where the curve crosses the line at the right, between its points', () => {
    // Two points far apart, above and below the right end: only the stretch between them passes there.
    const line: [number, number][] = [
      [110, 10],
      [125, 85],
    ];
    expect(budgetLabelPlace(width, height, lineY, label, { lines: [line], discs: [] }).place).toBe('above-left');
    expect(budgetLabelPlace(width, height, lineY, label, { lines: [line], discs: [{ x: 20, y: 40, r: 5 }] }).place).toBe('below-left');
  });

  it('inside the panel: below a line at its top edge', () => {
    expect(budgetLabelPlace(width, height, 3, label, none).place).toBe('below-right');
    expect(budgetLabelPlace(width, height, 0, label, none).place).toBe('below-right');
  });

  it('where it covers the fewest when every place covers something', () => {
    const discs = [
      { x: 120, y: 40, r: 4 },
      { x: 110, y: 40, r: 4 },
      { x: 120, y: 52, r: 4 },
      { x: 20, y: 40, r: 4 },
      { x: 20, y: 52, r: 4 },
      { x: 30, y: 52, r: 4 },
    ];
    expect(budgetLabelPlace(width, height, lineY, label, { lines: [], discs })).toEqual({ place: 'below-right', covers: 1 });
  });
});
