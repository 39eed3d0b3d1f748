/**
 * A study's trials as a report reads them (ReportInput.trials), stored column by column. As one
 * object per trial, with its result and diagnostics as objects of their own, a trial took about
 * 0.8 kB of V8 heap, and the report of 3 million trials ran out of heap (4.3 GB here); stored so,
 * about 0.45 kB. Each trial is a small view onto the columns: a TrialRecord whose `result` is
 * built when it is read (so read it once per trial), and whose other fields are the stored ones.
 */
import { readBack, storedNumber, storedText, WrongKindError, type ColumnKind } from './curves.js';
import type { Json, Scalar, TrialRecord } from './experiment.js';

export interface ResultColumn {
  name: string;
  type: ColumnKind;
}

/** One trial's row, as read from the store. */
export interface TrialRow {
  cellIndex: number;
  key: string;
  groupKey: string;
  replicate: number;
  values: Readonly<Record<string, Json>>;
  status: 'ok' | 'failed';
  /** In the order of the table's result columns. */
  results: readonly Scalar[];
  diagnostics: Json;
  error: string | null;
}

type Column = Float64Array | (string | null)[];

/** The columns of a TrialTable; its views read them. Typed arrays are replaced as they grow. */
interface Columns {
  readonly resultColumns: readonly ResultColumn[];
  cellIndex: Int32Array;
  replicate: Int32Array;
  failed: Uint8Array;
  readonly keys: string[];
  readonly groupKeys: string[];
  readonly values: Readonly<Record<string, Json>>[];
  readonly diagnostics: Json[];
  readonly errors: (string | null)[];
  readonly results: Column[];
}

export class TrialTable {
  private length = 0;
  private readonly columns: Columns;
  /** Each distinct group key and text once: the trials of a group share them. */
  private readonly texts = new Map<string, string>();

  /** `capacity`: the rows expected (more are taken, at the cost of growing the columns). */
  constructor(resultColumns: readonly ResultColumn[], capacity = 0) {
    const size = Math.max(1, capacity);
    this.columns = {
      resultColumns,
      cellIndex: new Int32Array(size),
      replicate: new Int32Array(size),
      failed: new Uint8Array(size),
      keys: [],
      groupKeys: [],
      values: [],
      diagnostics: [],
      errors: [],
      results: resultColumns.map((c) => (c.type === 'number' ? new Float64Array(size) : [])),
    };
  }

  get size(): number {
    return this.length;
  }

  add(row: TrialRow): void {
    const c = this.columns;
    if (row.results.length !== c.resultColumns.length) {
      throw new RangeError(`TrialTable: a row needs ${c.resultColumns.length} results, got ${row.results.length}`);
    }
    const i = this.length;
    if (i === c.cellIndex.length) this.grow();
    c.cellIndex[i] = row.cellIndex;
    c.replicate[i] = row.replicate;
    c.failed[i] = row.status === 'ok' ? 0 : 1;
    c.keys.push(row.key);
    c.groupKeys.push(this.shared(row.groupKey));
    c.values.push(row.values);
    c.diagnostics.push(row.diagnostics);
    c.errors.push(row.error);
    row.results.forEach((value, r) => {
      const column = c.results[r]!;
      if (column instanceof Float64Array) {
        const stored = storedNumber(value);
        if (stored === undefined) throw this.wrongKind(r, value);
        column[i] = stored;
      } else {
        const stored = storedText(value);
        if (stored === undefined) throw this.wrongKind(r, value);
        column.push(stored === null ? null : this.shared(stored));
      }
    });
    this.length++;
  }

  /** Every trial, in the order added, each a view onto this table. */
  records(): TrialRecord[] {
    return Array.from({ length: this.length }, (_, i) => new StoredTrial(this.columns, i));
  }

  private shared(text: string): string {
    let stored = this.texts.get(text);
    if (stored === undefined) this.texts.set(text, (stored = text));
    return stored;
  }

  private grow(): void {
    const c = this.columns;
    const size = c.cellIndex.length * 2;
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    c.cellIndex = grown(c.cellIndex, new Int32Array(size));
    c.replicate = grown(c.replicate, new Int32Array(size));
    c.failed = grown(c.failed, new Uint8Array(size));
    c.results.forEach((column, r) => {
      if (column instanceof Float64Array) c.results[r] = grown(column, new Float64Array(size));
    });
  }

  private wrongKind(r: number, value: Scalar): WrongKindError {
    const { name, type } = this.columns.resultColumns[r]!;
    return new WrongKindError('TrialTable', `result column "${name}"`, name, type, value);
  }
}

/**
 * One trial of a TrialTable. Its fields are read through to the columns, so it has no own
 * enumerable properties: JSON (toJSON) gives the plain record; spreading it gives nothing.
 */
class StoredTrial implements TrialRecord {
  readonly #columns: Columns;
  readonly #row: number;

  constructor(columns: Columns, row: number) {
    this.#columns = columns;
    this.#row = row;
  }

  get key(): string {
    return this.#columns.keys[this.#row]!;
  }

  get cellIndex(): number {
    return this.#columns.cellIndex[this.#row]!;
  }

  get groupKey(): string {
    return this.#columns.groupKeys[this.#row]!;
  }

  get replicate(): number {
    return this.#columns.replicate[this.#row]!;
  }

  get values(): Readonly<Record<string, Json>> {
    return this.#columns.values[this.#row]!;
  }

  get status(): 'ok' | 'failed' {
    return this.#columns.failed[this.#row] ? 'failed' : 'ok';
  }

  /** A new object at each read, null where NULL. */
  get result(): Record<string, Scalar> {
    const out: Record<string, Scalar> = {};
    this.#columns.resultColumns.forEach(({ name }, r) => (out[name] = readBack(this.#columns.results[r]![this.#row])));
    return out;
  }

  get diagnostics(): Json {
    return this.#columns.diagnostics[this.#row]!;
  }

  get error(): string | null {
    return this.#columns.errors[this.#row]!;
  }

  toJSON(): TrialRecord {
    const { key, cellIndex, groupKey, replicate, values, status, result, diagnostics, error } = this;
    return { key, cellIndex, groupKey, replicate, values, status, result, diagnostics, error };
  }
}
