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

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length]!;
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
