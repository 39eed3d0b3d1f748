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
  /** How many leading columns name a row (model, selector): row headers in HTML. */
  labels?: number;
}

export interface HtmlTableOptions {
  /** The table's name for a screen reader, hidden on screen: the heading above shows it. */
  caption?: string;
  /**
   * A table of short cells that may take the window's width beyond the text column; when even
   * that is too narrow it scrolls sideways with its row labels kept in view.
   */
  wide?: boolean;
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
 * page itself keeps the screen's width. Label cells carry `--i`, their place among the labels,
 * which the page's CSS turns into their sticky offset.
 */
export function tableToHtml(table: Table, options: HtmlTableOptions = {}): string {
  const labels = table.labels ?? 0;
  const cls = (c: TableColumn, i: number): string => {
    const names = [...(i < labels ? ['label'] : []), ...(c.align === 'right' ? ['num'] : [])];
    return (names.length ? ` class="${names.join(' ')}"` : '') + (i < labels ? ` style="--i: ${i}"` : '');
  };
  const head = table.columns.map((c, i) => `<th scope="col"${cls(c, i)}>${escapeHtml(c.title)}</th>`).join('');
  const cell = (row: Record<string, Cell>, c: TableColumn, i: number): string => {
    const text = escapeHtml(cellText(row[c.key]));
    return i < labels ? `<th scope="row"${cls(c, i)}>${text}</th>` : `<td${cls(c, i)}>${text}</td>`;
  };
  const body = table.rows.map((row) => `<tr>${table.columns.map((c, i) => cell(row, c, i)).join('')}</tr>`).join('\n');
  const cap = options.caption ? `<caption class="visually-hidden">${escapeHtml(options.caption)}</caption>` : '';
  return `<div class="table-scroll${options.wide ? ' wide' : ''}"><table>${cap}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}
