/**
 * LaTeX for papers: text escaped so that LaTeX typesets it literally, and the numbers a report
 * quotes as a file a paper inputs (the report's tables as LaTeX are in table.ts).
 */

/** LaTeX's special characters, and the symbols the tables use that plain pdfLaTeX lacks. */
const LATEX_CHARACTERS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '%': '\\%',
  '#': '\\#',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  '±': '\\ensuremath{\\pm}',
  '·': '\\ensuremath{\\cdot}',
  '×': '\\ensuremath{\\times}',
  '≤': '\\ensuremath{\\leq}',
  '≥': '\\ensuremath{\\geq}',
  '−': '\\ensuremath{-}',
  '–': '--',
  '—': '---',
  '…': '\\dots{}',
  '\u00a0': '~',
};

/**
 * What latexText replaces: a hyphen between two numbers (a range: "1-2", "0.5-0.9 points", not
 * "2026-11-30" or "Qwen3-30B"), a minus sign before a number, a straight double quote, and each
 * character of LATEX_CHARACTERS.
 */
const LATEX_SPECIAL = new RegExp(
  `(?<range>(?<=(?:^|[\\s[(/])\\d+(?:\\.\\d+)?)-(?=\\d+(?:\\.\\d+)?(?:$|[\\s)\\],;:%]|\\.(?:$|\\s))))|-(?=\\.?\\d)(?<=(?:^|[\\s[(/])-)|"|[${Object.keys(LATEX_CHARACTERS).map((c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join('')}]`,
  'gu',
);

/**
 * Text as LaTeX typesets it literally. A minus sign before a number is set as one (in text, "-"
 * is a hyphen, shorter than a minus), a range of numbers ("1-2") with an en dash; straight
 * double quotes become opening and closing quotes.
 */
export function latexText(text: string): string {
  let quotes = 0;
  return oneLine(text).replace(LATEX_SPECIAL, (...match: unknown[]) => {
    const [ch, groups] = [match[0] as string, match.at(-1) as { range?: string }];
    if (groups.range !== undefined) return '--';
    if (ch === '-') return '\\ensuremath{-}';
    if (ch === '"') return quotes++ % 2 === 0 ? '``' : "''";
    return LATEX_CHARACTERS[ch]!;
  });
}

/**
 * Text for a message in LaTeX's log, where commands are written, not typeset: a percent sign
 * as itself, and any character that LaTeX would read as markup as a space.
 */
export function latexMessage(text: string): string {
  return oneLine(text)
    .replace(/[^A-Za-z0-9 .,;:()'"!?/+=%-]/g, ' ')
    .replace(/%/g, '\\csname @percentchar\\endcsname ');
}

/** Text on one line: each line break, with the spaces around it, becomes one space. */
export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}

/**
 * The numbers a report quotes, by name, for a paper to `\input` once and quote as
 * `\studynumber{<study>}{<name>}`, which gives the number as the report writes it: a paper's
 * text then follows the results as the report does. A name the report does not have stops LaTeX
 * with an error that names it, so that no quote goes stale unseen. Files of several studies may
 * be input together: each keeps its numbers under its study's name. `warning` (an incomplete
 * study's) is repeated in the paper's LaTeX log.
 */
export function latexNumbers(study: string, numbers: Readonly<Record<string, string>>, warning?: string): string {
  const defined = (name: string) => `studynumber@${study}@${name}`;
  return [
    `% The numbers the report of study "${study}" quotes (the quotes of its summary.json). In a paper:`,
    `% \\input{numbers.tex} once, then \\studynumber{${study}}{<name>} gives the number as the report writes it.`,
    '\\providecommand\\studynumber[2]{\\ifcsname studynumber@#1@#2\\endcsname\\csname studynumber@#1@#2\\endcsname\\else' +
      "\\PackageError{studynumber}{No number `#2' in the report of study `#1'}{The names are those of the quotes in the report's summary.json.}\\fi}",
    ...(warning === undefined ? [] : [`\\PackageWarningNoLine{studynumber}{${latexMessage(warning)}}`]),
    ...Object.entries(numbers).map(([name, value]) => `\\expandafter\\def\\csname ${defined(name)}\\endcsname{${latexText(value)}}`),
    '',
  ].join('\n');
}
