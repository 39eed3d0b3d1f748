/**
 * Exporting a table as CSV (csv-stringify) or JSON, in a fixed order (trials by cell index,
 * curves by group and index, failures and runs by id, the columns' descriptions by table and
 * column), streamed row by row. NULL is an empty field in CSV and null in JSON; a REAL column's
 * whole values are written as reals ("1.0"), so that a reader infers a column's type from any
 * of its rows, never from which rows a filter kept.
 */
import { stringify } from 'csv-stringify';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { quoteIdent } from './columns.js';
import { DamageFound } from './damage.js';
import * as msg from '../messages.js';
import type { Store } from './store.js';

export const exportTables = ['trials', 'curves', 'failures', 'runs', 'columns'] as const;
export type ExportTable = (typeof exportTables)[number];
export const exportFormats = ['csv', 'json'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** Each table's rows in order; `key`: a column whose values the order makes strictly increasing. */
const sql: Record<ExportTable, { table: string; order: string; key?: string }> = {
  trials: { table: 'trial', order: 'cell_index', key: 'cell_index' },
  curves: { table: 'curve', order: 'group_key, idx' },
  failures: { table: 'failure', order: 'id', key: 'id' },
  runs: { table: 'run', order: 'id', key: 'id' },
  // The data dictionary: each column's kind, type and description (with its unit).
  columns: { table: 'column_info', order: 'tbl, rowid' },
};

async function put(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** The columns of a table that depend on how its rows were computed, not on the results. */
export const runColumnsOf: Partial<Record<ExportTable, readonly string[]>> = { trials: ['duration_ms', 'run_id'], curves: [] };

/**
 * Writes the table to `out` (left open); returns the number of rows. `resultsOnly`: without
 * `runColumnsOf` the table (for the tables that have them listed). `readerLeft`: true once the
 * output's reader has gone (`export | head`): the rows end there.
 */
export async function exportTable(store: Store, table: ExportTable, format: ExportFormat, out: Writable, resultsOnly = false, readerLeft: () => boolean = () => false): Promise<number> {
  const { table: name, order } = sql[table];
  const left = resultsOnly ? (runColumnsOf[table] ?? []) : [];
  const selected = left.length === 0 ? '*' : columnsOf(store, name).filter((c) => !left.includes(c)).map(quoteIdent).join(', ');
  const statement = store.db.prepare(`SELECT ${selected} FROM ${quoteIdent(name)} ORDER BY ${order}`);
  const described = statement.columns();
  const columns = described.map((c) => c.name);
  const real = described.map((c) => c.type?.toUpperCase() === 'REAL');
  // A key that repeats (or goes back) is a damaged index SQLite read without complaint: a torn copy.
  const keyAt = sql[table].key === undefined ? -1 : columns.indexOf(sql[table].key!);
  let last = -Infinity;
  const checked = (row: unknown[]): unknown[] => {
    if (keyAt >= 0) {
      const key = row[keyAt] as number;
      if (!(key > last)) throw new DamageFound(msg.rowsRepeated(name, columns[keyAt]!, key));
      last = key;
    }
    return row;
  };
  let rows = 0;
  if (format === 'json') {
    const keys = columns.map((c) => `${JSON.stringify(c)}:`);
    await put(out, '[');
    for (const row of statement.raw(true).iterate() as IterableIterator<unknown[]>) {
      if (readerLeft()) break;
      const fields = checked(row).map((v, i) => keys[i] + (real[i] && typeof v === 'number' ? realText(v, 'null') : JSON.stringify(v)));
      await put(out, `${rows === 0 ? '\n' : ',\n'}{${fields.join(',')}}`);
      rows++;
    }
    await put(out, rows ? '\n]\n' : ']\n');
    return rows;
  }
  const csv = stringify({ header: true, columns, cast: { number: (n) => String(n) } });
  const piped = new Promise<void>((resolvePipe, reject) => {
    csv.on('data', (chunk: Buffer | string) => {
      if (!out.write(chunk)) {
        csv.pause();
        out.once('drain', () => csv.resume());
      }
    });
    csv.on('end', resolvePipe);
    csv.on('error', reject);
  });
  for (const row of statement.raw(true).iterate() as IterableIterator<unknown[]>) {
    if (readerLeft()) break;
    const fields = real.some(Boolean) ? checked(row).map((v, i) => (real[i] && typeof v === 'number' ? realText(v, String(v)) : v)) : checked(row);
    if (!csv.write(fields)) await once(csv, 'drain');
    rows++;
  }
  csv.end();
  await piped;
  return rows;
}

/** A REAL's text: a whole value with ".0"; `nonFinite` for what JSON has no number for. */
function realText(n: number, nonFinite: string): string {
  if (!Number.isFinite(n)) return nonFinite;
  const text = String(n);
  return Number.isInteger(n) && /^-?\d+$/.test(text) ? `${text}.0` : text;
}

function columnsOf(store: Store, table: string): string[] {
  return store.db.prepare(`SELECT * FROM ${quoteIdent(table)} LIMIT 0`).columns().map((c) => c.name);
}
