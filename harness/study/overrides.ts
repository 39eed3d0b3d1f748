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

export interface SetOverride {
  arg: string;
  path: string[];
  text: string;
}

const topLevelScalars = new Set(['name', 'experiment', 'description', 'seeds', 'base_seed']);

export function parseSet(arg: string): SetOverride {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new InputError(msg.setSyntax(arg));
  const path = arg.slice(0, eq).trim().split('.');
  if (path.some((part) => part === '')) throw new InputError(msg.setSyntax(arg));
  return { arg, path, text: arg.slice(eq + 1).trim() };
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
    if (earlier) throw new InputError(msg.optionInvalid('set', `sets ${key} twice`, [earlier.arg, set.arg], `Keep one --set for ${key}; for a sweep, list its values in one: --set ${key}=a,b.`));
    seen.set(key, set);
  }
  return sets;
}

function yamlValue(text: string, arg: string): Json {
  try {
    return (parseYaml(text) ?? null) as Json;
  } catch (thrown) {
    throw new InputError(msg.setValueSyntax(arg, errorMessage(thrown).split('\n')[0]!));
  }
}

function listOrValue(text: string, arg: string): { list: boolean; values: Json[] } {
  if (/^[[{]/.test(text)) return { list: false, values: [yamlValue(text, arg)] };
  const parts = text.split(',').map((s) => s.trim());
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
    if (set.path.length > 1) throw new InputError(msg.setSyntax(set.arg));
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
  const narrowed: Narrowing = { axes: new Set(), fixed: new Map() };
  for (const set of sets) {
    const [head, ...rest] = set.path as [string, ...string[]];
    if (topLevelScalars.has(head)) continue;
    if (head === 'zip' || head === 'exclude' || head === 'variants') throw new InputError(msg.setNotSettable(set.arg, head));
    if (head === 'axes' || (rest.length === 0 && axisNames.includes(head))) {
      const axis = head === 'axes' ? rest : [head];
      if (axis.length !== 1) throw new InputError(msg.setSyntax(set.arg));
      doc.axes[axis[0]!] = set.text.split(',').map((s) => s.trim());
      sources.set(formatPath(['axes', axis[0]!]), set.arg);
      narrowed.axes.add(axis[0]!);
      continue;
    }
    const isSweep = head === 'sweep';
    const paramPath = head === 'params' || isSweep ? rest : set.path;
    if (paramPath.length === 0) throw new InputError(msg.setNotSettable(set.arg, head));
    const dotted = paramPath.join('.');
    const { list, values } = listOrValue(set.text, set.arg);
    if (list || isSweep) {
      doc.sweep[dotted] = values;
      sources.set(formatPath(['sweep', dotted]), set.arg);
    } else {
      if (dotted in doc.sweep) narrowed.fixed.set(dotted, values[0]!);
      delete doc.sweep[dotted];
      setAt(doc.params, paramPath, values[0]);
      sources.set(formatPath(['params', ...paramPath]), set.arg);
    }
  }
  if (narrowed.axes.size > 0 || narrowed.fixed.size > 0) narrowRules(doc, narrowed);
}

type ExcludeRule = Record<string, Json>;

interface NarrowedDoc {
  axes: Record<string, string[]>;
  sweep: Record<string, Json[]>;
  zip: string[][];
  exclude: ExcludeRule[];
}

/** What --set narrowed: axes given new values, and swept parameters fixed to one value. */
interface Narrowing {
  axes: Set<string>;
  fixed: Map<string, Json>;
}

/**
 * The file's `exclude` and `zip` read against a study that --set narrowed (`--set
 * scenario=balanced`, `--set sim.M=300` of a swept M), which they cannot be edited for from the
 * command line: a rule's values of a narrowed axis keep those still on it, and a rule none of
 * whose values is left excludes nothing and goes; a rule on a parameter fixed to a value it
 * names holds for every cell on that field (the field goes), one fixed to another value excludes
 * nothing (the rule goes); a fixed parameter leaves its zips, and a zip of one member goes.
 */
function narrowRules(doc: NarrowedDoc, narrowed: Narrowing): void {
  const field = (name: string) => (name.startsWith('params.') ? name.slice('params.'.length) : name);
  const same = (a: Json, b: Json) => canonicalJson(a) === canonicalJson(b);
  doc.exclude = doc.exclude.flatMap((rule): ExcludeRule[] => {
    const kept: ExcludeRule = {};
    for (const [name, value] of Object.entries(rule)) {
      const values = Array.isArray(value) ? value : [value];
      if (narrowed.axes.has(name)) {
        const left = values.filter((v) => doc.axes[name]!.includes(String(v)));
        if (left.length === 0) return [];
        kept[name] = Array.isArray(value) ? left : left[0]!;
      } else if (narrowed.fixed.has(field(name))) {
        if (!values.some((v) => same(v, narrowed.fixed.get(field(name))!))) return [];
      } else {
        kept[name] = value;
      }
    }
    return [kept];
  });
  doc.zip = doc.zip.map((group) => group.filter((name) => !narrowed.fixed.has(field(name)))).filter((group) => group.length >= 2);
}
