/**
 * One table model, three serialisations: CSV (csv-stringify) for machines, Markdown for
 * documents and terminals, HTML for the report page. Cells are already formatted by the caller
 * (numbers are written with String(), null as empty).
 */
import { stringify } from 'csv-stringify/sync';

export type Cell = string | number | null;

export interface TableColumn {
  key: string;
  title: string;
  align?: 'left' | 'right';
}

export interface Table {
  columns: TableColumn[];
  rows: Record<string, Cell>[];
}

function cellText(value: Cell | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** Header row of column keys (stable names for scripts), then one line per row. */
export function tableToCsv(table: Table): string {
  return stringify(
    table.rows.map((row) => table.columns.map((c) => cellText(row[c.key]))),
    { header: true, columns: table.columns.map((c) => c.key), eof: true },
  );
}

export function tableToMarkdown(table: Table): string {
  const escape = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const header = `| ${table.columns.map((c) => escape(c.title)).join(' | ')} |`;
  const rule = `|${table.columns.map((c) => (c.align === 'right' ? '---:' : ':---')).join('|')}|`;
  const lines = table.rows.map((row) => `| ${table.columns.map((c) => escape(cellText(row[c.key]))).join(' | ')} |`);
  return [header, rule, ...lines].join('\n') + '\n';
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * In a box that scrolls sideways when the table is wider than the page (a phone), so that the
 * page itself keeps the screen's width.
 */
export function tableToHtml(table: Table, caption?: string): string {
  const align = (c: TableColumn): string => (c.align === 'right' ? ' class="num"' : '');
  const head = table.columns.map((c) => `<th scope="col"${align(c)}>${escapeHtml(c.title)}</th>`).join('');
  const body = table.rows
    .map((row) => `<tr>${table.columns.map((c) => `<td${align(c)}>${escapeHtml(cellText(row[c.key]))}</td>`).join('')}</tr>`)
    .join('\n');
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : '';
  return `<div class="table-scroll"><table>${cap}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}
