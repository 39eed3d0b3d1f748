/**
 * Exporting a table as CSV (csv-stringify) or JSON, in a fixed order (trials by cell index,
 * curves by group and index, failures and runs by id), streamed row by row.
 */
import { stringify } from 'csv-stringify';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { quoteIdent } from './columns.js';
import type { Store } from './store.js';

export const exportTables = ['trials', 'curves', 'failures', 'runs'] as const;
export type ExportTable = (typeof exportTables)[number];
export const exportFormats = ['csv', 'json'] as const;
export type ExportFormat = (typeof exportFormats)[number];

const sql: Record<ExportTable, { table: string; order: string }> = {
  trials: { table: 'trial', order: 'cell_index' },
  curves: { table: 'curve', order: 'group_key, idx' },
  failures: { table: 'failure', order: 'id' },
  runs: { table: 'run', order: 'id' },
};

async function put(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** The columns of a table that depend on how its rows were computed, not on the results. */
export const runColumnsOf: Partial<Record<ExportTable, readonly string[]>> = { trials: ['duration_ms', 'run_id'], curves: [] };

/**
 * Writes the table to `out` (left open); returns the number of rows. `resultsOnly`: without
 * `runColumnsOf` the table (for the tables that have them listed).
 */
export async function exportTable(store: Store, table: ExportTable, format: ExportFormat, out: Writable, resultsOnly = false): Promise<number> {
  const { table: name, order } = sql[table];
  const left = resultsOnly ? (runColumnsOf[table] ?? []) : [];
  const selected = left.length === 0 ? '*' : columnsOf(store, name).filter((c) => !left.includes(c)).map(quoteIdent).join(', ');
  const statement = store.db.prepare(`SELECT ${selected} FROM ${quoteIdent(name)} ORDER BY ${order}`);
  const columns = statement.columns().map((c) => c.name);
  let rows = 0;
  if (format === 'json') {
    await put(out, '[');
    for (const row of statement.iterate() as IterableIterator<Record<string, unknown>>) {
      await put(out, `${rows === 0 ? '\n' : ',\n'}${JSON.stringify(row)}`);
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
    if (!csv.write(row)) await once(csv, 'drain');
    rows++;
  }
  csv.end();
  await piped;
  return rows;
}

function columnsOf(store: Store, table: string): string[] {
  return store.db.prepare(`SELECT * FROM ${quoteIdent(table)} LIMIT 0`).columns().map((c) => c.name);
}
