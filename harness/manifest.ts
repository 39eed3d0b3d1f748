/**
 * The sealed manifest: the fully expanded study (every parameter, axis values in order, the
 * seed policy, the experiment's name and version, the result columns, the cell count) as
 * canonical JSON with a hash. A database holds exactly one; resume and merge refuse another.
 *
 * The grid is rebuilt from the manifest alone (`gridOf`), so status, merge and export never
 * need the experiment's code. `description` is informational: stored, but neither hashed nor
 * compared. Code provenance lives in the `run` table, not here, so a run may resume after a
 * commit; the experiment's version is what guards result-changing code.
 */
import type { ColumnDef, Json } from './experiment.js';
import { Grid, type Dim, type ExcludeRule, type FieldKind } from './grid.js';
import { canonicalJson, identityHash } from './identity.js';

export const manifestFormat = 'harness-study/1';

/** The grid field whose values are the names of a study's variants. */
export const VARIANT_FIELD = 'variant';

/** A named bundle of parameter overrides: one value of the study's `variant` dimension. */
export interface Variant {
  name: string;
  /** Dotted parameter path -> value, applied on top of the study's params. */
  set: Record<string, Json>;
}

/** How keys and seeds derive from identity; part of the manifest so a change is visible. */
export const identityPolicy = {
  trial_key: 'identityKey({study, experiment, version, base_seed, values})',
  seed: 'identityHash({study, base_seed, experiment, version, seedIdentity})',
  group_key: 'identityKey({experiment, version, simulation, seed})',
} as const;

export interface ManifestBody {
  format: string;
  study: string;
  description: string;
  experiment: { name: string; version: string };
  seeds: number;
  base_seed: number | string;
  params: Json;
  /** Every axis of the experiment (listed or defaulted), in the experiment's order. */
  axes: Record<string, string[]>;
  /** Swept parameter path -> values. */
  sweep: Record<string, Json[]>;
  /** The study's variants in file order; absent when it has none (older manifests keep their hash). */
  variants?: Variant[];
  zip: string[][];
  exclude: Record<string, Json[]>[];
  /** Grid dimensions outermost first, each as its field names (several when zipped). */
  order: string[][];
  /** How many of the innermost dimensions are shared (run in one task). */
  shared_dims: number;
  columns: { trial: Pick<ColumnDef, 'name' | 'type'>[]; curve: Pick<ColumnDef, 'name' | 'type'>[] };
  identity: typeof identityPolicy;
  cells: number;
}

export interface Manifest {
  study: string;
  hash: string;
  body: ManifestBody;
}

/** The hashed part: everything but the description. */
function sealedPart(body: ManifestBody): Json {
  const { description: _description, ...rest } = body;
  return rest as unknown as Json;
}

export function sealManifest(body: ManifestBody): Manifest {
  const normalized = JSON.parse(canonicalJson(body as unknown as Json)) as ManifestBody;
  return { study: normalized.study, hash: identityHash(sealedPart(normalized)), body: normalized };
}

/** Sets `a.b.c` in a plain object, creating the objects on the way (replacing non-objects). */
export function setDotted(root: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let here = root;
  for (const part of parts.slice(0, -1)) {
    const next = here[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) here[part] = {};
    here = here[part] as Record<string, unknown>;
  }
  here[parts[parts.length - 1]!] = value;
}

export function gridOf(body: ManifestBody): Grid {
  const isVariants = (name: string) => name === VARIANT_FIELD && body.variants !== undefined;
  const kindOf = (name: string): FieldKind =>
    name === 'replicate' ? 'replicate' : name in body.axes ? 'axis' : isVariants(name) ? 'variant' : 'param';
  const valuesOf = (name: string): Json[] =>
    name === 'replicate'
      ? Array.from({ length: body.seeds }, (_, i) => i)
      : name in body.axes
        ? body.axes[name]!
        : isVariants(name)
          ? body.variants!.map((v) => v.name)
          : body.sweep[name]!;
  const firstShared = body.order.length - body.shared_dims;
  const dims: Dim[] = body.order.map((names, j) => ({
    fields: names.map((name) => ({ name, kind: kindOf(name), values: valuesOf(name) })),
    shared: j >= firstShared,
  }));
  return new Grid({ dims, exclude: body.exclude as ExcludeRule[] });
}

export interface Difference {
  path: string;
  stored: Json | undefined;
  current: Json | undefined;
}

/**
 * Fields that differ between two manifests: objects compared key by key, lists of named objects
 * (the variants) name by name, other values whole.
 */
export function diffManifests(stored: ManifestBody, current: ManifestBody): Difference[] {
  return diffJson(sealedPart(stored), sealedPart(current), '');
}

const isObject = (v: Json | undefined): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A list of objects each named by a `name` no other shares, such as the variants. */
function isNamedList(v: Json | undefined): v is (Record<string, Json> & { name: string })[] {
  return Array.isArray(v) && v.every((e) => isObject(e) && typeof e['name'] === 'string') && new Set(v.map((e) => (e as { name: string }).name)).size === v.length;
}

function diffJson(a: Json | undefined, b: Json | undefined, path: string): Difference[] {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffJson(a[k], b[k], at(k)));
  }
  if (isNamedList(a) && isNamedList(b)) {
    const byName = (list: typeof a) => new Map(list.map((e) => [e.name, e]));
    const [inA, inB] = [byName(a), byName(b)];
    const names = [...new Set([...inA.keys(), ...inB.keys()])];
    const diffs = names.flatMap((name) => diffJson(inA.get(name), inB.get(name), at(name)));
    // The same named objects in another order.
    if (diffs.length === 0 && canonicalJson(a) !== canonicalJson(b)) return [{ path: `${path} (order)`, stored: [...inA.keys()], current: [...inB.keys()] }];
    return diffs;
  }
  const same = a !== undefined && b !== undefined && canonicalJson(a) === canonicalJson(b);
  return same || (a === undefined && b === undefined) ? [] : [{ path: path || '(manifest)', stored: a, current: b }];
}
