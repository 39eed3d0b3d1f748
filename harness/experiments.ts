/**
 * Finding and loading experiment plugins, and checking that a module keeps the contract of
 * harness/experiment.ts before anything runs.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ColumnDef, Experiment } from './experiment.js';
import { InputError, errorMessage } from './errors.js';
import { statOrNull } from './folders.js';
import * as msg from './messages.js';
import { displayPath, experimentsDir, insideProject, projectRoot, subfolders } from './paths.js';
import { nearest, showList } from './text.js';

export interface LoadedExperiment {
  experiment: Experiment;
  /** Absolute path of the module. */
  modulePath: string;
  /** The module's file URL: what a worker imports. */
  moduleUrl: string;
}

/** Names the harness uses for its own trial columns; experiment columns and axes may not. */
export const reservedTrialColumns = [
  'cell_index', 'key', 'group_key', 'replicate', 'status', 'diagnostics', 'error', 'duration_ms', 'run_id',
] as const;

export const columnNamePattern = /^[a-z][a-z0-9_]*$/;

/** Experiment names under experiments/ that have an experiment.ts. */
export function knownExperiments(): string[] {
  return subfolders(experimentsDir).filter((name) => existsSync(join(experimentsDir, name, 'experiment.ts')));
}

/**
 * A study's `experiment` field: a name (experiments/<name>/experiment.ts) or, when it contains
 * a slash or ends in .ts/.js, a path relative to the study file.
 */
export function experimentModulePath(ref: string, studyFile: string, studyDisplay: string): string {
  return experimentModuleIn(ref, dirname(studyFile), `${studyDisplay}: experiment`, 'the study file');
}

/**
 * An experiment named (experiments/<name>/experiment.ts) or given as a path relative to `base`
 * (of its module, or of a folder holding its experiment.ts), which `field` (where the reference
 * was written) and `baseName` describe in a refusal.
 */
export function experimentModuleIn(ref: string, base: string, field: string, baseName: string): string {
  const isPath = /[/\\]/.test(ref) || /\.(ts|js|mjs)$/.test(ref);
  let candidate = isPath ? resolve(base, ref) : join(experimentsDir, ref, 'experiment.ts');
  // A path to an experiment's folder means the experiment.ts in it, as a name does.
  if (isPath && statOrNull(candidate)?.isDirectory()) candidate = join(candidate, 'experiment.ts');
  if (statOrNull(candidate)?.isFile()) return candidate;
  const known = knownExperiments();
  throw new InputError(msg.experimentNotFound(field, ref, candidate, known, isPath ? undefined : nearest(ref, known), baseName));
}

const cache = new Map<string, Promise<LoadedExperiment>>();

/** Imports and checks an experiment module (once per path); `cwd` makes messages show its path relative to it. */
export function loadExperiment(modulePath: string, cwd?: string): Promise<LoadedExperiment> {
  let loaded = cache.get(modulePath);
  if (!loaded) {
    loaded = importExperiment(modulePath, cwd ? displayPath(modulePath, cwd) : modulePath);
    cache.set(modulePath, loaded);
    loaded.catch(() => cache.delete(modulePath));
  }
  return loaded;
}

async function importExperiment(modulePath: string, shown: string): Promise<LoadedExperiment> {
  const moduleUrl = pathToFileURL(modulePath).href;
  let mod: { default?: unknown };
  try {
    mod = (await import(moduleUrl)) as { default?: unknown };
  } catch (thrown) {
    // Outside the project, a module's imports of the harness and the project's packages do not
    // resolve, or not as one module graph (a TypeScript one fails with a require cycle, which
    // names no cause): where that is the failure, say why.
    const unresolved = ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ERR_REQUIRE_CYCLE_MODULE'].includes((thrown as NodeJS.ErrnoException).code ?? '');
    throw new InputError(msg.experimentImportFailed(shown, errorMessage(thrown), unresolved && !insideProject(modulePath) ? projectRoot : undefined));
  }
  const problems = contractProblems(mod.default);
  if (problems.length) throw new InputError(msg.experimentInvalid(shown, problems));
  return { experiment: mod.default as Experiment, modulePath, moduleUrl };
}

/** What is wrong with a would-be experiment (empty when it keeps the contract). */
export function contractProblems(candidate: unknown): string[] {
  if (candidate === null || typeof candidate !== 'object') {
    return ['the module has no default export object (write `export default { ... } satisfies Experiment`)'];
  }
  const e = candidate as Partial<Record<keyof Experiment, unknown>>;
  const problems: string[] = [];
  const need = (ok: boolean, text: string) => {
    if (!ok) problems.push(text);
  };
  need(typeof e.name === 'string' && e.name.length > 0, '"name" must be a non-empty string');
  need(typeof e.version === 'string' && e.version.length > 0, '"version" must be a non-empty string');
  need(typeof e.description === 'string', '"description" must be a string');
  need(typeof e.groupOf === 'function', '"groupOf" must be a function');
  need(typeof e.runGroup === 'function', '"runGroup" must be a function');
  need(e.report === undefined || typeof e.report === 'function', '"report", when present, must be a function');
  need(e.checkCell === undefined || typeof e.checkCell === 'function', '"checkCell", when present, must be a function');
  need(
    typeof (e.paramsSchema as { safeParse?: unknown } | undefined)?.safeParse === 'function',
    '"paramsSchema" must be a zod schema',
  );
  if (e.axes === null || typeof e.axes !== 'object') problems.push('"axes" must be an object of axis definitions');
  else {
    for (const [name, def] of Object.entries(e.axes as Record<string, unknown>)) {
      need(columnNamePattern.test(name), `axis "${name}" must be lower snake case (it names a database column)`);
      need(!(reservedTrialColumns as readonly string[]).includes(name), `axis "${name}" uses a name reserved by the harness`);
      const d = def as { choices?: unknown; defaults?: unknown; shared?: unknown } | null;
      need(d !== null && typeof d === 'object', `axis "${name}" must be an object`);
      if (d && d.choices !== undefined) {
        need(typeof d.choices === 'function' || isStringList(d.choices), `axis "${name}": "choices" must be a list of strings or a function`);
      }
      if (d && d.defaults !== undefined) {
        need(isStringList(d.defaults), `axis "${name}": "defaults" must be a list of strings`);
        if (isStringList(d.defaults)) {
          need(new Set(d.defaults).size === d.defaults.length, `axis "${name}": "defaults" must name each value once`);
          const fixed = isStringList(d.choices) ? d.choices : null;
          const outside = fixed ? d.defaults.filter((v) => !fixed.includes(v)) : [];
          need(outside.length === 0, `axis "${name}": "defaults" must be among its "choices"; ${showList(outside)} ${outside.length === 1 ? 'is' : 'are'} not`);
        }
      }
      if (d && d.shared !== undefined) need(typeof d.shared === 'boolean', `axis "${name}": "shared" must be a boolean`);
    }
  }
  const axisNames = e.axes && typeof e.axes === 'object' ? Object.keys(e.axes) : [];
  // `variant` names a study's variants in the trial table (an axis may take the name, for studies without variants).
  problems.push(...columnProblems('trialColumns', e.trialColumns, [...reservedTrialColumns, 'variant'], axisNames));
  problems.push(...columnProblems('curveColumns', e.curveColumns, ['group_key', 'idx']));
  return problems;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** A column's name may be neither one the harness stores beside it (`reserved`) nor an axis's (stored beside it too). */
function columnProblems(field: string, value: unknown, reserved: readonly string[], axisNames: readonly string[] = []): string[] {
  if (!Array.isArray(value)) return [`"${field}" must be a list of column definitions`];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, col] of (value as Partial<ColumnDef>[]).entries()) {
    const where = `${field}[${i}]`;
    if (typeof col?.name !== 'string' || !columnNamePattern.test(col.name)) {
      problems.push(`${where}: "name" must be lower snake case; received ${JSON.stringify(col?.name)}`);
      continue;
    }
    if (reserved.includes(col.name)) {
      problems.push(`${where}: "${col.name}" is a column the harness stores beside the experiment's (it reserves ${showList(reserved)}); rename it, e.g. "${col.name}_value"`);
    } else if (axisNames.includes(col.name)) {
      problems.push(`${where}: "${col.name}" names an axis, whose value the harness stores in a column of that name; rename the column, e.g. "${col.name}_value"`);
    }
    if (seen.has(col.name)) problems.push(`${where}: "${col.name}" appears twice`);
    seen.add(col.name);
    if (!['INTEGER', 'REAL', 'TEXT'].includes(col.type as string)) {
      problems.push(`${where}: "type" must be INTEGER, REAL or TEXT; received ${JSON.stringify(col.type)}`);
    }
  }
  return problems;
}
