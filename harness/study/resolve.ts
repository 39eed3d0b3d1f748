/**
 * Resolving a checked study document against its experiment: params through the experiment's
 * schema, axes against the experiment's choices, sweeps, variants, zips and exclusions, then the
 * order of the grid's dimensions and the sealed manifest. Every problem is collected and
 * reported at once; nothing here touches the disk.
 */
import type { CellProblem, Experiment, Json } from '../experiment.js';
import type { LoadedExperiment } from '../experiments.js';
import { reservedTrialColumns } from '../experiments.js';
import { InputError, errorMessage } from '../errors.js';
import { maxGridSize, type Grid } from '../grid.js';
import { canonicalJson } from '../identity.js';
import { gridOf, identityPolicy, manifestFormat, sealManifest, setDotted, VARIANT_FIELD, type Manifest, type ManifestBody, type Variant } from '../manifest.js';
import * as msg from '../messages.js';
import { columnNameOf } from '../store/columns.js';
import { declaredSharedAxes, differOnlyInSharedAxes, SharedAxesCheck } from './shared-axes.js';
import { formatPath, nearest, showValue } from '../text.js';
import { anyKey, fromZodIssues, leafPathsOf, unknownKeyRule, valueAt, type Issue } from './issues.js';
import type { StudyDoc } from './schema.js';
import { topLevelScalars } from './overrides.js';

/** Most distinct parameter combinations a study's sweeps may make (each is validated). */
export const maxParamCombinations = 100_000;

export interface CellParams {
  /** The experiment's parsed params, as `groupOf` takes them. */
  parsed: unknown;
  /** The same as JSON, as a worker receives them. */
  json: Json;
}

export interface Study {
  /** The study file as the user named it (for messages). */
  display: string;
  absPath: string;
  name: string;
  loaded: LoadedExperiment;
  manifest: Manifest;
  grid: Grid;
  paramsOf(index: number): CellParams;
}

type ParamsDoc = Record<string, unknown>;

/**
 * `--set seed=5` names a parameter unless `seed` is an axis: an unknown one may be a study field
 * or an axis misspelt, which the parameters' own keys do not suggest.
 */
function withSetGuesses(issues: Issue[], exp: Experiment, sources: ReadonlyMap<string, string>): Issue[] {
  return issues.map((issue) => {
    const [root, key] = issue.path;
    const arg = sources.get(formatPath(issue.path));
    if (issue.rule !== unknownKeyRule || issue.path.length !== 2 || root !== 'params' || !arg?.startsWith(`${String(key)}=`)) return issue;
    // The closest of the axes, the study's fields and the parameters' suggestion (if any); on a tie the first.
    const suggested = /^Did you mean "(.*)"\?$/.exec(issue.hint ?? '')?.[1];
    const close = nearest(String(key), [...Object.keys(exp.axes), ...topLevelScalars, ...(suggested === undefined ? [] : [suggested])]);
    return close === undefined ? issue : { ...issue, hint: `Did you mean "${close}"?` };
  });
}

export function resolveStudy(
  doc: StudyDoc,
  ctx: { display: string; absPath: string; loaded: LoadedExperiment; sources: ReadonlyMap<string, string> },
): Study {
  const exp = ctx.loaded.experiment;
  const fail = (issues: Issue[]) => {
    if (issues.length) throw new InputError(msg.studyInvalid(ctx.display, issues, ctx.sources));
  };
  const parseParams = (params: ParamsDoc) => exp.paramsSchema.safeParse(params);

  const issues: Issue[] = [];
  const base = parseBaseParams(doc, parseParams);
  if (!base.success) issues.push(...withSetGuesses(fromZodIssues(base.error.issues, doc.params, ['params'], exp.paramsSchema), exp, ctx.sources));
  const baseParsed = base.success ? base.data : undefined;
  if (baseParsed !== undefined) issues.push(...droppedParams(doc.params, baseParsed, exp));

  const axes = resolveAxes(doc, exp, baseParsed, issues);
  const sweep = resolveSweeps(doc, exp, baseParsed, issues);
  const variants = resolveVariants(doc, exp, baseParsed, sweep, issues);
  const variantSets = new Map(variants.map((v) => [v.name, v.set]));
  const fieldOrder = [...Object.keys(axes), ...(variants.length ? [VARIANT_FIELD] : []), ...Object.keys(sweep), 'replicate'];
  const valuesOf = (name: string): Json[] =>
    name === 'replicate'
      ? Array.from({ length: doc.seeds }, (_, i) => i)
      : name === VARIANT_FIELD && variants.length
        ? variants.map((v) => v.name)
        : (axes[name] ?? sweep[name] ?? []);
  checkColumnNames(
    [
      ...Object.keys(axes).map((name) => ({ field: name, path: ['axes', name], what: `axis "${name}"` })),
      ...(variants.length ? [{ field: VARIANT_FIELD, path: ['variants'], what: "the study's variants" }] : []),
      ...Object.keys(sweep).map((path) => ({ field: path, path: ['sweep', path], what: `swept parameter "${path}"` })),
    ],
    exp,
    issues,
  );
  const zip = resolveZip(doc.zip, fieldOrder, valuesOf, issues);
  const exclude = resolveExclude(doc.exclude, fieldOrder, valuesOf, issues);
  fail(issues);

  /** The parameter assignments a field's value stands for: none for axes and replicate. */
  const assignmentsOf = (field: string, value: Json): [string, Json][] => {
    if (field === 'replicate' || field in axes) return [];
    if (field === VARIANT_FIELD && variants.length) return Object.entries(variantSets.get(value as string) ?? {});
    return [[field, value]];
  };
  const withSweepValues = (assignments: Iterable<[string, Json]>): ParamsDoc => {
    const params = structuredClone(doc.params);
    for (const [path, value] of assignments) setDotted(params, path, value);
    return params;
  };

  // Dimensions: each zip group is one, at the position of its first member.
  const dimsByPosition = fieldOrder
    .filter((name) => !zip.some((group) => group.includes(name) && group[0] !== name))
    .map((name) => zip.find((group) => group[0] === name) ?? [name]);
  const isShared = (names: string[]): boolean => {
    if (names.some((n) => n === 'replicate' || (n in axes && !exp.axes[n]!.shared))) return false;
    if (!names.some((n) => n in sweep || (n === VARIANT_FIELD && variants.length > 0 && !(n in axes)))) return true;
    return probeSharedness(exp, names, valuesOf, fieldOrder, (values) => withSweepValues(fieldOrder.flatMap((f) => assignmentsOf(f, values[f]!))), parseParams);
  };
  const sharedFlags = dimsByPosition.map(isShared);
  const order = [...dimsByPosition.filter((_, j) => !sharedFlags[j]), ...dimsByPosition.filter((_, j) => sharedFlags[j])];
  const sharedDims = sharedFlags.filter(Boolean).length;

  const body: ManifestBody = {
    format: manifestFormat,
    study: doc.name,
    description: doc.description,
    experiment: { name: exp.name, version: exp.version },
    seeds: doc.seeds,
    base_seed: doc.base_seed,
    params: (baseParsed ?? null) as Json,
    axes,
    sweep,
    ...(variants.length ? { variants } : {}),
    zip,
    exclude,
    order,
    shared_dims: sharedDims,
    columns: {
      trial: exp.trialColumns.map(({ name, type }) => ({ name, type })),
      curve: exp.curveColumns.map(({ name, type }) => ({ name, type })),
    },
    identity: identityPolicy,
    cells: 0,
  };
  const size = order.reduce((n, names) => n * valuesOf(names[0]!).length, 1);
  if (size > maxGridSize) fail([{ path: ['axes'], ...msg.rule.gridTooLarge(size, maxGridSize), received: size }]);
  const grid = gridOf(body);
  if (grid.count === 0) {
    // Axes narrowed by --set may be what leaves the exclusions nothing else: said with them.
    const narrowedBy = [...ctx.sources].filter(([path]) => path.startsWith('axes.')).map(([, arg]) => arg);
    fail([{ path: ['exclude'], ...msg.rule.allExcluded(narrowedBy), received: doc.exclude }]);
  }
  body.cells = grid.count;

  const paramsOf = paramTable(grid, sweep, assignmentsOf, withSweepValues, parseParams, ctx, issues);
  fail(issues);
  const axisPlace = (axis: string, value: string): PropertyKey[] => {
    const i = doc.axes[axis]?.indexOf(value) ?? -1;
    return i >= 0 ? ['axes', axis, i] : ['axes', axis];
  };
  // Dotted paths into a parameter the study leaves to its default set that parameter to what they give alone.
  const intoDefaults = [...Object.keys(sweep), ...variants.flatMap((v) => Object.keys(v.set))].filter(
    (path, i, all) => path.includes('.') && valueAt(doc.params, [path.split('.')[0]!]) === undefined && all.indexOf(path) === i,
  );
  const axisHint = intoDefaults.length ? msg.dottedIntoDefaultsHint(intoDefaults) : undefined;
  fail(cellProblems(exp, grid, paramsOf, axisPlace, axisHint, (values, dotted) => {
    if (dotted in sweep) return ['sweep', dotted];
    const variant = variants.length ? values[VARIANT_FIELD] : undefined;
    if (typeof variant === 'string' && variantSets.get(variant)?.[dotted] !== undefined) return ['variants', variant, dotted];
    return null;
  }));
  checkGroups(exp, grid, paramsOf, ctx.display);
  return { display: ctx.display, absPath: ctx.absPath, name: doc.name, loaded: ctx.loaded, manifest: sealManifest(body), grid, paramsOf };
}

/**
 * The study's `params` parsed on their own; where that fails, with the first value of each
 * sweep, and the first variant's settings, filled in where `params` gives nothing: a parameter
 * without a default may be given by a sweep or the variants alone (every cell is parsed with its
 * own values later). A study whose `params` parse alone is parsed as before, so its manifest,
 * and the databases sealed with it, stay the same.
 */
function parseBaseParams(doc: StudyDoc, parseParams: (params: ParamsDoc) => ReturnType<Experiment['paramsSchema']['safeParse']>) {
  const alone = parseParams(doc.params);
  if (alone.success) return alone;
  const firstVariant = Object.values(doc.variants)[0] ?? {};
  const firstCell: [string, unknown][] = [
    ...Object.entries(doc.sweep).map(([path, values]) => [path, values[0]] as [string, unknown]),
    ...Object.entries(firstVariant).map(([key, value]) => [key.startsWith('params.') ? key.slice('params.'.length) : key, value] as [string, unknown]),
  ];
  const missing = firstCell.filter(([path]) => valueAt(doc.params, path.split('.')) === undefined);
  if (missing.length === 0) return alone;
  const filled = structuredClone(doc.params);
  for (const [path, value] of missing) setDotted(filled, path, value as Json);
  const withFirstCell = parseParams(filled);
  return withFirstCell.success ? withFirstCell : alone;
}

/**
 * Keys of the study's `params` that the experiment's schema parsed away: a schema that strips
 * unknown keys (zod's plain `z.object`) would otherwise drop a misspelt parameter silently and
 * run with the default. Keys the schema declares are never reported (a transform may rename them).
 */
function droppedParams(params: ParamsDoc, parsed: unknown, exp: Experiment): Issue[] {
  const patterns = leafPathsOf(exp.paramsSchema);
  const declared = (path: string[]) => patterns.some((pattern) => pattern.length <= path.length && pattern.every((part, i) => part === anyKey || part === path[i]));
  const dropped = leafPaths(params).filter((path) => valueAt(parsed, path.split('.')) === undefined && !declared(path.split('.')));
  if (dropped.length === 0) return [];
  const known = knownParameters(exp, parsed);
  return dropped.map((path) => ({ path: ['params', ...path.split('.')], received: valueAt(params, path.split('.')), ...msg.rule.unknownParam(path, known.shown, known.closest(path)) }));
}

function resolveAxes(doc: StudyDoc, exp: Experiment, parsed: unknown, issues: Issue[]): Record<string, string[]> {
  const axisNames = Object.keys(exp.axes);
  const isParameter = (name: string) => leafPathsOf(exp.paramsSchema).some((path) => path.join('.') === name);
  for (const name of Object.keys(doc.axes)) {
    if (name in exp.axes) continue;
    const rule = isParameter(name) ? msg.rule.axisIsParameter(exp.name, name) : msg.rule.unknownAxis(exp.name, axisNames, nearest(name, axisNames));
    issues.push({ path: ['axes', name], received: name, ...rule });
  }
  const axes: Record<string, string[]> = {};
  // A variant or a swept value may define values the study's own params do not: an axis whose
  // choices come from the params is then checked cell by cell (cellProblems), not here.
  const cellsDefineOwn = Object.keys(doc.variants).length > 0 || Object.keys(doc.sweep).length > 0;
  for (const [name, def] of Object.entries(exp.axes)) {
    const listed = doc.axes[name];
    const values = listed ?? def.defaults;
    if (!values) {
      issues.push({ path: ['axes', name], received: undefined, ...msg.rule.axisNoDefault(name) });
      continue;
    }
    const open = typeof def.choices === 'function';
    const choices = open ? (parsed === undefined || cellsDefineOwn ? undefined : choicesOf(exp, name, parsed)) : (def.choices as readonly string[] | undefined);
    const seen = new Map<string, number>();
    const unknown: string[] = [];
    values.forEach((value, i) => {
      // The experiment's defaults: their fault is the study's missing list, which is where to fix it.
      const path = listed ? ['axes', name, i] : ['axes', name];
      if (seen.has(value)) issues.push({ path, received: value, ...msg.rule.duplicateValue(seen.get(value)!) });
      else if (choices && !choices.includes(value)) {
        if (listed) issues.push({ path, received: value, ...msg.rule.unknownAxisValue(name, choices, nearest(value, choices)) });
        else unknown.push(value);
      }
      if (!seen.has(value)) seen.set(value, i);
    });
    if (unknown.length) issues.push({ path: ['axes', name], received: unknown.length === 1 ? unknown[0] : unknown, ...msg.rule.unknownAxisDefault(name, choices!, unknown.length) });
    axes[name] = [...values];
  }
  return axes;
}

/** An axis's choices given `params`; one that throws breaks the experiment's contract, said as such. */
export function choicesOf(exp: Experiment, axis: string, params: unknown, cell?: Record<string, Json>): readonly string[] {
  const choices = exp.axes[axis]!.choices;
  if (typeof choices !== 'function') return choices ?? [];
  try {
    return choices(params);
  } catch (thrown) {
    throw new InputError(msg.experimentChoicesFailed(exp.name, axis, cell, errorMessage(thrown)));
  }
}

function resolveSweeps(doc: StudyDoc, exp: Experiment, parsed: unknown, issues: Issue[]): Record<string, Json[]> {
  const sweep: Record<string, Json[]> = {};
  const known = knownParameters(exp, parsed);
  for (const path of Object.keys(doc.sweep).sort()) {
    const values = doc.sweep[path]!;
    const seen = new Map<string, number>();
    values.forEach((value, i) => {
      const text = canonicalJson(value);
      if (seen.has(text)) issues.push({ path: ['sweep', path, i], received: value, ...msg.rule.duplicateValue(seen.get(text)!) });
      else seen.set(text, i);
    });
    if (parsed !== undefined) {
      for (const [i, value] of values.entries()) {
        const { unknown, rejected } = checkAssignments(doc.params, exp, [[path, value]]);
        if (unknown.length) {
          issues.push({ path: ['sweep', path], received: path, ...msg.rule.unknownParam(path, known.shown, known.closest(path)) });
          break;
        }
        const sets = formatPath(['params', ...path.split('.')]);
        for (const issue of rejected) issues.push({ path: ['sweep', path, i], received: holds(issue, sets) ? issue.received : value, ...msg.rule.sweepValue(formatPath(issue.path), issue.rule, sets, issue.hint) });
      }
    }
    sweep[path] = values;
  }
  return sweep;
}

/**
 * The study's variants, in file order: each a name and the parameter paths it sets (a leading
 * `params.` dropped). A variant must set parameters the experiment knows to values it accepts,
 * must not set a swept parameter, and must differ from every other variant.
 */
function resolveVariants(doc: StudyDoc, exp: Experiment, parsed: unknown, sweep: Record<string, Json[]>, issues: Issue[]): Variant[] {
  const known = knownParameters(exp, parsed);
  const byOverrides = new Map<string, string>();
  return Object.entries(doc.variants).map(([name, overrides]) => {
    const set: Record<string, Json> = {};
    let refusedKey = false;
    for (const [key, value] of Object.entries(overrides)) {
      const path = key.startsWith('params.') ? key.slice('params.'.length) : key;
      const issue = path in set ? msg.rule.variantSetsTwice(path) : path in sweep ? msg.rule.variantSetsSwept(path) : null;
      if (issue) issues.push({ path: ['variants', name, key], received: key, ...issue });
      else set[path] = value as Json;
      refusedKey ||= issue !== null;
    }
    // A variant with a key refused above is not what it says: no twin of another.
    const text = canonicalJson(set);
    const twin = refusedKey ? undefined : byOverrides.get(text);
    if (twin !== undefined) issues.push({ path: ['variants', name], received: overrides, ...msg.rule.variantTwin(twin) });
    else if (!refusedKey) byOverrides.set(text, name);
    if (parsed !== undefined) {
      const { unknown, rejected } = checkAssignments(doc.params, exp, Object.entries(set));
      for (const path of unknown) issues.push({ path: ['variants', name, path], received: path, ...msg.rule.unknownParam(path, known.shown, known.closest(path)) });
      for (const issue of rejected) {
        const path = Object.keys(set).find((p) => formatPath(['params', ...p.split('.')]) === formatPath(issue.path));
        issues.push({
          path: path === undefined ? ['variants', name] : ['variants', name, path],
          received: path !== undefined ? set[path] : Object.keys(set).some((p) => holds(issue, formatPath(['params', ...p.split('.')]))) ? issue.received : set,
          ...msg.rule.sweepValue(formatPath(issue.path), issue.rule, variantSetting(path, set), issue.hint),
        });
      }
    }
    return { name, set };
  });
}

/** The parameter a variant's refused value is blamed on: the one at fault, or the only one it sets; null when it sets several. */
function variantSetting(path: string | undefined, set: Record<string, Json>): string | null {
  const only = Object.keys(set).length === 1 ? Object.keys(set)[0] : undefined;
  const blamed = path ?? only;
  return blamed === undefined ? null : formatPath(['params', ...blamed.split('.')]);
}

/**
 * Whether the issue is at a parameter that holds the one at `sets` (params.scale for
 * params.scale.x): its message then shows the value that parameter comes to ({"x": 2}), not the
 * value set inside it.
 */
function holds(issue: Issue, sets: string): boolean {
  return sets.startsWith(`${formatPath(issue.path)}.`);
}

/**
 * Sets parameter paths on the study's params and parses them: the paths the experiment does
 * not know, or (when it knows them all) the problems it finds.
 */
function checkAssignments(base: ParamsDoc, exp: Experiment, assignments: readonly [string, Json][]): { unknown: string[]; rejected: Issue[] } {
  const params = structuredClone(base);
  for (const [path, value] of assignments) setDotted(params, path, value);
  const paths = assignments.map(([path]) => path);
  const result = exp.paramsSchema.safeParse(params);
  if (result.success) return { unknown: paths.filter((p) => valueAt(result.data, p.split('.')) === undefined), rejected: [] };
  const inner = fromZodIssues(result.error.issues, params, ['params'], exp.paramsSchema);
  const unknown = paths.filter((p) =>
    inner.some((issue) => issue.rule === unknownKeyRule && formatPath(issue.path) === formatPath(['params', ...p.split('.')])),
  );
  return { unknown, rejected: unknown.length ? [] : inner };
}

/** A grid field as a trial column: where the study defines it, and how to name it in a message. */
interface FieldColumn {
  field: string;
  path: PropertyKey[];
  what: string;
}

function checkColumnNames(fields: readonly FieldColumn[], exp: Experiment, issues: Issue[]): void {
  const taken = new Map<string, string>();
  const results = new Set(exp.trialColumns.map((col) => col.name.toLowerCase()));
  for (const name of reservedTrialColumns) taken.set(name, 'a harness column');
  for (const col of exp.trialColumns) taken.set(col.name.toLowerCase(), `the experiment's result column "${col.name}"`);
  for (const { field, path, what } of fields) {
    const column = columnNameOf(field);
    const other = taken.get(column.toLowerCase());
    if (other) issues.push({ path, received: field, ...msg.rule.columnClash(column, other, results.has(column.toLowerCase())) });
    taken.set(column.toLowerCase(), what);
  }
}

function resolveZip(groups: string[][], fieldOrder: readonly string[], valuesOf: (name: string) => Json[], issues: Issue[]): string[][] {
  const lengthOf = (name: string) => valuesOf(name).length;
  const claimed = new Map<string, number>();
  const out: string[][] = [];
  groups.forEach((group, g) => {
    let ok = true;
    group.forEach((member, m) => {
      const known = fieldOrder.includes(member);
      if (!known) {
        issues.push({ path: ['zip', g, m], received: member, ...msg.rule.zipUnknownMember(fieldOrder, nearest(member, fieldOrder)) });
        ok = false;
      } else if (claimed.has(member)) {
        issues.push({ path: ['zip', g, m], received: member, ...msg.rule.zipTwice(claimed.get(member)!) });
        ok = false;
      } else claimed.set(member, g);
    });
    if (!ok) return;
    const lengths = Object.fromEntries(group.map((name) => [name, lengthOf(name)]));
    if (new Set(Object.values(lengths)).size > 1) issues.push({ path: ['zip', g], received: group, ...msg.rule.zipLengths(lengths) });
    out.push([...group].sort((a, b) => fieldOrder.indexOf(a) - fieldOrder.indexOf(b)));
  });
  return out.sort((a, b) => fieldOrder.indexOf(a[0]!) - fieldOrder.indexOf(b[0]!));
}

function resolveExclude(
  rules: StudyDoc['exclude'],
  fieldOrder: readonly string[],
  valuesOf: (name: string) => Json[],
  issues: Issue[],
): Record<string, Json[]>[] {
  return rules.map((rule, r) => {
    const out: Record<string, Json[]> = {};
    const names = Object.keys(rule);
    if (names.length === 0) issues.push({ path: ['exclude', r], received: rule, ...msg.rule.excludeEmpty() });
    for (const name of names.sort()) {
      if (!fieldOrder.includes(name)) {
        issues.push({ path: ['exclude', r, name], received: name, ...msg.rule.excludeUnknownDim(fieldOrder, nearest(name, fieldOrder)) });
        continue;
      }
      const raw = rule[name]!;
      const wanted: Json[] = Array.isArray(raw) ? raw : [raw];
      const values = valuesOf(name);
      const texts = new Set(values.map(canonicalJson));
      for (const value of wanted) {
        if (!texts.has(canonicalJson(value))) {
          const close = nearest(String(value), values.map((v) => String(v)));
          const closeValue = close === undefined ? undefined : values.find((v) => String(v) === close);
          issues.push({ path: ['exclude', r, name], received: value, ...msg.rule.excludeUnknownValue(name, values, value, closeValue) });
        }
      }
      out[name] = wanted;
    }
    return out;
  });
}

/**
 * Every cell's axis values against the choices its own params give (a sweep or a variant may
 * define fewer than the study's params do), then the experiment's own check of it, replicates
 * aside (they share their values and params). Each distinct problem is named once, at the place
 * the study sets it (an axis's list; for checkCell, `placeOf`: a sweep or a variant, otherwise
 * `params`). A problem that only some combinations of swept values and variants make names the
 * first of them, with how to leave them out.
 */
function cellProblems(
  exp: Experiment,
  grid: Grid,
  paramsOf: (index: number) => CellParams,
  axisPlace: (axis: string, value: string) => PropertyKey[],
  axisHint: string | undefined,
  placeOf: (values: Record<string, Json>, dotted: string) => PropertyKey[] | null,
): Issue[] {
  const openAxes = Object.entries(exp.axes).flatMap(([name, def]) => (typeof def.choices === 'function' ? [{ name }] : []));
  if (!exp.checkCell && openAxes.length === 0) return [];
  const combinationFields = grid.dims.flatMap((d) => d.fields.filter((f) => f.kind === 'param' || f.kind === 'variant').map((f) => f.name));
  const combinations = new Set<string>();
  const found = new Map<string, { path: PropertyKey[]; problem: Omit<CellProblem, 'path'>; where: Map<string, Record<string, Json>> }>();
  const note = (path: PropertyKey[], problem: Omit<CellProblem, 'path'>, combination: string, where: Record<string, Json>) => {
    const id = canonicalJson([formatPath(path), problem.rule, problem.received]);
    const entry = found.get(id) ?? { path, problem, where: new Map() };
    entry.where.set(combination, where);
    found.set(id, entry);
  };
  for (const index of grid.distinctCells()) {
    const values = grid.valuesOf(index, 'replicate');
    const where = Object.fromEntries(combinationFields.map((f) => [f, values[f]!]));
    const combination = canonicalJson(where);
    combinations.add(combination);
    const params = paramsOf(index).parsed;
    let axisProblem = false;
    for (const axis of openAxes) {
      const value = values[axis.name] as string;
      const choices = choicesOf(exp, axis.name, params, values);
      if (choices.includes(value)) continue;
      const place = axisPlace(axis.name, value);
      const rule = msg.rule.axisValueNotInCell(axis.name, choices, place.length > 2, nearest(value, choices));
      note(place, { received: value, ...rule, hint: axisHint ? `${rule.hint} ${axisHint}` : rule.hint }, combination, where);
      axisProblem = true;
    }
    // checkCell may rely on the cell's axis values being among its choices.
    if (!exp.checkCell || axisProblem) continue;
    let problem: CellProblem | null;
    try {
      problem = exp.checkCell(values, params);
    } catch (thrown) {
      throw new InputError(msg.experimentCheckCellFailed(exp.name, values, errorMessage(thrown)));
    }
    if (problem) note(placeOf(values, problem.path.join('.')) ?? ['params', ...problem.path], problem, combination, where);
  }
  return [...found.values()].map(({ path, problem, where }) => {
    const some = where.size < combinations.size;
    const [first] = where.values();
    const more = where.size > 1 ? ` (and ${where.size - 1} more)` : '';
    const rule = some ? `in the combination ${showValue(first)}${more}, ${problem.rule}` : problem.rule;
    const hint = [problem.hint, some ? msg.excludeCellsHint : undefined].filter((h): h is string => Boolean(h)).map((h) => (/[.!?]$/.test(h) ? h : `${h}.`)).join(' ');
    return { path, rule, received: problem.received, ...(hint ? { hint } : {}) };
  });
}

/**
 * What groupOf must keep, checked on every distinct cell before anything is stored: it accepts
 * the cell; cells with equal simulations share one seedIdentity (they run as one task); and
 * replicates differ in it (a seedIdentity that leaves out `replicate` would give every replicate
 * the same draws, and the study as many copies of one result). Each cell is asked at its first
 * replicate and, where the grid has one, a second.
 */
function checkGroups(exp: Experiment, grid: Grid, paramsOf: (index: number) => CellParams, display: string): void {
  const j = grid.replicateDim;
  const groupAt = (index: number) => {
    const values = grid.valuesOf(index);
    try {
      const { simulation, seedIdentity } = exp.groupOf(values, paramsOf(index).parsed);
      return { values, simulation: canonicalJson(simulation), seed: canonicalJson(seedIdentity) };
    } catch (thrown) {
      throw new InputError(`${display}: ${msg.experimentGroupOfFailed(exp.name, values, errorMessage(thrown))}`);
    }
  };
  const shared = declaredSharedAxes(exp);
  const sharedAxes = new SharedAxesCheck(exp, shared);
  const seedBySimulation = new Map<string, { seed: string; values: Record<string, Json> }>();
  const checked = (group: { values: Record<string, Json>; simulation: string }) => {
    const problem = sharedAxes.problem(group.values, group.simulation);
    if (problem) throw new InputError(`${display}: ${problem}`);
  };
  for (const first of grid.distinctCells()) {
    const group = groupAt(first);
    checked(group);
    const known = seedBySimulation.get(group.simulation);
    if (!known) seedBySimulation.set(group.simulation, group);
    else if (known.seed !== group.seed) throw new InputError(`${display}: ${msg.experimentSeedConflict(exp.name, known.values, group.values, differOnlyInSharedAxes(shared, known.values, group.values))}`);
    if (j < 0) continue;
    const digits = grid.digitsOf(first);
    for (let r = digits[j]! + 1; r < grid.lengths[j]!; r++) {
      const other = grid.indexOf(digits.map((d, k) => (k === j ? r : d)));
      if (grid.isExcluded(other)) continue;
      const next = groupAt(other);
      checked(next);
      if (next.seed === group.seed) throw new InputError(msg.experimentReplicatesShareSeed(display, exp.name, grid.valuesOf(first, 'replicate'), group.seed));
      break;
    }
  }
}

/**
 * A dimension made of swept parameters (and shared axes) is shared when changing it does not
 * change `groupOf` at the grid's first cell: then its cells reuse one simulation.
 */
function probeSharedness(
  exp: Experiment,
  names: readonly string[],
  valuesOf: (name: string) => Json[],
  fieldOrder: readonly string[],
  paramsFor: (values: Record<string, Json>) => ParamsDoc,
  parseParams: (params: ParamsDoc) => { success: boolean; data?: unknown },
): boolean {
  const groupAt = (digit: number): string | null => {
    const values: Record<string, Json> = {};
    for (const field of fieldOrder) values[field] = valuesOf(field)[names.includes(field) ? digit : 0]!;
    const parsed = parseParams(paramsFor(values));
    if (!parsed.success) return null;
    try {
      const { simulation, seedIdentity } = exp.groupOf(values, parsed.data);
      return canonicalJson({ simulation, seedIdentity });
    } catch (thrown) {
      throw new InputError(msg.experimentGroupOfFailed(exp.name, values, errorMessage(thrown)));
    }
  };
  const first = groupAt(0);
  const length = valuesOf(names[0]!).length;
  for (let digit = 1; digit < length; digit++) {
    const other = groupAt(digit);
    if (first === null || other !== first) return false;
  }
  return first !== null;
}

/**
 * Parses the params of every combination of swept values and variants once (reporting any that
 * the experiment rejects) and returns an O(1) lookup from cell index to its params.
 */
function paramTable(
  grid: Grid,
  sweep: Record<string, Json[]>,
  assignmentsOf: (field: string, value: Json) => [string, Json][],
  withSweepValues: (assignments: Iterable<[string, Json]>) => ParamsDoc,
  parseParams: (params: ParamsDoc) => { success: boolean; data?: unknown; error?: { issues: readonly unknown[] } },
  ctx: { loaded: LoadedExperiment },
  issues: Issue[],
): (index: number) => CellParams {
  const paramDims = grid.dims.map((d, j) => ({ d, j })).filter(({ d }) => d.fields.some((f) => f.kind === 'param' || f.kind === 'variant'));
  const lengths = paramDims.map(({ j }) => grid.lengths[j]!);
  const combinations = lengths.reduce((a, b) => a * b, 1);
  if (combinations > maxParamCombinations) {
    issues.push({ path: ['sweep'], received: Object.keys(sweep), ...msg.rule.tooManyParamCombinations(combinations, maxParamCombinations) });
    return () => ({ parsed: undefined, json: null });
  }
  const table: CellParams[] = [];
  const digits = new Array<number>(paramDims.length).fill(0);
  for (let c = 0; c < combinations; c++) {
    let rest = c;
    for (let k = paramDims.length - 1; k >= 0; k--) {
      digits[k] = rest % lengths[k]!;
      rest = Math.floor(rest / lengths[k]!);
    }
    const assignments: [string, Json][] = [];
    paramDims.forEach(({ d }, k) => {
      for (const f of d.fields) assignments.push(...assignmentsOf(f.name, f.values[digits[k]!]!));
    });
    const parsed = parseParams(withSweepValues(assignments));
    if (!parsed.success) {
      const where = Object.fromEntries(assignments);
      for (const inner of fromZodIssues((parsed.error?.issues ?? []) as never[], null, ['params'], ctx.loaded.experiment.paramsSchema)) {
        issues.push({
          path: ['sweep'],
          received: where,
          rule: `the combination ${showValue(where)} is rejected by the experiment: ${formatPath(inner.path)} ${inner.rule}`,
          hint: msg.excludeCombinationHint,
        });
      }
      table.push({ parsed: undefined, json: null });
      continue;
    }
    table.push({ parsed: parsed.data, json: JSON.parse(canonicalJson(parsed.data as Json)) as Json });
  }
  const strides = paramDims.map(({ j }) => grid.lengths.slice(j + 1).reduce((a, b) => a * b, 1));
  const comboStrides = lengths.map((_, k) => lengths.slice(k + 1).reduce((a, b) => a * b, 1));
  return (index: number) => {
    let c = 0;
    for (let k = 0; k < paramDims.length; k++) {
      c += (Math.floor(index / strides[k]!) % lengths[k]!) * comboStrides[k]!;
    }
    return table[c]!;
  };
}

/**
 * The parameters a sweep or a variant may set, for "is not a parameter" messages: `shown` lists
 * every leaf of the experiment's schema, defaulted or not (a record's entries as `<name>`, with
 * the fields under one record grouped as `{a,b}`), then any leaf of the parsed params that the
 * schema does not show; `closest` is the nearest of them to a path asked for, a record's
 * `<name>` filled with that path's own segment (the "did you mean" of `--set`, on whole paths).
 */
function knownParameters(exp: Experiment, parsed: unknown): { shown: string[]; closest(path: string): string | undefined } {
  const patterns = leafPathsOf(exp.paramsSchema);
  const matches = (pattern: string[], path: string[]) => pattern.length === path.length && pattern.every((part, i) => part === anyKey || part === path[i]);
  const extra = (parsed === undefined ? [] : leafPaths(parsed)).filter((leaf) => !patterns.some((pattern) => matches(pattern, leaf.split('.'))));
  const fixed = patterns.filter((pattern) => !pattern.includes(anyKey)).map((pattern) => pattern.join('.'));
  const open = new Map<string, string[]>();
  for (const pattern of patterns.filter((p) => p.includes(anyKey))) {
    const last = pattern[pattern.length - 1]!;
    const parent = (last === anyKey ? pattern : pattern.slice(0, -1)).map((part) => (part === anyKey ? '<name>' : part)).join('.');
    open.set(parent, [...(open.get(parent) ?? []), ...(last === anyKey ? [] : [last])]);
  }
  const grouped = [...open].map(([parent, fields]) => (fields.length === 0 ? parent : fields.length === 1 ? `${parent}.${fields[0]}` : `${parent}.{${fields.join(',')}}`));
  return {
    shown: [...fixed, ...grouped, ...extra],
    closest(path) {
      const parts = path.split('.');
      const filled = patterns.flatMap((pattern) => (pattern.length === parts.length ? [pattern.map((part, i) => (part === anyKey ? parts[i]! : part)).join('.')] : []));
      return nearest(path, [...new Set([...fixed, ...filled, ...extra])]);
    },
  };
}

/** Dotted paths of the leaves of a parsed params object (for "did you mean" hints). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix ? [prefix] : [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}
