/**
 * `--set path=value` overrides, applied to a study document before it is checked.
 *
 * - `seeds=5`, `base_seed=7`, `name=x`, `description=...`: top-level fields.
 * - `axes.model=a,b` (or `model=a,b` when `model` is an axis): replaces the axis values.
 * - `params.sim.M=300` or `sim.M=300`: sets a parameter; a comma list (`sim.M=300,1000`) makes
 *   it a sweep instead, and a single value removes any sweep of that parameter.
 * - `sweep.sim.M=300,1000`: the same sweep, spelled out.
 * Values are YAML scalars (`5` is a number, `true` a boolean); a value starting with `[` or
 * `{` is read as one YAML value. Axis values are names and stay strings.
 */
import { parse as parseYaml } from 'yaml';
import type { Json } from '../experiment.js';
import { InputError, errorMessage } from '../errors.js';
import * as msg from '../messages.js';
import { canonicalJson } from '../identity.js';
import { formatPath } from '../text.js';
import { protoKey } from './load.js';

export interface SetOverride {
  arg: string;
  path: string[];
  text: string;
}

/** The study's own fields that `--set` takes by their bare name. */
export const topLevelScalars = new Set(['name', 'experiment', 'description', 'seeds', 'base_seed']);

export function parseSet(arg: string): SetOverride {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new InputError(msg.setSyntax(arg));
  const path = arg.slice(0, eq).trim().split('.');
  if (path.some((part) => part === '')) throw new InputError(msg.setSyntax(arg));
  // JavaScript's name for an object's prototype: set as a key, it would change every object's.
  if (path.includes('__proto__')) throw new InputError(msg.optionInvalid('set', 'names "__proto__", which no study field, axis or parameter is', arg, 'Give the path of a field, an axis or a parameter, e.g. --set sim.M=300.'));
  const text = arg.slice(eq + 1).trim();
  // Nothing after "=" (an unset variable in a script, `--set sim.M=$M`): YAML would read null.
  if (text === '') throw new InputError(msg.setEmptyValue(arg, path.join('.'), false, path.length === 1 && topLevelScalars.has(path[0]!) ? 'field' : 'parameter'));
  return { arg, path, text };
}

/**
 * The overrides, refused where two set the same thing (`sim.M`, `params.sim.M` and
 * `sweep.sim.M` name one parameter; `model` and `axes.model` one axis): one would silently win.
 */
export function parseSets(args: readonly string[]): SetOverride[] {
  const sets = args.map(parseSet);
  const seen = new Map<string, SetOverride>();
  for (const set of sets) {
    const key = (['params', 'sweep', 'axes'].includes(set.path[0]!) ? set.path.slice(1) : set.path).join('.');
    const earlier = seen.get(key);
    if (earlier) {
      // A study's top-level fields take one value; an axis or a parameter may take a list.
      const list = topLevelScalars.has(key) ? '' : `; for several values (an axis's, or a parameter's sweep), list them in one: --set ${key}=a,b`;
      throw new InputError(msg.optionInvalid('set', `sets ${key} twice`, [earlier.arg, set.arg], `Keep one --set for ${key}${list}.`));
    }
    // `sim={M: 5}` and `sim.M=3` set one value twice as well.
    for (const [other, otherSet] of seen) {
      const [outer, inner] = key.startsWith(`${other}.`) ? [other, key] : other.startsWith(`${key}.`) ? [key, other] : [null, null];
      if (outer !== null) {
        throw new InputError(msg.optionInvalid('set', `sets ${outer} and ${inner}, which is part of it`, [otherSet.arg, set.arg], `Set ${inner} inside ${outer}'s value, or each part of ${outer} on its own.`));
      }
    }
    seen.set(key, set);
  }
  return sets;
}

function yamlValue(text: string, arg: string): Json {
  let value: Json;
  try {
    value = (parseYaml(text) ?? null) as Json;
  } catch (thrown) {
    throw new InputError(msg.setValueSyntax(arg, errorMessage(thrown).split('\n')[0]!));
  }
  // As in a study file: a key the shape checks would pass over without a word.
  const proto = protoKey(value);
  if (proto !== null) throw new InputError(msg.optionInvalid('set', `has the key "__proto__" in its value (at ${proto}), which no study can have`, arg, 'Rename or remove it.'));
  return value;
}

function listOrValue(text: string, arg: string): { list: boolean; values: Json[] } {
  if (/^[[{]/.test(text)) return { list: false, values: [yamlValue(text, arg)] };
  const parts = text.split(',').map((s) => s.trim());
  // `--set sim.M=300,$M` with $M unset: YAML would read the empty item as null.
  if (parts.includes('')) throw new InputError(msg.setEmptyValue(arg, arg.slice(0, arg.indexOf('=')).trim(), true));
  return { list: parts.length > 1, values: parts.map((p) => yamlValue(p, arg)) };
}

type Doc = Record<string, unknown>;

function child(parent: Doc, key: string): Doc {
  const existing = parent[key];
  if (existing !== null && typeof existing === 'object' && !Array.isArray(existing)) return existing as Doc;
  const created: Doc = {};
  parent[key] = created;
  return created;
}

function setAt(root: Doc, path: readonly string[], value: unknown): void {
  let here = root;
  for (const part of path.slice(0, -1)) here = child(here, part);
  here[path[path.length - 1]!] = value;
}

/**
 * Applies the top-level overrides (name, seeds, ...) to a freshly read document. Runs before
 * the shape check, so a bad value is reported like one in the file.
 */
export function applyTopLevelSets(doc: Doc, sets: readonly SetOverride[], sources: Map<string, string>): void {
  for (const set of sets) {
    const [head] = set.path;
    if (!topLevelScalars.has(head!)) continue;
    if (set.path.length > 1) throw new InputError(msg.setFieldPath(set.arg, head!));
    // A comma list elsewhere is a sweep; base_seed, a text too, would silently take it whole.
    if (head === 'base_seed' && /^[^"'].*,/.test(set.text)) throw new InputError(msg.setBaseSeedList(set.arg));
    doc[head!] = head === 'description' || head === 'name' ? set.text : yamlValue(set.text, set.arg);
    sources.set(formatPath([head!]), set.arg);
  }
}

/**
 * Applies axis, parameter and sweep overrides once the experiment's axis names are known.
 * `doc` is a checked study document (its axes/params/sweep are plain objects).
 */
export function applyExperimentSets(
  doc: NarrowedDoc & { params: Record<string, unknown> },
  sets: readonly SetOverride[],
  axisNames: readonly string[],
  sources: Map<string, string>,
): void {
  const narrowed: Narrowing = new Map();
  for (const set of sets) {
    const [head, ...rest] = set.path as [string, ...string[]];
    if (topLevelScalars.has(head)) continue;
    if (head === 'zip' || head === 'exclude' || head === 'variants') throw new InputError(msg.setNotSettable(set.arg, head));
    if (head === 'axes' || (rest.length === 0 && axisNames.includes(head))) {
      const axis = head === 'axes' ? rest : [head];
      if (axis.length !== 1) throw new InputError(msg.setAxisPath(set.arg, axisNames, axis[0]));
      const values = set.text.split(',').map((s) => s.trim());
      if (values.includes('')) throw new InputError(msg.setEmptyValue(set.arg, set.arg.slice(0, set.arg.indexOf('=')).trim(), true, 'axis'));
      narrowed.set(axis[0]!, { before: doc.axes[axis[0]!] ?? null, after: values, fixed: false, arg: set.arg });
      doc.axes[axis[0]!] = values;
      sources.set(formatPath(['axes', axis[0]!]), set.arg);
      continue;
    }
    const isSweep = head === 'sweep';
    const paramPath = head === 'params' || isSweep ? rest : set.path;
    if (paramPath.length === 0) throw new InputError(msg.setNotSettable(set.arg, head));
    const dotted = paramPath.join('.');
    const { list, values } = listOrValue(set.text, set.arg);
    const before = doc.sweep[dotted];
    if (list || isSweep) {
      if (before) narrowed.set(dotted, { before, after: values, fixed: false, arg: set.arg });
      doc.sweep[dotted] = values;
      sources.set(formatPath(['sweep', dotted]), set.arg);
    } else {
      if (before) narrowed.set(dotted, { before, after: values, fixed: true, arg: set.arg });
      delete doc.sweep[dotted];
      setAt(doc.params, paramPath, values[0]);
      sources.set(formatPath(['params', ...paramPath]), set.arg);
    }
  }
  if (narrowed.size > 0) {
    narrowZips(doc, narrowed);
    narrowExclusions(doc, narrowed, sources);
  }
}

type ExcludeRule = Record<string, Json>;

interface NarrowedDoc {
  axes: Record<string, string[]>;
  sweep: Record<string, Json[]>;
  zip: string[][];
  exclude: ExcludeRule[];
  params: Record<string, unknown>;
}

/**
 * What --set gave new values, by axis or swept parameter (a leading `params.` dropped): the values
 * it had (null: an axis the file left to the experiment's defaults), those it has now, whether a
 * sweep became one fixed value, and the --set.
 */
type Narrowing = Map<string, { before: Json[] | null; after: Json[]; fixed: boolean; arg: string }>;

const fieldOf = (name: string) => (name.startsWith('params.') ? name.slice('params.'.length) : name);
const same = (a: Json, b: Json) => canonicalJson(a) === canonicalJson(b);
/** Axis values are names, so an exclusion's 1 matches an axis's "1". */
const sameValue = (a: Json, b: Json) => same(a, b) || String(a) === String(b);

/**
 * A swept parameter fixed to one value leaves its zips, taking its partners with it: each
 * partner is fixed to the value the zip pairs with that one (zip [[M, k_max]] with M 300, 1000
 * and k_max 64, 128: --set M=300 sets k_max 64), so that no pair the file never had appears.
 * A value the zip does not list pairs with none: refused, unless the partners are set too.
 */
function narrowZips(doc: NarrowedDoc, narrowed: Narrowing): void {
  doc.zip = doc.zip.flatMap((group, z) => {
    const fixed = group.filter((name) => narrowed.get(fieldOf(name))?.fixed === true);
    if (fixed.length === 0) return [group];
    const partners = group.filter((name) => !fixed.includes(name) && !narrowed.has(fieldOf(name)));
    if (partners.length > 0) {
      // The place in the zip of the fixed values: one, or they pair with nothing.
      let at: number | null = null;
      for (const name of fixed) {
        const { before, after, arg } = narrowed.get(fieldOf(name))!;
        const index = before!.findIndex((v) => same(v, after[0]!));
        if (index < 0 || (at !== null && index !== at)) throw new InputError(msg.setZipUnpaired(arg, fieldOf(name), group.filter((n) => n !== name).map(fieldOf), z, before!));
        at = index;
      }
      for (const name of partners) {
        const dotted = fieldOf(name);
        const value = doc.sweep[dotted]![at!]!;
        narrowed.set(dotted, { before: doc.sweep[dotted]!, after: [value], fixed: true, arg: narrowed.get(fieldOf(fixed[0]!))!.arg });
        delete doc.sweep[dotted];
        setAt(doc.params, dotted.split('.'), value);
      }
    }
    const left = group.filter((name) => narrowed.get(fieldOf(name))?.fixed !== true);
    return left.length >= 2 ? [left] : [];
  });
}

/**
 * The file's exclusions read against what --set left, which the command line cannot edit them
 * for: a rule's values of a narrowed axis or sweep keep those still there, and a rule none of
 * whose values is left excludes nothing and goes; a rule on a parameter fixed to a value it
 * names holds for every cell on that field (the field goes), one fixed to another value excludes
 * nothing and goes. A rule naming a value the field never had (a typo in the file) is left as it
 * is, for the file's check to report. A rule the narrowing leaves with no field would exclude
 * every cell: refused. A rule whose place in the list moved, or that --set narrowed, is said to
 * come from the --set and the file's place in messages.
 */
function narrowExclusions(doc: NarrowedDoc, narrowed: Narrowing, sources: Map<string, string>): void {
  const kept: { rule: ExcludeRule; from: number; args: string[] }[] = [];
  doc.exclude.forEach((rule, index) => {
    const out: ExcludeRule = {};
    const args: string[] = [];
    for (const [name, value] of Object.entries(rule)) {
      const change = narrowed.get(fieldOf(name));
      const values = Array.isArray(value) ? value : [value];
      if (!change) {
        out[name] = value;
        continue;
      }
      const known = (v: Json) => change.before === null || change.before.some((b) => sameValue(b, v)) || change.after.some((a) => sameValue(a, v));
      if (!values.every(known)) {
        kept.push({ rule, from: index, args: [] });
        return;
      }
      args.push(change.arg);
      const left = values.filter((v) => change.after.some((a) => sameValue(a, v)));
      if (left.length === 0) return;
      if (!change.fixed) out[name] = Array.isArray(value) ? left : left[0]!;
    }
    if (Object.keys(out).length === 0) throw new InputError(msg.setExcludesEverything(args, index));
    kept.push({ rule: out, from: index, args });
  });
  doc.exclude = kept.map((k) => k.rule);
  const all = [...new Set([...narrowed.values()].map((c) => c.arg))].join(', ');
  kept.forEach((k, index) => {
    if (k.args.length > 0 || index !== k.from) sources.set(formatPath(['exclude', index]), `${k.args.length > 0 ? k.args.join(', ') : all}: the file's exclude[${k.from}]`);
  });
}
