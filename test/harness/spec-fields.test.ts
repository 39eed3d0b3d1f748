import { describe, expect, it } from 'vitest';
import { knownFields, unknownField } from '../../harness/render/spec-fields.js';

const rows = [{ model: 'a', cost: 1, nested: { k: 2 }, 'dotted.name': 3 }];
const point = (encoding: object, extra: object = {}) => ({ data: { values: rows }, mark: 'point', encoding, ...extra });

describe('fields a Vega-Lite spec names that its data lack', () => {
  it('finds a misspelt field in any channel, a condition, a list, a sort, a facet or a filter, with its place', () => {
    expect(unknownField(point({ x: { field: 'cots', type: 'quantitative' } }))).toEqual({ path: '/encoding/x/field', field: 'cots', known: ['cost', 'dotted.name', 'model', 'nested'] });
    expect(unknownField(point({ color: { condition: { test: 'true', field: 'modle', type: 'nominal' }, value: 'red' } }))?.path).toBe('/encoding/color/condition/field');
    expect(unknownField(point({ tooltip: [{ field: 'model' }, { field: 'cots' }] }))?.path).toBe('/encoding/tooltip/1/field');
    expect(unknownField(point({ y: { field: 'model', type: 'nominal', sort: { field: 'cots', op: 'mean' } } }))?.path).toBe('/encoding/y/sort/field');
    expect(unknownField({ data: { values: rows }, facet: { column: { field: 'modle' } }, spec: { mark: 'point' } })?.path).toBe('/facet/column/field');
    expect(unknownField({ data: { values: rows }, facet: { field: 'modle' }, spec: { mark: 'point' } })?.path).toBe('/facet/field');
    expect(unknownField(point({}, { transform: [{ filter: { and: [{ field: 'model', equal: 'a' }, { not: { field: 'cots', lt: 1 } }] } }] }))?.path).toBe('/transform/0/filter/and/1/not/field');
  });

  it('takes a layer\'s data from its parent, or its own; a named dataset; fields made by transforms', () => {
    const layered = { data: { values: rows }, layer: [{ mark: 'point', encoding: { x: { field: 'cost' } } }, { data: { values: [{ other: 1 }] }, mark: 'rule', encoding: { x: { field: 'cost' } } }] };
    expect(unknownField(layered)).toEqual({ path: '/layer/1/encoding/x/field', field: 'cost', known: ['other'] });
    expect(unknownField({ datasets: { r: rows }, data: { name: 'r' }, mark: 'point', encoding: { x: { field: 'cots' } } })?.field).toBe('cots');
    const made = point(
      { x: { field: 'twice' }, y: { field: 'key' }, color: { field: 'mean_cost' }, size: { field: 'rank' }, shape: { field: 'bin_start' } },
      { transform: [{ calculate: 'datum.cost * 2', as: 'twice' }, { fold: ['cost'] }, { aggregate: [{ op: 'mean', field: 'cost', as: 'mean_cost' }], groupby: ['model'] }, { window: [{ op: 'rank', as: 'rank' }] }, { bin: true, field: 'cost', as: ['bin_start', 'bin_end'] }] },
    );
    expect(unknownField(made)).toBeNull();
    expect(unknownField(point({ x: { field: 'price' } }, { transform: [{ lookup: 'model', from: { data: { values: [{ model: 'a', price: 1 }] }, key: 'model' } }] }))).toBeNull();
  });

  it('reads a nested path by its first name, and an escaped dot as part of the name', () => {
    expect(unknownField(point({ x: { field: 'nested.k' }, y: { field: 'dotted\\.name' } }))).toBeNull();
    expect(unknownField(point({ x: { field: 'nestde.k' } }))?.field).toBe('nestde.k');
  });

  it('checks nothing it cannot be sure of: data loaded from a URL, a pivot\'s fields, a repeated field', () => {
    expect(unknownField({ data: { url: 'x.csv' }, mark: 'point', encoding: { x: { field: 'anything' } } })).toBeNull();
    expect(unknownField(point({ x: { field: 'a_value' } }, { transform: [{ pivot: 'model', value: 'cost' }] }))).toBeNull();
    expect(unknownField({ data: { values: rows }, repeat: ['cost'], spec: { mark: 'point', encoding: { x: { field: { repeat: 'repeat' } } } } })).toBeNull();
  });

  it('names the nearest field and lists the data\'s, a dozen at most', () => {
    expect(knownFields({ path: '', field: 'cots', known: ['cost', 'model'] })).toEqual({ close: 'cost', listed: '"cost", "model"' });
    const many = Array.from({ length: 15 }, (_, i) => `f${i}`);
    expect(knownFields({ path: '', field: 'zzz', known: many }).listed).toMatch(/^"f0", .*"f11", \.\.\. \(15 in all\)$/);
  });
});
