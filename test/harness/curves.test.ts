/** CurveTable: the columnar curves a report receives. */
import { describe, expect, it } from 'vitest';
import { CurveTable, CurveTables } from '../../harness/curves.js';

describe('curve tables', () => {
  const rows = [
    { k: 1, cost_mean: 0.5, label: 'a', feasible: 1 },
    { k: 2, cost_mean: null, label: null, feasible: 0 },
    { k: 4, cost_mean: 1.25, label: 'c', feasible: null },
  ];

  it('keeps numbers as columns (NaN for null) and gives every row back as it was', () => {
    const table = CurveTable.fromRows(rows);
    expect(table.length).toBe(3);
    expect(table.names).toEqual(['k', 'cost_mean', 'label', 'feasible']);
    expect(Array.from(table.numbers('k'))).toEqual([1, 2, 4]);
    expect(Array.from(table.numbers('cost_mean'))).toEqual([0.5, Number.NaN, 1.25]);
    expect([0, 1, 2].map((i) => table.row(i))).toEqual(rows);
  });

  it('refuses a text column as numbers, a value of the wrong kind, uneven columns and rows out of range', () => {
    const table = CurveTable.fromRows(rows);
    expect(() => table.numbers('label')).toThrow(/no numeric column "label"; columns: k \(number\), cost_mean \(number\), label \(text\), feasible \(number\)/);
    expect(() => table.numbers('latency')).toThrow(/no numeric column "latency"/);
    expect(() => CurveTable.fromColumns([['k', 'number', [1, 'two']]])).toThrow(/column "k" holds numbers, got "two"/);
    expect(() => CurveTable.fromColumns([['k', 'number', [1, 2]], ['x', 'number', [1]]])).toThrow(/column "x" has 1 values, the others 2/);
    expect(() => table.row(3)).toThrow(/row 3 is outside 0..2/);
  });

  it('is empty without columns', () => {
    expect(CurveTable.fromRows([]).length).toBe(0);
  });

  it('gives each group of a shared set of columns its own rows, and refuses a row beyond the capacity', () => {
    const tables = new CurveTables(
      [
        { name: 'k', type: 'number' },
        { name: 'label', type: 'text' },
      ],
      5,
    );
    tables.add(['g1', 1, 'a'], 1);
    tables.add(['g1', 2, null], 1);
    const first = tables.endGroup();
    const empty = tables.endGroup();
    tables.add([4, 'c']);
    tables.add([null, 'd']);
    tables.add([16, null]);
    const second = tables.endGroup();
    expect([first.length, empty.length, second.length]).toEqual([2, 0, 3]);
    expect(Array.from(first.numbers('k'))).toEqual([1, 2]);
    expect(Array.from(second.numbers('k'))).toEqual([4, Number.NaN, 16]);
    expect(Array.from(empty.numbers('k'))).toEqual([]);
    expect([0, 1].map((i) => first.row(i))).toEqual([
      { k: 1, label: 'a' },
      { k: 2, label: null },
    ]);
    expect([0, 1, 2].map((i) => second.row(i))).toEqual([
      { k: 4, label: 'c' },
      { k: null, label: 'd' },
      { k: 16, label: null },
    ]);
    expect(() => first.row(2)).toThrow(/row 2 is outside 0..1/);
    expect(() => tables.add([32, 'e'])).toThrow('CurveTables: room for 5 rows, got one more');
    expect(() => new CurveTables([{ name: 'label', type: 'text' }], 1).add([3])).toThrow('CurveTable: column "label" holds texts, got 3');
  });
});
