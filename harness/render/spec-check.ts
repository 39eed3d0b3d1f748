/**
 * A Vega-Lite spec written or edited by hand, checked against Vega-Lite's own JSON schema before
 * anything is drawn: Vega-Lite itself compiles many mistakes without a word, or fails with an
 * error of its internals ("Cannot read properties of undefined (reading 'filled')" for a mark it
 * does not know).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What is wrong with a spec: where (a JSON pointer, '' for the whole spec), the rule, the value there. */
export interface SpecProblem {
  path: string;
  rule: string;
  received: unknown;
}

let validator: ValidateFunction | undefined;

/** The schema compiled once per process (about 0.7 s). */
function validate(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('vega-lite/vega-lite-schema.json'), 'utf8')) as object;
    validator = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
  }
  return validator;
}

/**
 * The problem of `spec`, or null for a valid one. A spec matches one of many shapes, and the
 * schema reports a failure in each; the deepest place is the one the mistake is at, and there
 * the values and types every shape allows are said together ("one of "arc", "bar", ... or an
 * object"), where the first report alone would name one shape's ("must be equal to constant").
 */
export function vegaLiteProblem(spec: unknown): SpecProblem | null {
  const check = validate();
  if (check(spec)) {
    const url = loadedData(spec);
    return url === null ? null : { path: url, rule: 'is not loaded: figures are drawn offline, from the spec alone; give the data inline (data.values), as a report\'s specs do', received: valueAt(spec, url) };
  }
  const errors = check.errors ?? [];
  const depth = (e: ErrorObject) => (e.instancePath === '' ? 0 : e.instancePath.split('/').length);
  const deepest = Math.max(...errors.map(depth));
  const here = errors.filter((e) => depth(e) === deepest);
  const path = here[0]!.instancePath;
  const values = new Set<string>();
  const types = new Set<string>();
  for (const e of here) {
    if (e.keyword === 'enum') for (const v of (e.params as { allowedValues: unknown[] }).allowedValues) values.add(JSON.stringify(v));
    else if (e.keyword === 'const') values.add(JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
    else if (e.keyword === 'type') types.add(String((e.params as { type: string }).type).replace(/,/g, ' or '));
  }
  const unknownKey = here.find((e) => e.keyword === 'additionalProperties');
  const allowed = [
    ...(values.size === 1 ? [...values] : values.size > 1 ? [`one of ${[...values].join(', ')}`] : []),
    ...[...types].map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)),
  ];
  const either = allowed.length <= 2 ? allowed.join(' or ') : `${allowed.slice(0, -1).join('; ')}; or ${allowed.at(-1)}`;
  const rule = unknownKey
    ? `has no property ${JSON.stringify((unknownKey.params as { additionalProperty: string }).additionalProperty)}`
    : allowed.length
      ? `must be ${either}`
      : (here[0]!.message ?? 'is not valid Vega-Lite');
  return { path, rule, received: valueAt(spec, path) };
}

/**
 * Where the spec names data to load (`data.url`, in any of its views), as a JSON pointer; null
 * when all of its data is inline. Figures are drawn offline, from their specs alone, as the
 * report's are: loading is not done, and Vega would draw such a view empty without a word.
 */
export function loadedData(spec: unknown, pointer = ''): string | null {
  if (spec === null || typeof spec !== 'object') return null;
  const data = (spec as { data?: unknown }).data;
  if (data !== null && typeof data === 'object' && 'url' in data) return `${pointer}/data/url`;
  for (const [key, value] of Object.entries(spec)) {
    const found = loadedData(value, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (found !== null) return found;
  }
  return null;
}

/** The value at a JSON pointer ('' for the whole document). */
function valueAt(document: unknown, pointer: string): unknown {
  let value = document;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}
