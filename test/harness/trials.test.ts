/**
 * The trials a report reads, stored by column (harness/trials.ts): every field reads back as
 * stored, through views that serialize as plain records; and the reader gives, for a real
 * database, exactly the rows SQLite holds.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Scalar } from '../../harness/experiment.js';
import * as msg from '../../harness/messages.js';
import { heapNote, writeReport } from '../../harness/run/report.js';
import { runStudy } from '../../harness/run/run.js';
import { loadReportInput } from '../../harness/store/reader.js';
import { Store } from '../../harness/store/store.js';
import { loadStudy } from '../../harness/study/study.js';
import { TrialTable, type TrialRow } from '../../harness/trials.js';
import { faultyModule, noopStudy, query, tempDir, writeStudy } from './helpers.js';

const dir = tempDir();
const columns = [
  { name: 'value', type: 'number' as const },
  { name: 'label', type: 'text' as const },
  { name: 'rank', type: 'number' as const },
];

function row(i: number, results: Scalar[]): TrialRow {
  return {
    cellIndex: 10 + i,
    key: `key-${i}`,
    groupKey: `group-${i % 2}`,
    replicate: i % 3,
    values: Object.freeze({ color: i % 2 ? 'red' : 'blue' }),
    status: i === 3 ? 'failed' : 'ok',
    results,
    diagnostics: i === 3 ? null : { at: i, notes: ['x'] },
    error: i === 3 ? 'it failed' : null,
  };
}

describe('TrialTable', () => {
  it('reads back every field as added, past the capacity it was given', () => {
    const rows = [
      row(0, [0.5, 'a', 1]),
      row(1, [-0, null, 2]),
      row(2, [Infinity, 'a', null]),
      row(3, [null, null, null]),
      row(4, [1e-300, 'longer text', -7]),
    ];
    const table = new TrialTable(columns, 2);
    for (const r of rows) table.add(r);
    expect(table.size).toBe(5);
    const records = table.records();
    records.forEach((t, i) => {
      const r = rows[i]!;
      expect(t.key).toBe(r.key);
      expect(t.cellIndex).toBe(r.cellIndex);
      expect(t.groupKey).toBe(r.groupKey);
      expect(t.replicate).toBe(r.replicate);
      expect(t.values).toBe(r.values);
      expect(t.status).toBe(r.status);
      expect(t.diagnostics).toBe(r.diagnostics);
      expect(t.error).toBe(r.error);
      expect(t.result).toEqual({ value: r.results[0], label: r.results[1], rank: r.results[2] });
    });
    expect(Object.is(records[1]!.result.value, -0)).toBe(true);
    expect(records[3]!.result).toEqual({ value: null, label: null, rank: null });
  });

  it('builds a new result object at each read; a view serializes as the plain record and spreads to nothing', () => {
    const table = new TrialTable(columns);
    table.add(row(0, [1, 'a', 2]));
    const [t] = table.records();
    expect(t!.result).not.toBe(t!.result);
    t!.result.value = 99;
    expect(t!.result.value).toBe(1);
    expect(JSON.parse(JSON.stringify(t))).toEqual({
      key: 'key-0',
      cellIndex: 10,
      groupKey: 'group-0',
      replicate: 0,
      values: { color: 'blue' },
      status: 'ok',
      result: { value: 1, label: 'a', rank: 2 },
      diagnostics: { at: 0, notes: ['x'] },
      error: null,
    });
    expect(Object.keys(t!)).toEqual([]);
  });

  it('refuses a text in a numeric column, a number in a text column and a row of the wrong width', () => {
    const table = new TrialTable(columns);
    expect(() => table.add(row(0, ['1', 'a', 2]))).toThrow('TrialTable: result column "value" holds numbers, got "1"');
    expect(() => table.add(row(0, [1, 2, 2]))).toThrow('TrialTable: result column "label" holds texts, got 2');
    expect(() => table.add(row(0, [1, 'a']))).toThrow('TrialTable: a row needs 3 results, got 2');
  });
});

describe('the report input of a database', () => {
  it('holds each stored trial as SQLite has it, ok and failed, in cell order', async () => {
    const runOne = async (name: string, doc: Record<string, unknown>) => {
      const study = await loadStudy(writeStudy(dir, `${name}.yaml`, doc), { cwd: dir });
      const db = join(dir, `${name}.sqlite`);
      await runStudy({ study, dbPath: db, threads: 2, shard: null, commandLine: 'test' });
      return db;
    };
    const dbs = [
      await runOne('noop', noopStudy({ name: 'trials-noop' })),
      await runOne('faulty', { name: 'trials-faulty', experiment: faultyModule, seeds: 3, axes: { behavior: ['ok', 'throw', 'nan'], variant: ['a', 'b'] } }),
    ];
    for (const db of dbs) {
      const store = Store.open(db, 'read');
      let records: unknown[];
      let resultNames: string[];
      let curves: Map<string, Record<string, Scalar>[]>;
      try {
        const input = loadReportInput(store);
        records = JSON.parse(JSON.stringify(input.trials)) as unknown[];
        resultNames = store.requireManifest().body.columns.trial.map((c) => c.name);
        curves = new Map([...input.curves].map(([group, table]) => [group, Array.from({ length: table.length }, (_, i) => table.row(i))]));
      } finally {
        store.close();
      }
      const rows = query<Record<string, Scalar>>(db, 'SELECT * FROM trial ORDER BY cell_index');
      expect(records.map((r) => ({ ...(r as Record<string, unknown>), values: undefined }))).toEqual(
        rows.map((r) => ({
          key: r.key,
          cellIndex: r.cell_index,
          groupKey: r.group_key,
          replicate: r.replicate,
          values: undefined,
          status: r.status,
          result: Object.fromEntries(resultNames.map((n) => [n, r[n]])),
          diagnostics: r.diagnostics === null ? null : JSON.parse(r.diagnostics as string),
          error: r.error,
        })),
      );
      expect(new Set(rows.map((r) => r.status)).size).toBe(db.endsWith('faulty.sqlite') ? 2 : 1);
      // Curves: each group's rows in idx order, the values as stored, every group in one set of columns.
      const curveRows = query<Record<string, Scalar>>(db, 'SELECT * FROM curve ORDER BY group_key, idx');
      const stored = new Map<string, Record<string, Scalar>[]>();
      for (const { group_key, idx: _idx, ...values } of curveRows) {
        const group = group_key as string;
        stored.set(group, [...(stored.get(group) ?? []), values]);
      }
      expect(curves).toEqual(stored);
      if (db.endsWith('noop.sqlite')) expect(stored.size).toBeGreaterThan(1);
    }
  });
});

describe('a report whose results fill much of the heap', () => {
  const GiB = 2 ** 30;

  it('is noted, with a heap size that would do, once the results fill more than half of the heap', () => {
    expect(heapNote(1000, { used_heap_size: 2 * GiB, heap_size_limit: 4 * GiB })).toBeNull();
    expect(heapNote(3_000_240, { used_heap_size: 2.9 * GiB, heap_size_limit: 4.3 * GiB })).toBe(
      msg.reportHeapTight(3_000_240, Math.round(2.9 * 1024), Math.round(4.3 * 1024), 8 * 1024),
    );
    expect(msg.reportHeapTight(3_000_240, 2970, 4403, 8192)).toContain(
      'the 3,000,240 trials read fill 2,970 MB of this process\'s 4,403 MB JavaScript heap',
    );
    expect(msg.reportHeapTight(3_000_240, 2970, 4403, 8192)).toContain('NODE_OPTIONS=--max-old-space-size=8192');
  });

  it('harness report prints the note before it builds the report, and still builds it', async () => {
    const study = await loadStudy(writeStudy(dir, 'heap.yaml', noopStudy({ name: 'trials-heap' })), { cwd: dir });
    const db = join(dir, 'heap.sqlite');
    await runStudy({ study, dbPath: db, threads: 2, shard: null, commandLine: 'test' });
    for (const tight of [true, false]) {
      const lines: string[] = [];
      const result = await writeReport({
        dbPath: db,
        outDir: () => join(dir, `heap-report-${tight}`),
        log: (line) => lines.push(line),
        heap: () => ({ used_heap_size: tight ? 3 * GiB : GiB, heap_size_limit: 4 * GiB }),
      });
      expect('written' in result && result.written.length).toBeGreaterThan(0);
      expect(lines).toEqual(tight ? [msg.reportHeapTight(27, 3072, 4096, 8192)] : []);
    }
  });
});
