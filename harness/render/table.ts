/**
 * One table model, four serialisations: CSV (csv-stringify) for machines, Markdown for
 * documents and terminals, HTML for the report page, LaTeX for papers. Cells are already formatted by the caller
 * (numbers are written with String(), null as empty).
 */
import { stringify } from 'csv-stringify/sync';
import { latexMessage, latexText, oneLine } from './latex.js';

export type Cell = string | number | null;

export interface TableColumn {
  key: string;
  title: string;
  align?: 'left' | 'right';
}

export interface Table {
  columns: TableColumn[];
  /** A cell that is Markdown's strong emphasis as a whole (`**holds**`) is bold in Markdown and LaTeX. */
  rows: Record<string, Cell>[];
  /** How many leading columns name a row (model, selector): row headers in HTML. */
  labels?: number;
  /**
   * How many of the label columns, the last ones, stay in view on a phone while the table scrolls
   * sideways (default: every one; on a wider screen every one does). On a phone three of them
   * would fill the screen, so a table labelled by condition, model and selector keeps model and
   * selector, and its condition scrolls away.
   */
  sticky?: number;
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
  const escape = (s: string): string => escapeMarkdownTags(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const header = `| ${table.columns.map((c) => escape(c.title)).join(' | ')} |`;
  const rule = `|${table.columns.map((c) => (c.align === 'right' ? '---:' : ':---')).join('|')}|`;
  const lines = table.rows.map((row) => `| ${table.columns.map((c) => escape(cellText(row[c.key]))).join(' | ')} |`);
  return [header, rule, ...lines].join('\n') + '\n';
}

/**
 * Text that Markdown shows as written: a "<" that could open an HTML tag, comment or autolink
 * ("<script>", "</b>", "<!--", "<https:") is backslash-escaped, as CommonMark allows for any
 * punctuation, so that a name from a study file is shown, never run or hidden, by a Markdown viewer.
 */
export function escapeMarkdownTags(text: string): string {
  return text.replace(/<(?=[A-Za-z/!?])/g, '\\<');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * In a box that scrolls sideways when the table is wider than the page (a phone), so that the
 * page itself keeps the screen's width. Label cells stay in view: each carries `--i`, its place
 * among the labels, which the page's CSS turns into its sticky offset; on a phone, those that
 * scroll away there (before Table.sticky's last ones) carry the class `phone-scrolls`, and the
 * others `--j`, their place among those that stay.
 */
export function tableToHtml(table: Table, options: HtmlTableOptions = {}): string {
  const labels = table.labels ?? 0;
  const firstSticky = labels - Math.min(labels, table.sticky ?? labels);
  // Each column's class and style attributes, the same in its header and in every cell.
  const attributes = table.columns.map((c, i) => {
    const label = i < labels;
    const names = [...(label ? ['label'] : []), ...(label && i < firstSticky ? ['phone-scrolls'] : []), ...(c.align === 'right' ? ['num'] : [])];
    const style = label ? ` style="--i: ${i}${firstSticky > 0 && i >= firstSticky ? `; --j: ${i - firstSticky}` : ''}"` : '';
    return (names.length ? ` class="${names.join(' ')}"` : '') + style;
  });
  const head = table.columns.map((c, i) => `<th scope="col"${attributes[i]}>${escapeHtml(c.title)}</th>`).join('');
  const cell = (row: Record<string, Cell>, c: TableColumn, i: number): string => {
    const text = escapeHtml(cellText(row[c.key]));
    return i < labels ? `<th scope="row"${attributes[i]}>${text}</th>` : `<td${attributes[i]}>${text}</td>`;
  };
  const body = table.rows.map((row) => `<tr>${table.columns.map((c, i) => cell(row, c, i)).join('')}</tr>`).join('\n');
  const cap = options.caption ? `<caption class="visually-hidden">${escapeHtml(options.caption)}</caption>` : '';
  return `<div class="table-scroll${options.wide ? ' wide' : ''}"><table>${cap}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

export interface LatexTableOptions {
  /** Written as a comment above the table: the caption is the paper's to write. */
  title?: string;
  /** A table without rows says why, in one row across its columns. */
  empty?: string;
  /**
   * Said where a paper's author sees it, for a table whose numbers are provisional (an
   * unfinished study's): in a comment above it, and as a warning in LaTeX's log each time the
   * paper is compiled with it.
   */
  warning?: string;
}

/**
 * A booktabs `tabular` to `\input` into a paper's own table float, so that the paper's numbers
 * come from the results as the report's do. Rows named by two or more label columns are grouped
 * by the first: its name is given once per group, with a little space between groups. A column
 * of long text (a cell longer than LATEX_LONG_TEXT characters) wraps in a paragraph column of
 * LATEX_TEXT_WIDTH, and a long title wraps to its column's widest cell, so that the table's
 * width is bounded; a table still wider than the page is the paper's to scale (`\resizebox`).
 * Needs `booktabs` (and `array` for wrapping columns); text is escaped for LaTeX, so it
 * compiles in any document that loads them.
 */
export function tableToLatex(table: Table, options: LatexTableOptions = {}): string {
  const { columns, rows } = table;
  const wraps = columns.map((c) => c.align !== 'right' && rows.some((r) => cellText(r[c.key]).length > LATEX_LONG_TEXT));
  const spec = columns.map((c, i) => (wraps[i] ? `>{\\raggedright\\arraybackslash}p{${LATEX_TEXT_WIDTH}}` : c.align === 'right' ? 'r' : 'l')).join('');
  const grouped = (table.labels ?? 0) >= 2;
  const line = (cells: string[]) => `${cells.join(' & ')} \\\\`;
  const body: string[] = [];
  rows.forEach((row, r) => {
    const previous = rows[r - 1];
    const sameGroup = grouped && previous !== undefined && cellText(previous[columns[0]!.key]) === cellText(row[columns[0]!.key]);
    if (grouped && previous !== undefined && !sameGroup) body.push('\\addlinespace');
    body.push(line(columns.map((c, i) => (i === 0 && sameGroup ? '' : latexCell(cellText(row[c.key]))))));
  });
  if (rows.length === 0 && options.empty !== undefined) body.push(line([`\\multicolumn{${columns.length}}{l}{No rows: ${latexText(options.empty)}.}`]));
  return [
    ...(options.title === undefined ? [] : [`% ${oneLine(options.title)}`]),
    ...(options.warning === undefined ? [] : [`% ${oneLine(options.warning)}`, `\\PackageWarningNoLine{studytable}{${latexMessage(options.warning)}}`]),
    `% Needs \\usepackage{booktabs}${wraps.some(Boolean) ? ' and \\usepackage{array}' : ''}.`,
    `\\begin{tabular}{${spec}}`,
    '\\toprule',
    afterLineBreak(line(columns.map((c, i) => (wraps[i] ? latexText(c.title) : latexHeader(c, Math.max(LATEX_HEADER_LINE, ...rows.map((r) => cellText(r[c.key]).length))))))),
    '\\midrule',
    ...body.map(afterLineBreak),
    '\\bottomrule',
    '\\end{tabular}',
    '',
  ].join('\n');
}

/**
 * A column's title in lines no longer than its widest cell (`width` characters; a longer word
 * keeps its own line), so that a long title does not widen its column. A wrapping column
 * wraps its title by itself.
 */
function latexHeader(column: TableColumn, width: number): string {
  const lines: string[] = [];
  for (const word of headerWords(oneLine(column.title))) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  if (lines.length <= 1) return latexText(column.title);
  return `\\begin{tabular}[b]{@{}${column.align === 'right' ? 'r' : 'l'}@{}}${lines.map((l) => afterLineBreak(latexText(l))).join(' \\\\ ')}\\end{tabular}`;
}

/**
 * A title's words for wrapping: a separator without letters or digits (the "·" of "a · b", a
 * "/") stays with the word before it, so that no line holds it alone.
 */
function headerWords(title: string): string[] {
  const words: string[] = [];
  for (const word of title.split(' ')) {
    if (words.length > 0 && !/[\p{L}\p{N}]/u.test(word)) words[words.length - 1] += ` ${word}`;
    else words.push(word);
  }
  return words;
}

/**
 * Text that follows a line break (`\\`) or a rule (`\midrule`): one that begins with "[" would be
 * read as their optional argument.
 */
function afterLineBreak(latex: string): string {
  return latex.startsWith('[') ? `{}${latex}` : latex;
}

/** The narrowest a title wraps to, in characters. */
const LATEX_HEADER_LINE = 12;

/** A cell as LaTeX: one that is Markdown's strong emphasis as a whole (`**holds**`) is set in bold. */
function latexCell(text: string): string {
  const strong = /^\*\*(.+)\*\*$/s.exec(text);
  return strong ? `\\textbf{${latexText(strong[1]!)}}` : latexText(text);
}

/** A left-aligned column with a longer cell than this wraps (LaTeX table cells do not wrap by themselves). */
const LATEX_LONG_TEXT = 40;

/** The width of a wrapping column: about 35 characters a line. */
const LATEX_TEXT_WIDTH = '16em';
