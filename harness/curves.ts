/**
 * One group's curve rows, stored column by column: how a report receives the curves of a study
 * (ReportInput.curves). Every group's curve is held at once, and as one object per row a row of
 * 21 numbers takes about 1.2 kB of V8 heap (curves were four fifths of a large study's report
 * memory); as columns it takes 168 bytes.
 */
import type { Scalar } from './experiment.js';

type Column = Float64Array | readonly (string | null)[];

/** What a stored column holds: INTEGER and REAL columns numbers, TEXT columns texts (NULL in either). */
export type ColumnKind = 'number' | 'text';

/**
 * How the tables of stored results (CurveTable, TrialTable) hold a value of a numeric column: as
 * a float, NaN for NULL (SQLite stores NaN as NULL, so NaN never stands for anything but a missing
 * value); undefined for a value that does not belong in a numeric column.
 */
export function storedNumber(value: Scalar | undefined): number | undefined {
  return typeof value === 'number' ? value : value === null ? Number.NaN : undefined;
}

/** A value of such a table as read back: null for NULL. */
export function readBack(value: number | string | null | undefined): Scalar {
  const v = value ?? null;
  return typeof v === 'number' && Number.isNaN(v) ? null : v;
}

/** `column`: how the message names it, e.g. `column "k"`. */
export function wrongKind(table: string, column: string, kind: ColumnKind, value: Scalar | undefined): TypeError {
  return new TypeError(`${table}: ${column} holds ${kind === 'number' ? 'numbers' : 'texts'}, got ${JSON.stringify(value)}`);
}

export class CurveTable {
  private constructor(
    /** Rows, in `idx` order. */
    readonly length: number,
    private readonly columns: ReadonlyMap<string, Column>,
  ) {}

  /**
   * From columns of equal length: numbers (null for NULL) for INTEGER and REAL columns, texts for
   * TEXT columns. A number in a text column, or a text in a numeric one, is refused.
   */
  static fromColumns(columns: Iterable<readonly [name: string, type: ColumnKind, values: readonly Scalar[]]>): CurveTable {
    const stored = new Map<string, Column>();
    let length: number | undefined;
    for (const [name, type, values] of columns) {
      length ??= values.length;
      if (values.length !== length) throw new RangeError(`CurveTable: column "${name}" has ${values.length} values, the others ${length}`);
      stored.set(name, type === 'number' ? numericColumn(name, values) : textColumn(name, values));
    }
    return new CurveTable(length ?? 0, stored);
  }

  /** From row objects (tests, small studies); a column is numeric when none of its values is a text. */
  static fromRows(rows: readonly Record<string, Scalar>[]): CurveTable {
    const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return CurveTable.fromColumns(
      names.map((name) => {
        const values = rows.map((r) => r[name] ?? null);
        return [name, values.some((v) => typeof v === 'string') ? 'text' : 'number', values] as const;
      }),
    );
  }

  get names(): string[] {
    return [...this.columns.keys()];
  }

  /** A numeric column: NaN where the value is NULL. */
  numbers(name: string): Float64Array {
    const column = this.columns.get(name);
    if (!(column instanceof Float64Array)) {
      throw new TypeError(`CurveTable: no numeric column "${name}"; columns: ${this.names.map((n) => `${n} (${this.columns.get(n) instanceof Float64Array ? 'number' : 'text'})`).join(', ')}`);
    }
    return column;
  }

  /** Row `i` as an object, null where NULL. */
  row(i: number): Record<string, Scalar> {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) throw new RangeError(`CurveTable: row ${i} is outside 0..${this.length - 1}`);
    const out: Record<string, Scalar> = {};
    for (const [name, column] of this.columns) out[name] = readBack(column[i]);
    return out;
  }
}

// Plain loops: a study's curves are millions of values, read on the report's critical path.

function numericColumn(name: string, values: readonly Scalar[]): Float64Array {
  const column = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const stored = storedNumber(values[i]);
    if (stored === undefined) throw wrongKind('CurveTable', `column "${name}"`, 'number', values[i]);
    column[i] = stored;
  }
  return column;
}

function textColumn(name: string, values: readonly Scalar[]): readonly (string | null)[] {
  for (const v of values) if (v !== null && typeof v !== 'string') throw wrongKind('CurveTable', `column "${name}"`, 'text', v);
  return values as readonly (string | null)[];
}
