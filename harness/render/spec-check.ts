/**
 * A Vega-Lite spec written or edited by hand, checked against Vega-Lite's own JSON schema before
 * anything is drawn: Vega-Lite itself compiles many mistakes without a word, or fails with an
 * error of its internals ("Cannot read properties of undefined (reading 'filled')" for a mark it
 * does not know).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { nearest } from '../text.js';
import { InputError } from '../errors.js';
import { fontCoverage, lackingCharacters, mayLeaveFont, type Draws, type LackingCharacter } from './font-coverage.js';
import { FACES, FONT_FAMILY } from './fonts.js';
import { knownFields, pointerTo, unknownField } from './spec-fields.js';

/** What is wrong with a spec: where (a JSON pointer, '' for the whole spec), the rule, the value there. */
export interface SpecProblem {
  path: string;
  rule: string;
  received: unknown;
  /** How to fix it, where that is more than editing the value to follow the rule. */
  fix?: string;
}

let validator: { check: ValidateFunction; properties: Set<string> } | undefined;

/** The schema compiled once per process (about 0.7 s), and every property name it knows anywhere. */
function schema(): { check: ValidateFunction; properties: Set<string> } {
  if (!validator) {
    const document = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('vega-lite/vega-lite-schema.json'), 'utf8')) as object;
    const properties = new Set<string>();
    const collect = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      const props = (node as { properties?: unknown }).properties;
      if (props !== null && typeof props === 'object') for (const name of Object.keys(props)) properties.add(name);
      for (const value of Object.values(node)) collect(value);
    };
    collect(document);
    validator = { check: new Ajv({ strict: false, allErrors: true, verbose: true, logger: false }).compile(document), properties };
  }
  return validator;
}

/** Values listed in a rule at most; a CSS colour alone has some 150 names. */
const LISTED_VALUES = 12;

/** The major version of Vega-Lite that draws the figures. */
const VEGA_LITE_MAJOR = 6;

/** The font families a figure can use: the fonts its PDF embeds and its layout measures (fonts.ts). */
const FONT_NAMES = new Set([FONT_FAMILY, 'sans-serif']);

/**
 * The problem of `spec`, or null for a valid one. A spec matches one of many shapes, and the
 * schema reports a failure in each; the deepest place is the one the mistake is at, and there
 * the values and types every shape allows are said together ("one of "arc", "bar", ... or an
 * object"), where the first report alone would name one shape's ("must be equal to constant").
 */
export function vegaLiteProblem(spec: unknown): SpecProblem | null {
  const { check, properties } = schema();
  const declared = (spec as { $schema?: unknown } | null)?.$schema;
  if (typeof declared === 'string' && /\/vega\/v\d/.test(declared)) {
    return { path: '/$schema', rule: 'names a Vega spec: render draws Vega-Lite specs (a report\'s figures/*.vl.json)', received: declared };
  }
  const major = typeof declared === 'string' ? /\/vega-lite\/v(\d+)/.exec(declared)?.[1] : undefined;
  if (major !== undefined && Number(major) !== VEGA_LITE_MAJOR) {
    return { path: '/$schema', rule: `names Vega-Lite ${major}, and figures are drawn with Vega-Lite ${VEGA_LITE_MAJOR}; port the spec, then name https://vega.github.io/schema/vega-lite/v${VEGA_LITE_MAJOR}.json`, received: declared };
  }
  if (check(spec)) {
    const url = loadedData(spec);
    if (url !== null) return { path: url, rule: 'is not loaded: figures are drawn offline, from the spec alone; give the data inline (data.values), as a report\'s specs do', received: valueAt(spec, url) };
    const columns = badColumns(spec);
    if (columns !== null) return { path: columns, rule: 'must be a whole number, at least 0: the views in a row (leave it out for one row)', received: valueAt(spec, columns) };
    const font = unknownFont(spec);
    if (font !== null) return { path: font, rule: `is not a font the figures have: a PDF embeds its fonts, and the figures use ${FONT_FAMILY} (give "${FONT_FAMILY}", or leave it out)`, received: valueAt(spec, font) };
    const field = unknownField(spec);
    if (field !== null) {
      const { close, listed } = knownFields(field);
      return {
        path: field.path,
        rule: `names a field that no row of its data has and no transform makes, which Vega would draw as nothing${close ? ` (did you mean ${JSON.stringify(close)}?)` : ''}`,
        received: field.field,
        fix: `Name one of the data's fields: ${listed}.`,
      };
    }
    return missingGlyph(spec);
  }
  const errors = check.errors ?? [];
  // A name no shape of the schema has anywhere is the mistake, wherever else shapes disagree
  // (a mark's "colour", a top-level "titel" beside a facet's shapes, which report "facet").
  const stranger = errors
    .filter((e) => e.keyword === 'additionalProperties' && !properties.has((e.params as { additionalProperty: string }).additionalProperty))
    .sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (stranger) {
    const name = (stranger.params as { additionalProperty: string }).additionalProperty;
    // The nearest name one of the shapes allowed there has ("foo" at the top is not "for", a
    // property of width's step); any shape's anywhere when those say nothing.
    const there = errors.filter((e) => e.keyword === 'additionalProperties' && e.instancePath === stranger.instancePath);
    const allowedThere = new Set(there.flatMap((e) => Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {})));
    const close = nearest(name, [...(allowedThere.size ? allowedThere : properties)]);
    // What was given under that name is the value received.
    return { path: stranger.instancePath, rule: `has no property ${JSON.stringify(name)}${close ? ` (did you mean ${JSON.stringify(close)}?)` : ''}`, received: valueAt(spec, pointerTo(stranger.instancePath, name)) };
  }
  const depth = (e: ErrorObject) => (e.instancePath === '' ? 0 : e.instancePath.split('/').length);
  const deepest = Math.max(...errors.map(depth));
  const here = errors.filter((e) => depth(e) === deepest);
  const path = here[0]!.instancePath;
  const lacked = lackedProperties(here);
  const names = (shape: readonly string[]) => shape.map((name) => JSON.stringify(name)).join(' and ');
  if (lacked?.length === 1) {
    const fix = lacked[0]!.includes('data') ? 'Give the rows inline, as "data": {"values": [...]}, as a report\'s specs do.' : undefined;
    return { path, rule: `lacks ${names(lacked[0]!)}, which a spec of its kind must have`, received: valueAt(spec, path), ...(fix ? { fix } : {}) };
  }
  if (lacked) return { path, rule: `lacks ${lacked.map(names).join(', or ')}: a spec of each kind has one of these`, received: valueAt(spec, path) };
  const values = new Set<string>();
  const types = new Set<string>();
  for (const e of here) {
    if (e.keyword === 'enum') for (const v of (e.params as { allowedValues: unknown[] }).allowedValues) values.add(JSON.stringify(v));
    else if (e.keyword === 'const') values.add(JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
    else if (e.keyword === 'type') types.add(String((e.params as { type: string }).type).replace(/,/g, ' or '));
  }
  const unknownKey = closestShape(here).find((e) => e.keyword === 'additionalProperties');
  const listed = [...values].slice(0, LISTED_VALUES).join(', ') + (values.size > LISTED_VALUES ? `, ... (${values.size} in all)` : '');
  const allowed = [
    ...(values.size === 1 ? [...values] : values.size > 1 ? [`one of ${listed}`] : []),
    ...[...types].map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)),
  ];
  const either = allowed.length <= 2 ? allowed.join(' or ') : `${allowed.slice(0, -1).join('; ')}; or ${allowed.at(-1)}`;
  if (unknownKey) {
    const name = (unknownKey.params as { additionalProperty: string }).additionalProperty;
    const fix = path !== '' ? undefined : name === 'width' || name === 'height' ? composedSize(name) : name === 'columns' ? COLUMNS_FIX : undefined;
    return { path, rule: `has no property ${JSON.stringify(name)}`, received: valueAt(spec, pointerTo(path, name)), ...(fix ? { fix } : {}) };
  }
  return { path, rule: allowed.length ? `must be ${either}` : (here[0]!.message ?? 'is not valid Vega-Lite'), received: valueAt(spec, path) };
}

/**
 * The properties a spec lacks where one of the shapes allowed at a place fails there for that
 * alone (every key given is one of its own): that shape is what the spec is, and the others'
 * complaints are beside the point. A facet spec without "data" fails the unit shape for having
 * "facet" and "spec", and the facet shape only for lacking "data". Of several such shapes, the
 * one that lacks the fewest, or all of them where several lack as few. Null where every shape
 * fails for something else too.
 */
function lackedProperties(errors: readonly ErrorObject[]): string[][] | null {
  const lacking = new Map<string, string[]>();
  for (const shape of shapesOf(errors).values()) {
    if (!shape.every((e) => e.keyword === 'required')) continue;
    const names = shape.map((e) => (e.params as { missingProperty: string }).missingProperty);
    lacking.set(names.join(' '), names);
  }
  const fewest = [...lacking.values()].sort((a, b) => a.length - b.length);
  if (fewest.length === 0) return null;
  // Shapes that lack as few properties as each other: the spec is none of them yet (`{}`), and
  // each is a way on.
  return fewest.length > 1 && fewest[1]!.length === fewest[0]!.length ? fewest : [fewest[0]!];
}

/**
 * The errors of the shape that fails at a place for the fewest reasons: the one the spec meant
 * to be. An hconcat spec given a "width" fails its own shape for that property alone, and a
 * single view's for "hconcat" and the "mark" it lacks, which is not the mistake.
 */
function closestShape(errors: readonly ErrorObject[]): ErrorObject[] {
  // "anyOf" says only that no shape fitted: it is no shape of its own.
  const shapes = [...shapesOf(errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf')).values()];
  return shapes.sort((a, b) => a.length - b.length)[0] ?? [];
}

/**
 * Errors grouped by the shape that reported them: by their schema object (a shape's errors share
 * it; their schema paths, relative to the definition a reference named, do not tell shapes apart).
 */
function shapesOf(errors: readonly ErrorObject[]): Map<unknown, ErrorObject[]> {
  const byShape = new Map<unknown, ErrorObject[]>();
  for (const e of errors) byShape.set(e.parentSchema, [...(byShape.get(e.parentSchema) ?? []), e]);
  return byShape;
}

/**
 * The first place, depth first, whose key and value `wanted` accepts, as a JSON pointer; null for
 * none. What lies under a key `skip` accepts is not looked into.
 */
function firstWhere(node: unknown, wanted: (key: string, value: unknown) => boolean, pointer = '', skip: (key: string) => boolean = () => false): string | null {
  if (node === null || typeof node !== 'object') return null;
  for (const [key, value] of Object.entries(node)) {
    if (skip(key)) continue;
    const at = pointerTo(pointer, key);
    if (wanted(key, value)) return at;
    const found = firstWhere(value, wanted, at, skip);
    if (found !== null) return found;
  }
  return null;
}

/** Text a spec holds that no drawing shows: its description, tooltips (shown on a page, by the browser's fonts), metadata, schema. */
const UNDRAWN = new Set(['$schema', 'description', 'tooltip', 'usermeta']);

/**
 * Where the spec names data to load (`data.url`, in any of its views); null when all of its data
 * is inline. Figures are drawn offline, from their specs alone, as the report's are: loading is
 * not done, and Vega would draw such a view empty without a word.
 */
function loadedData(spec: unknown): string | null {
  const data = firstWhere(spec, (key, value) => key === 'data' && value !== null && typeof value === 'object' && 'url' in value);
  return data === null ? null : `${data}/url`;
}

/** A figure of several views (facet, concat) is sized by each view's own width and height. */
function composedSize(name: string): string {
  return `A figure of several views takes its ${name} from each view: set it in "spec" (a facet's view), or in each view of "hconcat", "vconcat" or "concat".`;
}

const COLUMNS_FIX = 'Only "facet" and "concat" wrap their views in rows of "columns": leave it out of an "hconcat" (one row) or a "vconcat" (one column), or make that a "concat".';

/**
 * Where the spec gives `columns` a number Vega cannot lay out (negative, or not whole: "Invalid
 * array length"); null when it gives none such. Data rows, which may have a field so named, are
 * not looked into.
 */
function badColumns(spec: unknown): string | null {
  return firstWhere(spec, (key, value) => key === 'columns' && typeof value === 'number' && !(Number.isInteger(value) && value >= 0), '', (key) => key === 'data' || key === 'datasets');
}

/** Where the spec names a font family the figures do not have (`font`, `titleFont`, `labelFont`, ...); null when none. */
function unknownFont(spec: unknown): string | null {
  return firstWhere(spec, (key, value) => /font$/i.test(key) && typeof value === 'string' && !FONT_NAMES.has(value));
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

/**
 * The first text the spec draws with a character some face of its font lacks (control and format
 * characters aside), with the same letter from the font where Unicode has one (the mathematical
 * alphanumerics a formula editor pastes, e.g. 𝛼 for α); null when there is none, or no font files
 * to check against (drawing says how to get them).
 */
function missingGlyph(spec: unknown): SpecProblem | null {
  let draws: Draws;
  try {
    draws = fontCoverage();
  } catch (thrown) {
    if (thrown instanceof InputError) return null;
    throw thrown;
  }
  const inEveryFace = (char: string) => FACES.every((face) => draws(face, char.codePointAt(0)!));
  let found: LackingCharacter | undefined;
  const path = firstWhere(
    spec,
    (_key, value) => typeof value === 'string' && mayLeaveFont(value) && (found = lackingCharacters(value, inEveryFace)[0]) !== undefined,
    '',
    (key) => UNDRAWN.has(key),
  );
  if (path === null || found === undefined) return null;
  return {
    path,
    rule: `has "${found.char}" (${found.code}), which ${FONT_FAMILY} lacks (the PNG would show a box for it, and the PDF would draw it from another font, as Type 3, which IEEE PDF eXpress and ACM refuse)`,
    received: valueAt(spec, path),
    fix: found.instead !== null ? `Write "${found.instead}" instead.` : `Use characters ${FONT_FAMILY} has, or leave this one out.`,
  };
}
