/**
 * Problems found in a study, as data: where (a path inside the study document), which rule,
 * what was received, and a hint. Every validation stage returns these; the message catalogue
 * turns them into text that names the file.
 */
import type { ZodType } from 'zod';
import { editDistance, nearest, showList } from '../text.js';
import { studyNamePattern, variantNamePattern } from './schema.js';

export interface Issue {
  path: PropertyKey[];
  rule: string;
  received: unknown;
  hint?: string;
}

/** Minimal structural view of a zod v4 issue (the fields the mapping reads). */
interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  origin?: string;
  values?: unknown[];
  keys?: string[];
  format?: string;
  pattern?: string;
  inclusive?: boolean;
  /** invalid_union: the issues of each alternative. */
  errors?: ZodIssueLike[][];
  /** invalid_key: the issues of the key. */
  issues?: ZodIssueLike[];
  /** custom: an experiment's refinement may pass `{ hint }`, said after the received value. */
  params?: { hint?: unknown };
}

export const unknownKeyRule = 'is not a known key here';

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let here = root;
  for (const part of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<PropertyKey, unknown>)[part];
  }
  return here;
}

/**
 * Maps zod issues to study issues. `input` is what was parsed (for the received value),
 * `prefix` places the parsed value inside the study document, `schema` (optional) lets an
 * unknown key be matched against the keys the schema knows.
 */
export function fromZodIssues(
  issues: readonly ZodIssueLike[],
  input: unknown,
  prefix: PropertyKey[] = [],
  schema?: ZodType,
): Issue[] {
  const out: Issue[] = [];
  for (const issue of tightestBounds(issues)) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys ?? []) {
        const known = schema ? objectKeysAt(schema, path) : [];
        const close = nearest(key, known);
        out.push({
          path: [...prefix, ...path, key],
          rule: unknownKeyRule,
          received: valueAt(input, [...path, key]),
          hint: close
            ? `Did you mean "${close}"?`
            : known.length
              ? `Known keys: ${showList(known)}.`
              : 'Remove it.',
        });
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      // A key of a mapping (e.g. a variant's name) broke its rule: the key is what was received.
      const key = path.at(-1);
      const rules = (issue.issues ?? []).map((i) => describeZodIssue(i, key));
      const hints = rules.flatMap((r) => (r.hint ? [r.hint] : []));
      out.push({ path: [...prefix, ...path], rule: `the name ${rules.map((r) => r.rule).join(' and ') || 'is not allowed'}`, received: key, hint: hints.length ? `Rename it. ${hints.join(' ')}` : 'Rename it.' });
      continue;
    }
    const received = valueAt(input, path);
    const at = [...prefix, ...path];
    const described = describeZodIssue(issue, received);
    // A number in an axis is most often a numeric parameter meant to be swept.
    if (at[0] === 'axes' && at.length === 3 && issue.code === 'invalid_type' && typeof received === 'number') {
      described.hint = `Axis values are names: quote it ("${received}"); or, if ${String(at[1])} is a numeric parameter rather than an axis, vary it with sweep: {${String(at[1])}: [...]}.`;
    }
    // base_seed is a whole number or a text: one rule for its every wrong value, and its way out.
    if (at.length === 1 && at[0] === 'base_seed') {
      described.rule = `must be a whole number between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}, or a non-empty text`;
      described.hint =
        typeof received === 'number' && Math.abs(received) > Number.MAX_SAFE_INTEGER
          ? `A number this large loses its last digits as it is read: quote it to keep them all, as a text (base_seed: "…").`
          : 'For example base_seed: 42, or base_seed: "run-a".';
    }
    out.push({ path: at, ...described, received });
  }
  return out;
}

/**
 * The issues with one bound per path and side, the tightest: zod's int() brings its own
 * safe-integer bounds, which a value over the schema's own (seeds: 1e20) breaks too.
 */
function tightestBounds(issues: readonly ZodIssueLike[]): ZodIssueLike[] {
  const isBound = (i: ZodIssueLike) => i.code === 'too_big' || i.code === 'too_small';
  const tighter = (a: ZodIssueLike, b: ZodIssueLike) => (a.code === 'too_big' ? Number(a.maximum) < Number(b.maximum) : Number(a.minimum) > Number(b.minimum));
  const kept = new Map<string, ZodIssueLike>();
  for (const issue of issues.filter(isBound)) {
    const key = `${issue.code} ${JSON.stringify(issue.path.map(String))}`;
    const other = kept.get(key);
    if (!other || tighter(issue, other)) kept.set(key, issue);
  }
  const tightest = new Set(kept.values());
  return issues.filter((issue) => !isBound(issue) || tightest.has(issue));
}

function describeZodIssue(issue: ZodIssueLike, received: unknown): { rule: string; hint?: string } {
  const bound = (word: string, limit: unknown) =>
    issue.origin === 'array'
      ? `must have ${word} ${String(limit)} entr${limit === 1 ? 'y' : 'ies'}`
      : issue.origin === 'string'
        ? `must be ${word} ${String(limit)} characters long`
        : `must be ${word === 'at least' ? (issue.inclusive === false ? 'greater than' : 'at least') : issue.inclusive === false ? 'less than' : 'at most'} ${String(limit)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (received === undefined) return { rule: `is required (${article(String(issue.expected))})`, hint: 'Add it.' };
      if (typeof received === 'number' && !Number.isFinite(received)) {
        return { rule: `must be a finite ${issue.expected === 'int' ? 'integer' : 'number'}`, hint: 'YAML reads .nan and .inf as numbers that are not finite.' };
      }
      return { rule: `must be ${article(String(issue.expected))}`, hint: typeHint(String(issue.expected), received) };
    case 'invalid_union': {
      // A choice of literals (e.g. "P" or 1): name them all.
      const literals = (issue.errors ?? []).map((branch) => branch.find((i) => i.code === 'invalid_value')?.values);
      if (literals.length && literals.every((values) => values !== undefined)) {
        return { rule: `must be one of ${showList(literals.flat().map((v) => JSON.stringify(v)))}`, ...closeChoice(received, literals.flat()) };
      }
      const expected = [...new Set((issue.errors ?? []).map((branch) => branch.find((i) => i.code === 'invalid_type')?.expected).filter((e) => e !== undefined))];
      return expected.length ? { rule: `must be ${expected.map((e) => article(String(e))).join(' or ')}` } : { rule: issue.message };
    }
    case 'too_small':
      return { rule: bound('at least', issue.minimum), hint: boundHint('more', issue) };
    case 'too_big':
      return { rule: bound('at most', issue.maximum), hint: boundHint('less', issue) };
    case 'invalid_value':
      return {
        rule: `must be one of ${showList((issue.values ?? []).map((v) => JSON.stringify(v)))}`,
        ...closeChoice(received, issue.values ?? []),
      };
    case 'invalid_format': {
      const named = issue.pattern === undefined ? undefined : NAME_RULES.get(issue.pattern);
      if (named) {
        const fit = typeof received === 'string' ? fittingName(received, named.pattern) : null;
        return { rule: named.words, ...(fit ? { hint: `A name that would do: ${fit}.` } : {}) };
      }
      return { rule: issue.pattern ? `must match ${issue.pattern}` : `must be a valid ${issue.format ?? 'value'}` };
    }
    default:
      return typeof issue.params?.hint === 'string' ? { rule: issue.message, hint: issue.params.hint } : { rule: issue.message };
  }
}

/**
 * A hint naming the allowed text closest to a mistyped one ("crm" for "crn"); none for other
 * values, or where none is close: one that shares no letter in place ("Q" for "P") is no guess.
 */
function closeChoice(received: unknown, allowed: readonly unknown[]): { hint?: string } {
  if (typeof received !== 'string') return {};
  const close = nearest(received, allowed.filter((v): v is string => typeof v === 'string'));
  if (close === undefined || editDistance(received, close) >= Math.min(received.length, close.length)) return {};
  return { hint: `Did you mean "${close}"?` };
}

/** The name rules of a study file, said in words: a regular expression is no rule to a reader. Keyed as zod gives a pattern. */
const NAME_RULES = new Map(
  [
    { pattern: studyNamePattern, words: 'must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names the study\'s files)' },
    { pattern: variantNamePattern, words: 'must start with a letter and hold only letters, digits, ".", "_" and "-"' },
  ].map((rule) => [String(rule.pattern), rule]),
);

/** `received` with what `pattern` refuses made dashes and trimmed from its ends; null where that does not fit either. */
function fittingName(received: string, pattern: RegExp): string | null {
  const fit = received.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return pattern.test(fit) ? fit : null;
}

/** A number's way back inside its bound (an inclusive bound is itself allowed); none for a length. */
function boundHint(beyond: 'more' | 'less', issue: ZodIssueLike): string | undefined {
  if (issue.origin !== 'number' && issue.origin !== 'int') return undefined;
  const limit = String(beyond === 'more' ? issue.minimum : issue.maximum);
  return issue.inclusive === false ? `Use a number ${beyond === 'more' ? 'greater' : 'less'} than ${limit}.` : `Use ${limit} or ${beyond}.`;
}

/** How to write a value of the expected type, where the value received suggests a fix. */
function typeHint(expected: string, received: unknown): string | undefined {
  if (expected === 'string') return 'Quote the value if YAML read it as another type.';
  const asNumber = typeof received === 'string' && received.trim() !== '' ? Number(received) : Number.NaN;
  if ((expected === 'number' || expected === 'int') && Number.isFinite(asNumber)) return `Write it without quotes: ${asNumber}.`;
  if (expected === 'int' && typeof received === 'number') return `Write a whole number, such as ${Math.round(received)}.`;
  if ((expected === 'number' || expected === 'int') && typeof received === 'string') return `Write it in digits, without quotes${expected === 'int' ? ' (a whole number)' : ''}.`;
  if (expected === 'boolean' && (received === 'true' || received === 'false')) return `Write it without quotes: ${received}.`;
  if ((expected === 'object' || expected === 'record') && received === null) return 'It is empty: give its entries (name: value, indented below it), or remove the line.';
  return undefined;
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'array') return 'a list';
  if (expected === 'object' || expected === 'record') return 'a mapping (key: value)';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

interface ZodDefLike {
  type?: string;
  shape?: Record<string, ZodType>;
  innerType?: ZodType;
  in?: ZodType;
  element?: ZodType;
  valueType?: ZodType;
}

function defOf(schema: ZodType): ZodDefLike {
  return ((schema as unknown as { _zod?: { def?: ZodDefLike } })._zod?.def ?? {}) as ZodDefLike;
}

/** The schema inside optional, default, nullable and the like; a pipe's input side. */
function unwrap(schema: ZodType): ZodType {
  let cur = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(cur);
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!next) break;
    cur = next;
  }
  return cur;
}

/** Best effort: the object keys a schema accepts at `path` (for "did you mean" hints only). */
export function objectKeysAt(schema: ZodType, path: readonly PropertyKey[]): string[] {
  let here: ZodType | undefined = schema;
  for (const part of path) {
    if (!here) return [];
    const def = defOf(unwrap(here));
    if (def.type === 'object' && def.shape) here = def.shape[String(part)];
    else if (def.type === 'array') here = def.element;
    else if (def.type === 'record') here = def.valueType;
    else return [];
  }
  if (!here) return [];
  const def = defOf(unwrap(here));
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Stands for any key of a record in a path of `leafPathsOf`. */
export const anyKey = '*';

/**
 * Best effort: the paths of the leaves a schema accepts, in schema order, whether or not they
 * have a default (for "is not a parameter" messages and their "did you mean" hints). A record's
 * keys are open, so its entries appear as `anyKey`; a schema it does not look into (a union,
 * an array, a lazy schema) is one leaf.
 */
export function leafPathsOf(schema: ZodType): string[][] {
  const out: string[][] = [];
  const walk = (here: ZodType, prefix: string[]): void => {
    const def = defOf(unwrap(here));
    // The depth limit stops at recursive schemas, which no parameter file nests that deep.
    if (prefix.length < 20 && def.type === 'object' && def.shape) {
      for (const [key, inner] of Object.entries(def.shape)) walk(inner, [...prefix, key]);
    } else if (prefix.length < 20 && def.type === 'record' && def.valueType) {
      walk(def.valueType, [...prefix, anyKey]);
    } else if (prefix.length > 0) {
      out.push(prefix);
    }
  };
  walk(schema, []);
  return out;
}
