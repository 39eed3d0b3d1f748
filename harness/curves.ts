/**
 * The curves of a study as a report receives them (ReportInput.curves): one CurveTable per
 * group, each a run of rows in columns shared by every group (one typed array per numeric column
 * for the whole study). A row of 21 numbers took about 1.2 kB of V8 heap as an object; with a
 * typed array per column and group, the arrays' own objects and each group's map of them took
 * half of a large report's heap; shared, a group costs one small object.
 */
import type { Scalar } from './experiment.js';

type Column = Float64Array | (string | null)[];

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

/** The same for a text column: the text, null for NULL; undefined for a value that does not belong in it. */
export function storedText(value: Scalar | undefined): string | null | undefined {
  return value === null || typeof value === 'string' ? value : undefined;
}

/** A value of such a table as read back: null for NULL. */
export function readBack(value: number | string | null | undefined): Scalar {
  const v = value ?? null;
  return typeof v === 'number' && Number.isNaN(v) ? null : v;
}

/** A value given to a column of another kind: `column` by its name, `value` as given. */
export class WrongKindError extends TypeError {
  /** `label`: how the message names the column, e.g. `column "k"`. */
  constructor(
    table: string,
    label: string,
    readonly column: string,
    readonly kind: ColumnKind,
    readonly value: Scalar | undefined,
  ) {
    super(`${table}: ${label} holds ${kind === 'number' ? 'numbers' : 'texts'}, got ${JSON.stringify(value)}`);
  }
}

/** One group's curve: rows `offset` to `offset + length - 1` of the shared columns. */
export class CurveTable {
  /** A view onto `columns` (CurveTables makes them as it reads). */
  constructor(
    private readonly columns: ReadonlyMap<string, Column>,
    private readonly offset: number,
    /** Rows, in `idx` order. */
    readonly length: number,
  ) {}

  /**
   * From columns of equal length: numbers (null for NULL) for INTEGER and REAL columns, texts for
   * TEXT columns. A number in a text column, or a text in a numeric one, is refused.
   */
  static fromColumns(columns: Iterable<readonly [name: string, type: ColumnKind, values: readonly Scalar[]]>): CurveTable {
    const given = [...columns];
    const length = given[0]?.[2].length ?? 0;
    for (const [name, , values] of given) {
      if (values.length !== length) throw new RangeError(`CurveTable: column "${name}" has ${values.length} values, the others ${length}`);
    }
    const builder = new CurveTables(
      given.map(([name, type]) => ({ name, type })),
      length,
    );
    const row: Scalar[] = [];
    for (let i = 0; i < length; i++) {
      given.forEach(([, , values], c) => (row[c] = values[i]!));
      builder.add(row);
    }
    return builder.endGroup();
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

  /** A numeric column: NaN where the value is NULL. A view onto the shared column: read it, don't keep it. */
  numbers(name: string): Float64Array {
    const column = this.columns.get(name);
    if (!(column instanceof Float64Array)) {
      throw new TypeError(`CurveTable: no numeric column "${name}"; columns: ${this.names.map((n) => `${n} (${this.columns.get(n) instanceof Float64Array ? 'number' : 'text'})`).join(', ')}`);
    }
    return column.subarray(this.offset, this.offset + this.length);
  }

  /** Row `i` as an object, null where NULL. */
  row(i: number): Record<string, Scalar> {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) throw new RangeError(`CurveTable: row ${i} is outside 0..${this.length - 1}`);
    const out: Record<string, Scalar> = {};
    for (const [name, column] of this.columns) out[name] = readBack(column[this.offset + i]);
    return out;
  }
}

/**
 * Builds the CurveTables of many groups over one set of columns: add a group's rows, then end
 * the group to get its table. `capacity`: the rows of every group together, known before reading
 * (a count in the same transaction); a row beyond it is refused.
 */
export class CurveTables {
  private readonly columns: Map<string, Column>;
  private readonly kinds: readonly { name: string; type: ColumnKind; column: Column }[];
  private rows = 0;
  private groupStart = 0;

  constructor(
    columns: readonly { name: string; type: ColumnKind }[],
    private readonly capacity: number,
  ) {
    this.kinds = columns.map(({ name, type }) => ({ name, type, column: type === 'number' ? new Float64Array(capacity) : [] }));
    this.columns = new Map(this.kinds.map((k) => [k.name, k.column]));
  }

  /** One row: its values in the order of the columns, from `from` on (a stored row may lead with its group key). */
  add(values: readonly Scalar[], from = 0): void {
    if (this.rows === this.capacity) throw new RangeError(`CurveTables: room for ${this.capacity} rows, got one more`);
    const i = this.rows;
    for (let c = 0; c < this.kinds.length; c++) {
      const { name, type, column } = this.kinds[c]!;
      const value = values[from + c] ?? null;
      if (column instanceof Float64Array) {
        const stored = storedNumber(value);
        if (stored === undefined) throw new WrongKindError('CurveTable', `column "${name}"`, name, type, value);
        column[i] = stored;
      } else {
        const stored = storedText(value);
        if (stored === undefined) throw new WrongKindError('CurveTable', `column "${name}"`, name, type, value);
        column.push(stored);
      }
    }
    this.rows++;
  }

  /** The table of the rows added since the last group ended. */
  endGroup(): CurveTable {
    const table = new CurveTable(this.columns, this.groupStart, this.rows - this.groupStart);
    this.groupStart = this.rows;
    return table;
  }
}
