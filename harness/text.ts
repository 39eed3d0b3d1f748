/**
 * Small text helpers shared by the message catalogue: how a path inside a document and a
 * received value are written, and the nearest valid name to a misspelt one.
 */

/** `['axes', 'model', 1]` -> `axes.model[1]`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(part))) out += out ? `.${String(part)}` : String(part);
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out || '(top level)';
}

/** A received value as a short, unambiguous text. */
export function showValue(value: unknown, max = 80): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return `${value}n (a BigInt)`;
  let text: string;
  try {
    text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** `a, b, c` with long lists cut after `max` entries. */
export function showList(items: readonly unknown[], max = 20): string {
  const shown = items.slice(0, max).map((x) => (typeof x === 'string' ? x : showValue(x)));
  return items.length > max ? `${shown.join(', ')}, ... (${items.length} in all)` : shown.join(', ');
}

/**
 * Edits that turn `a` into `b`, case aside: insertions, deletions, substitutions, and swaps of
 * two neighbouring letters (a typo's commonest kind: "dip" is one edit from "dpi", two from "db").
 */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  // d[i][j]: the distance between the first i letters of x and the first j of y.
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[x.length]![y.length]!;
}

/** The closest choice to `name`, when it is close enough to be a likely typo. */
export function nearest(name: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const d = editDistance(name, choice);
    if (d < bestDistance) {
      best = choice;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/** "38.5%": a share of the study, rounded down so that an unfinished study never shows 100%. */
export function shareOf(done: number, expected: number): string {
  return `${expected > 0 ? Math.floor((1000 * done) / expected) / 10 : 0}%`;
}

/** `1 trial`, `2 trials`: a count with its noun (plural by an added s, unless given). */
export function countOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** `a`, `a and b`, `a, b and c`: items in a sentence, joined by `conjunction` before the last. */
export function listInWords(items: readonly string[], conjunction = 'and'): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}` : (items[0] ?? '');
}

/** A command line that resumes rather than starts over: without --fresh, in any form (`--fresh=true`, `--fresh true`). */
export function withoutFresh(command: string): string {
  return command.replace(/\s--fresh(?:=\S*|\s+(?:true|false))?(?=\s|$)/g, '');
}

/** A command line without `option` and its value (`--option v` or `--option=v`). */
export function withoutOption(command: string, option: string): string {
  return command.replace(new RegExp(`\\s${option}(=\\S+|\\s+\\S+)`, 'g'), '');
}
