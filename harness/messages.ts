/**
 * Every message the harness shows a user, as functions of the facts they report. Tests compare
 * against these functions, so wording changes in one place. Errors name the thing at fault,
 * the rule, the value received, and a way out.
 */
import type { Issue } from './study/issues.js';
import { countOf, formatPath, listInWords, shareOf, showList, showValue } from './text.js';
import { formatDuration } from './cluster/format.js';
import { shellQuote } from './cluster/shell.js';
import type { LiveRun } from './run/status.js';
import type { FolderProblem } from './folders.js';

const didYouMean = (close: string | undefined) => (close ? ` Did you mean "${close}"?` : '');

// ---- study files -------------------------------------------------------------------------

export function studyNotFound(ref: string, known: readonly string[], close?: string, isExperiment = false): string {
  const where = known.length ? ` Known studies: ${showList(known)}.` : '';
  const experiment = isExperiment
    ? ` "${ref}" is an experiment (experiments/${ref}/experiment.ts), not a study: a study file names it (experiment: ${ref}) with its axes, params and seeds (README, "Study files").`
    : '';
  return `Study file not found: ${ref}.${experiment}${isExperiment ? '' : didYouMean(close)}${where} Give a path to a .yaml file or a study name from "harness list".`;
}

export function studyAmbiguous(ref: string, candidates: readonly string[]): string {
  return `Study name "${ref}" matches several files: ${showList(candidates)}. Give the path instead.`;
}

export function studyIsDirectory(path: string): string {
  return `${path} is a directory, not a study file. Give the path of a .yaml file inside it.`;
}

export function studyNotAFile(path: string): string {
  return `${path} is not a regular file (a pipe, socket or device); a study file is read whole before anything runs. Save the study to a .yaml file and give its path.`;
}

/** A results database (an SQLite file) given where a study file belongs. */
export function studyIsDatabase(path: string): string {
  return `${path} is a results database (an SQLite file), not a study file. To look at it: "harness status ${shellQuote(path)}" or "harness report ${shellQuote(path)}". To run a study, give its study file or name instead, e.g. experiments/inference-scaling/paper.yaml ("harness list" names them).`;
}

export function studyUnreadable(path: string, reason: string): string {
  return `Cannot read the study file ${path}: ${reason}. Check that it exists and that you may read it.`;
}

export function studyTooLarge(path: string, bytes: number, limit: number): string {
  return `${path} is ${bytes} bytes; a study file may be at most ${limit} bytes. Study files describe a grid, they do not list it: use axes, sweep and seeds.`;
}

export function studyYamlSyntax(path: string, line: number | undefined, col: number | undefined, reason: string): string {
  const at = line === undefined ? '' : `:${line}${col === undefined ? '' : `:${col}`}`;
  return `${path}${at}: YAML syntax error: ${reason}. Fix the file; "yaml" rules apply (indent with spaces, quote values containing ": ").`;
}

export function studyTooManyAliases(path: string, limit: number): string {
  return `${path}: its YAML aliases (*name) expand to too much (more than ${limit} alias uses in all). A study file describes a grid: write it out with axes, sweep and seeds instead of nesting aliases.`;
}

export function studyNotMapping(path: string, received: unknown): string {
  return `${path}: a study file must be a YAML mapping with at least "name" and "experiment"; received ${showValue(received)}. See experiments/inference-scaling/paper.yaml for an example.`;
}

/** One line per issue; `sources` maps a document path to the --set that put it there. */
export function studyInvalid(file: string, issues: readonly Issue[], sources: ReadonlyMap<string, string> = new Map()): string {
  const lines = issues.map((issue) => {
    const path = formatPath(issue.path);
    const from = sourceOf(path, sources);
    const hint = issue.hint ? ` ${issue.hint}` : '';
    // A rule is a clause: "; received ..." follows it (experiments sometimes end theirs with a period).
    return `${path}: ${issue.rule.replace(/\.$/, '')}; received ${showValue(issue.received)}${from ? ` (from --set ${from})` : ''}.${hint}`;
  });
  if (lines.length === 1) return `${file}: ${lines[0]}`;
  return `${file}: ${lines.length} problems:\n${lines.map((l) => `  - ${l}`).join('\n')}`;
}

function sourceOf(path: string, sources: ReadonlyMap<string, string>): string | undefined {
  for (const [prefix, arg] of sources) {
    if (path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`)) return arg;
  }
  return undefined;
}

// ---- study rules (the `rule` and `hint` of an Issue) ---------------------------------------

export const rule = {
  unknownAxis: (experiment: string, axes: readonly string[], close?: string) => ({
    rule: `is not an axis of experiment "${experiment}"`,
    hint: `${didYouMean(close).trim()} Its axes: ${showList(axes)}.`.trim(),
  }),
  axisIsParameter: (experiment: string, name: string) => ({
    rule: `is a parameter of experiment "${experiment}", not an axis`,
    hint: `Vary it with sweep: {${name}: [...]} (or set one value under params).`,
  }),
  unknownAxisValue: (axis: string, choices: readonly string[], close?: string) => ({
    rule: `is not a known ${axis}`,
    hint: `${didYouMean(close).trim()} Choices: ${showList(choices)}.`.trim(),
  }),
  /**
   * An axis value that a cell's own params (the study's, a sweep's value, a variant's settings) do
   * not define. `listed`: the value is in the study's list of the axis (else the experiment's defaults).
   */
  axisValueNotInCell: (axis: string, choices: readonly string[], listed: boolean, close?: string) => ({
    rule: `is not a ${axis} that the cell's params define (they define: ${showList(choices)})`,
    hint: `${didYouMean(close).trim()} ${listed ? `Define it in every variant and swept value, or leave it out of "axes: {${axis}: [...]}"` : `List the values to run in the study: "axes: {${axis}: [...]}"`}.`.trim(),
  }),
  /** An axis the study does not list, `count` of whose default values are not among the choices. */
  unknownAxisDefault: (axis: string, choices: readonly string[], count: number) => ({
    rule: `is not listed in the study, so the experiment's defaults would run, and ${count === 1 ? 'this one is' : 'these are'} not among its choices (${showList(choices)})`,
    hint: `List the values to run: "axes: {${axis}: [...]}".`,
  }),
  axisNoDefault: (axis: string) => ({
    rule: `must be listed: the experiment has no default ${axis}`,
    hint: `Add "axes: {${axis}: [...]}" to the study.`,
  }),
  duplicateValue: (firstIndex: number) => ({
    rule: `repeats entry [${firstIndex}]`,
    hint: 'Each value may appear once; remove the repeat.',
  }),
  unknownParam: (path: string, known: readonly string[], close?: string) => ({
    rule: `"${path}" is not a parameter of the experiment`,
    hint: `${didYouMean(close).trim()} Parameters: ${showList(known)}.`.trim(),
  }),
  /** A swept or variant value the schema refuses: as the parameter it sets, or (a rule across parameters) elsewhere. */
  sweepValue: (path: string, inner: string, sets: string | null, hint?: string) => ({
    rule: path === sets ? `as ${path}: ${inner}` : `${sets ? `sets ${sets} to a value that` : 'gives params that'} fail${sets ? 's' : ''} at ${path}: ${inner}`,
    ...(hint ? { hint } : {}),
  }),
  zipUnknownMember: (dims: readonly string[], close?: string) => ({
    rule: 'is not an axis, a swept parameter or "replicate" of this study',
    hint: `${didYouMean(close).trim()} Known: ${showList(dims)}.`.trim(),
  }),
  zipTwice: (other: number) => ({
    rule: `is already zipped in zip[${other}]`,
    hint: 'A dimension may be in one zip group only; merge the groups.',
  }),
  zipLengths: (lengths: Record<string, number>) => ({
    rule: `zipped dimensions must have equal lengths (${Object.entries(lengths)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')})`,
    hint: 'Zip pairs the i-th values of each member; give each the same number of values.',
  }),
  excludeEmpty: () => ({ rule: 'an exclusion must name at least one dimension', hint: 'Example: {model: gpt5, scenario: cost-constrained}.' }),
  excludeUnknownDim: (dims: readonly string[], close?: string) => ({
    rule: 'is not a dimension of this study',
    hint: `${didYouMean(close).trim()} Known: ${showList(dims)}.`.trim(),
  }),
  /** `close`: the nearest value, as the study holds it (its type may differ from what was written). */
  excludeUnknownValue: (dim: string, values: readonly unknown[], received: unknown, close?: unknown) => {
    const otherType = close !== undefined && typeof close !== typeof received ? ` (a ${typeof close}, ${typeof close === 'string' ? 'in quotes' : 'without quotes'})` : '';
    return {
      rule: `matches no value of ${dim}`,
      hint: `${close === undefined ? '' : `Did you mean ${showValue(close)}${otherType}? `}Values: ${showList(values)}.`,
    };
  },
  allExcluded: (narrowedBy: readonly string[] = []) => ({
    rule: narrowedBy.length ? `excludes every cell of the grid that ${narrowedBy.map((a) => `--set ${a}`).join(' and ')} leave${narrowedBy.length === 1 ? 's' : ''}` : 'excludes every cell of the grid',
    hint: narrowedBy.length ? 'Keep more axis values in the --set, or remove or narrow an exclusion.' : 'Remove or narrow an exclusion.',
  }),
  gridTooLarge: (size: number, limit: number) => ({
    rule: `the grid has ${size} positions; at most ${limit} are supported`,
    hint: 'Split the study, or use fewer values per axis.',
  }),
  tooManyParamCombinations: (count: number, limit: number) => ({
    rule: `the sweeps make ${count} parameter combinations; at most ${limit} are supported`,
    hint: 'Use fewer sweep values or zip sweeps together.',
  }),
  variantSetsTwice: (path: string) => ({
    rule: `sets "${path}" a second time (with and without the "params." prefix)`,
    hint: 'Keep one of the two entries.',
  }),
  variantSetsSwept: (path: string) => ({
    rule: `sets "${path}", which the study also sweeps`,
    hint: 'Vary a parameter either by a sweep or by variants: drop it from the sweep, or from the variant.',
  }),
  variantTwin: (other: string) => ({
    rule: `sets the same parameters to the same values as variant "${other}"`,
    hint: 'Each variant must differ from the others; remove one, or change what it sets.',
  }),
  /** `result`: the other is one of the experiment's result columns, which only its author can rename. */
  columnClash: (column: string, other: string, result = false) => ({
    rule: `its database column "${column}" clashes with ${other}`,
    hint: result
      ? `The experiment stores a result of that name: vary the parameter with variants instead (they store their name, not its value), or ask the experiment's author to rename the result column.`
      : 'Rename the axis or parameter.',
  }),
};

// ---- command-line overrides ------------------------------------------------------------------

/** `--set base_seed=1,2`: a list where one value goes. */
export function setBaseSeedList(arg: string): string {
  return optionInvalid(
    'set',
    'gives base_seed a comma list, but it takes one value (a study\'s seeds are its replicates, numbered from it; there is no sweep of base seeds)',
    arg,
    'Run the study once per base seed, each into its own database (--db), or quote a text with a comma in it: --set \'base_seed="a,b"\'.',
  );
}

export function studyProtoKey(file: string, path: string): string {
  return `${file}: ${path} is a key no study can have ("__proto__" is JavaScript's name for an object's prototype, and would be ignored). Rename or remove it.`;
}

export function setSyntax(arg: string): string {
  return `--set ${showValue(arg)}: expected path=value, e.g. --set seeds=5, --set sim.M=300,1000 or --set axes.model=gpt5,gpt5-mini.`;
}

/** `--set axes=a` or `axes.model.x=a` (`typed`: model): an axis is set by its name, one at a time. */
export function setAxisPath(arg: string, axes: readonly string[], typed?: string): string {
  const example = typed !== undefined && axes.includes(typed) ? typed : (axes[0] ?? 'model');
  return `--set ${showValue(arg)}: "axes" is set one axis at a time, by its name: --set axes.<axis>=a,b (e.g. --set axes.${example}=a,b). This study's axes: ${showList(axes)}.`;
}

/** `--set seeds.x=5`: a study's own field (seeds, name) is one value, with no parts to set. */
export function setFieldPath(arg: string, field: string): string {
  return `--set ${showValue(arg)}: ${field} is a single value, with no parts to set: --set ${field}=<value>.`;
}

/**
 * `kind`: what the key names. An axis's values are names, and a study's own field (seeds, name)
 * takes no null: only a parameter may be an empty text or null.
 */
export function setEmptyValue(arg: string, key: string, inList = false, kind: 'axis' | 'field' | 'parameter' = 'parameter'): string {
  const what = inList ? 'an empty value in its list (two commas, or one at an end)' : 'no value after "="';
  const example =
    kind === 'axis' ? `--set ${key}=a,b` : kind === 'field' ? `--set ${key}=${key === 'seeds' ? '5' : key === 'base_seed' ? '42' : '<value>'}` : `--set ${key}=<value>; --set '${key}=""' for an empty text, ${key}=null for none`;
  return `--set ${showValue(arg)}: ${what}. Give one (e.g. ${example}), or leave this --set out to keep the study's.`;
}

export function setNotSettable(arg: string, key: string): string {
  return `--set ${arg}: "${key}" cannot be set from the command line. Edit the study file, or use --set for name, seeds, base_seed, description, axes.<axis>, params.<path> and sweep.<path>.`;
}

export function setValueSyntax(arg: string, reason: string): string {
  return `--set ${arg}: the value is not valid YAML (${reason}). Quote strings that contain ":" or "#", e.g. --set 'description="a: b"'.`;
}

// ---- experiments --------------------------------------------------------------------------

export function experimentNotFound(field: string, ref: string, expected: string, known: readonly string[], close?: string, base = 'the study file'): string {
  return `${field}: "${ref}" not found (looked for ${expected}).${didYouMean(close)}${known.length ? ` Known experiments: ${showList(known)}.` : ''} Give an experiment name or a path relative to ${base}.`;
}

/** `outsideProject`: the project's root, when the module lies outside it. */
export function experimentImportFailed(modulePath: string, reason: string, outsideProject?: string): string {
  const outside = outsideProject
    ? ` It lies outside this project (${outsideProject}), where an experiment's imports of the harness and the project's packages do not resolve: move it into the project (experiments/<name>/experiment.ts is found by name).`
    : '';
  return `Cannot load the experiment module ${modulePath}: ${reason.replace(/\.$/, '')}.${outside} Fix the module; try "node --import tsx ${modulePath}" to see the error alone.`;
}

export function experimentInvalid(modulePath: string, problems: readonly string[]): string {
  return `${modulePath} does not implement the Experiment contract of harness/experiment.ts:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}

export function experimentGroupOfFailed(experiment: string, values: unknown, reason: string): string {
  return `Experiment "${experiment}": groupOf threw for cell ${showValue(values, 200)}: ${reason}. groupOf must accept every cell of a valid study.`;
}

export const excludeCombinationHint = 'Exclude the combination, or zip the sweeps so it does not occur.';

/** Dotted sweep or variant paths into parameters the study's params leave to their defaults. */
export function dottedIntoDefaultsHint(paths: readonly string[]): string {
  return `Note that ${showList(paths)} ${paths.length === 1 ? 'sets its parameter' : 'set their parameters'} to what the path gives alone, not the default with one key changed: write the parameter whole in the study's params.`;
}

export const excludeCellsHint = 'Or leave those cells out (exclude), or change the sweep or variant that makes them.';

export function experimentCheckCellFailed(experiment: string, values: unknown, reason: string): string {
  return `Experiment "${experiment}": checkCell threw for cell ${showValue(values, 200)}: ${reason}. checkCell returns a problem rather than throwing it.`;
}

export function experimentReplicatesShareSeed(study: string, experiment: string, cell: unknown, seedIdentity: string): string {
  return (
    `${study}: experiment "${experiment}" gives two replicates of cell ${showValue(cell, 200)} the same seedIdentity (${seedIdentity}), ` +
    'so each of the study\'s seeds would draw the same random numbers and store a copy of one result. ' +
    'In the experiment, put the cell\'s "replicate" value into the seedIdentity that groupOf returns; or run the study with one seed ("seeds: 1"). Nothing was run.'
  );
}

export function experimentChoicesFailed(experiment: string, axis: string, cell: unknown, reason: string): string {
  const where = cell === undefined ? "the study's params" : `the params of cell ${showValue(cell, 200)}`;
  return `Experiment "${experiment}": the choices of axis ${axis} threw for ${where}: ${reason}. A choices function returns the values its params define; check that it handles every params its schema accepts.`;
}

/** `sharedFields`: the declared shared axes (and only those) the two cells differ in, where that is so. */
export function experimentSeedConflict(experiment: string, a: unknown, b: unknown, sharedFields: readonly string[] | null = null): string {
  const fix = sharedFields?.length
    ? `they differ only in ${showList(sharedFields)}, which the experiment declares shared (shared: true), so leave ${sharedFields.length === 1 ? 'it' : 'them'} out of "seedIdentity" too`
    : 'put what the seed depends on into "simulation" too';
  return `Experiment "${experiment}": cells ${showValue(a, 200)} and ${showValue(b, 200)} have the same simulation but different seedIdentity. Cells that share a simulation must share its random numbers: ${fix}.`;
}

/** Cells that differ only in declared shared axes, to which groupOf gives different simulations. */
export function experimentSplitsShared(experiment: string, sharedFields: readonly string[], a: unknown, b: unknown): string {
  const one = sharedFields.length === 1;
  return (
    `Experiment "${experiment}": cells ${showValue(a, 200)} and ${showValue(b, 200)} differ only in ${showList(sharedFields)}, which the experiment declares shared (shared: true), ` +
    `yet groupOf gives them different simulations. Cells that differ only in shared axes run as one simulation, on common random numbers. ` +
    `Leave ${showList(sharedFields)} out of "simulation" and "seedIdentity"; or, if ${one ? 'it changes' : 'they change'} the simulation, declare ${one ? 'the axis' : 'the axes'} without shared: true.`
  );
}

// ---- command-line options ------------------------------------------------------------------

export function optionInvalid(option: string, ruleText: string, received: unknown, hint?: string): string {
  return `--${option}: ${ruleText}; received ${showValue(received)}.${hint ? ` ${hint}` : ''}`;
}

export function switchGivenValue(option: string, received: string): string {
  return optionInvalid(option, 'is a switch: it takes no value, or true or false', received, `Write --${option} alone to turn it on.`);
}

/** The rule a shard count breaks above the study's simulation groups. */
function atMostGroups(groups: number): string {
  return `must be at most the study's ${groups} simulation groups (a group is never split), or some shards would have nothing to do`;
}

export function shardsExceedGroups(shards: number, groups: number): string {
  return optionInvalid('shards', atMostGroups(groups), String(shards), `Use --shards ${groups} or fewer.`);
}

export function shardCountExceedsGroups(source: string, shard: string, groups: number): string {
  return shardInvalid(source, shard, `N ${atMostGroups(groups)}; cut it into ${groups} shards or fewer`);
}

export function shardInvalid(source: string, received: string, ruleText: string): string {
  return `${source}: ${ruleText}; received ${showValue(received)}. A shard is "i/N" with 0 <= i < N, e.g. --shard 0/4 for the first of four.`;
}

export function shardCountWithShard(shard: string, count: number): string {
  return optionInvalid('shard-count', `is the count for a shard index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, and --shard ${showValue(shard)} gives its own`, count, 'Leave --shard-count out, or give the count in --shard (i/N).');
}

export function shardCountWithoutIndex(count: number): string {
  return optionInvalid(
    'shard-count',
    'needs a shard index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, and neither is set',
    count,
    'Run it as a task of the array or indexed job, or give the shard itself with --shard i/N; without either, leave --shard-count out to run the whole study.',
  );
}

export function setZipUnpaired(arg: string, param: string, partners: readonly string[], zip: number, values: readonly unknown[]): string {
  return (
    `--set ${arg}: ${param} advances with ${partners.join(', ')} in the study file's zip[${zip}], which pairs its values ${showValue(values)} one to one with theirs; ` +
    `fixed to another value it pairs with none. Give it one of those values, or set ${partners.join(' and ')} too (--set ${partners[0]}=...).`
  );
}

export function setExcludesEverything(args: readonly string[], rule: number): string {
  return `--set ${args.join(', ')}: the study file's exclude[${rule}] then holds for every cell (each value it names is the one --set keeps), so nothing would run. Set another value, or run the study without it.`;
}

export function cliUsage(reason: string, command?: string): string {
  return `${reason}${/[.?]$/.test(reason) ? '' : '.'} See "harness ${command ? `${command} ` : ''}--help".`;
}

// ---- databases -----------------------------------------------------------------------------

/**
 * How the command at hand takes a database path, so that a message suggests a fix it accepts:
 * `option` for the --db of run and plan, `argument` for a database named as a command-line
 * argument (status, report, export, merge).
 */
export type DbPathGiven = 'option' | 'argument';

export function dbNotFound(path: string, given: DbPathGiven = 'argument', nearby?: string): string {
  if (nearby) return `No results database at ${path}. Did you mean ${nearby}?`;
  return given === 'option'
    ? `No results database at ${path}. Run "harness run <study>" first, or give the path with --db (see "harness status" for the databases under results/).`
    : `No results database at ${path}. Check the path, or make the database first with "harness run <study>" ("harness status" lists the databases under results/).`;
}

export function dbIsDirectory(path: string): string {
  return `${path} is a directory, not a results database. Give the path of a .sqlite file.`;
}

/** The rule a path typed for a file breaks when it ends in "/" (see namesFolderNotThere). */
const endsInSlash = 'ends in "/", so it names a folder';

/** How to name a file instead, when the path typed names a folder: `example` is one inside it. */
function fileInsideIt(example: string): string {
  return `Give a file name inside it, e.g. ${example}, or leave out the "/"`;
}

/** run's or plan's --db ends in "/" and no folder is there (an existing folder is dbIsDirectory). */
export function dbOptionNamesFolder(typed: string, example: string): string {
  return optionInvalid('db', `${endsInSlash}, and a results database is a file`, typed, `${fileInsideIt(`--db ${example}`)}.`);
}

export function dbNotAFile(path: string, given: DbPathGiven = 'argument'): string {
  return `${path} is not a regular file (a pipe, socket or device), so it cannot hold a results database. Give the path of a .sqlite file${given === 'option' ? ' with --db' : ''}.`;
}

export function dbLocked(path: string, waitedSeconds: number): string {
  return `${path} is locked by another program that holds a write transaction open (waited ${waitedSeconds} s). Close it (e.g. an sqlite3 shell inside BEGIN), then rerun the same command.`;
}

export function dbNotSqlite(path: string): string {
  return `${path} is not an SQLite database (its header is wrong). Give the path of a results database, or move this file away.`;
}

/** What is wrong with a database whose header is right but whose pages are not (see dbDamaged). */
export type DbDamage =
  | { kind: 'truncated'; bytes: number; pages: number; pageSize: number }
  | { kind: 'malformed'; reason: string }
  /** Found by the harness in rows SQLite read without complaint (`reason`: what, e.g. a cell listed twice). */
  | { kind: 'inconsistent'; reason: string }
  /** Found by the harness, and no run or copy leaves it (`reason`: what, e.g. a table missing). */
  | { kind: 'altered'; reason: string };

/** The damage a harness database shows when tables every one of its level holds are gone. */
export function tablesMissing(tables: readonly string[]): string {
  return `it has no ${tables.map((t) => `"${t}"`).join(', ')} table${tables.length === 1 ? '' : 's'}, which every results database holding a study has`;
}

/** The damage a table shows when columns its study's results are stored in are gone. */
export function columnsMissing(table: string, columns: readonly string[]): string {
  return `its ${table} table has no ${columns.map((c) => `"${c}"`).join(', ')} column${columns.length === 1 ? '' : 's'}, which its study's results are stored in`;
}

/** A database with the harness's tables whose meta table, or its schema level, is gone. */
export function schemaVersionMissing(): string {
  return 'it records no schema level (the "meta" table\'s schema_version row), though it has every other table of a results database';
}

/** A stored value that is not what its column holds (`row`: which row, e.g. "cell 5"; `holds`: e.g. "numbers"). */
export function storedValueWrong(table: string, row: string, column: string, holds: string, value: unknown): string {
  return `its ${table} table has ${showValue(value)} in ${column} (${row}), a column of ${holds}`;
}

/** The damage a table's rows show: a cell (or row id) that comes twice, or out of order. */
export function rowsRepeated(table: string, column: string, value: unknown): string {
  return `its ${table} table gives ${column} ${showValue(value)} twice, or out of order`;
}

/**
 * A results database SQLite cannot read past its header. `unchanged`: the file was checked to be
 * as it was before the command (size and times, no -wal left holding data).
 */
export function dbDamaged(path: string, damage: DbDamage, unchanged: boolean): string {
  const what =
    damage.kind === 'truncated'
      ? `${path} is truncated: its header announces ${damage.pages} pages of ${damage.pageSize} bytes (${damage.pages * damage.pageSize} bytes) but the file has only ${damage.bytes} bytes (an interrupted copy or download?)`
      : damage.kind === 'inconsistent'
        ? `${path} is damaged: ${damage.reason} (a copy made while it was written, or pages overwritten by a disk fault?)`
        : damage.kind === 'altered'
          ? `${path} is damaged: ${damage.reason} (changed by another program, or by hand?)`
          : `${path} is damaged: SQLite reports "${damage.reason}" reading it (pages overwritten by a disk fault, or a copy made while it was written?)`;
  const state = unchanged ? ' Nothing was changed.' : '';
  return `${what}.${state} Restore it from a copy, or start a new database there with "harness run <study> --db ${path} --fresh", which moves the damaged file aside under a timestamped name.`;
}

/**
 * A database whose -wal file holds commits, in a folder this process may not write (`code`):
 * SQLite reads such a -wal only with a -shm file beside it, which it cannot create there.
 */
export function dbPendingWal(path: string, walBytes: number, code: string): string {
  return `Cannot read ${path} here: its -wal file holds ${walBytes} bytes of commits that are not yet in the database file, and SQLite reads them only with a -shm file beside it, which it cannot create in this folder: ${fileSystemReason(code)}. Copy ${path} and ${path}-wal together into a writable folder and read the copy, or read it where its folder is writable (the last reader to close then moves the commits into the database file).`;
}

export function dbForeign(path: string, given: DbPathGiven = 'argument'): string {
  const fix = given === 'option' ? 'Use another path with --db.' : 'Give the path of a database that "harness run" made.';
  return `${path} is an SQLite database but not a harness results database (it has no "meta" table). ${fix}`;
}

export function dbNewerSchema(path: string, found: number, supported: number): string {
  return `${path} has schema version ${found}; this harness reads up to version ${supported}. Update the harness (git pull), or use another database.`;
}

export function dbNoStudy(path: string): string {
  return `${path} holds no study yet (an interrupted first start?). Run "harness run <study> --db ${path}" to fill it, or delete it.`;
}

export function dbCannotOpen(path: string, reason: string): string {
  return `Cannot open the database ${path}: ${reason}. Check that the folder exists and is writable, and that the disk is not full.`;
}

export function dbNotWritable(path: string, code: string, given: DbPathGiven = 'option'): string {
  const reason = code === 'EROFS' ? 'its folder is on a read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : undefined;
  const elsewhere = given === 'option' ? 'write elsewhere with --db' : 'give a path in a writable folder';
  return `Cannot write to ${path}: ${reason ? `${reason} (${code})` : code}. A results database needs a writable file in a writable folder (SQLite keeps -wal and -shm files beside it): ${elsewhere}, or make it writable, then rerun the same command.`;
}

export function dbWriteFailed(path: string, reason: string): string {
  return `Writing to ${path} failed: ${reason}. Everything committed before is safe; free space or fix permissions, then rerun the same command to resume.`;
}

export interface DifferenceLine {
  path: string;
  stored: unknown;
  current: unknown;
}

/** One line per difference; `stored` and `current` say where each side comes from. */
function differenceLines(diffs: readonly DifferenceLine[], stored = 'in the database', current = 'now'): string {
  return diffs.map((d) => `  - ${d.path}: ${showValue(d.stored, 120)} ${stored}, ${showValue(d.current, 120)} ${current}`).join('\n');
}

/** `storedSetup`: the command that goes on with the setup the database holds (its last run's), null when none is recorded. */
export function dbManifestMismatch(path: string, diffs: readonly DifferenceLine[], freshCommand: string, storedSetup: string | null = null): string {
  const undo = storedSetup ? `, or undo the change: its last run was "${storedSetup}"` : ', or undo the change';
  return `${path} holds results of a different study setup; resuming would mix them. What differs:\n${differenceLines(diffs)}\nStart a new database with "${freshCommand}" (the old one is kept under a timestamped name), write elsewhere with --db${undo}.`;
}

/**
 * The database was written by another study altogether: its name leads, and the fix is another
 * file (`elsewhere`, the study's own database, null when `path` is that one), not a list of the
 * setups' differences.
 */
export function dbHoldsOtherStudy(path: string, stored: string, current: string, elsewhere: string | null, freshCommand: string): string {
  const own = elsewhere ? `Run "${current}" into a database of its own: "${elsewhere}"` : `Run "${current}" into another file with --db`;
  return (
    `${path} holds the results of study "${stored}", not "${current}"; writing "${current}" into it would mix two studies. ` +
    `${own}; or, to replace the "${stored}" results, "${freshCommand}" (they are kept under a timestamped name).`
  );
}

export interface BusyRun {
  id: number;
  pid: number;
  host: string;
  startedAt: string;
}

const writtenBy = (path: string, run: BusyRun) => `${path} is being written by run ${run.id} (pid ${run.pid} on ${run.host}, started ${run.startedAt})`;

export function dbBusy(path: string, run: BusyRun): string {
  return `${writtenBy(path, run)}. Wait for it to finish, stop it, or write elsewhere with --db.`;
}

/** A merge input that a run is still writing: its trials so far, and a lock that is not the merge's, would be copied. */
export function mergeInputBusy(path: string, run: BusyRun): string {
  return `${writtenBy(path, run)}; a merge takes only databases that no run is writing. Wait for it to finish (or stop it), then merge again.`;
}

export function mergeOutputBusy(path: string, run: BusyRun): string {
  return `${writtenBy(path, run)}. Wait for it to finish, stop it, or merge into another database.`;
}

/** The pace of the run writing a database, as `status` shows it (see LiveRun). */
export function liveRunPace(live: LiveRun): string {
  const pace = live.stored > 0 ? ` (${live.trialsPerSecond >= 100 ? Math.round(live.trialsPerSecond) : live.trialsPerSecond.toFixed(1)} trials/s)` : '';
  const eta = live.etaSeconds === null ? '' : live.left > 0 ? `, about ${formatDuration(live.etaSeconds)} left at that pace` : '';
  return `run #${live.run} has stored ${countOf(live.stored, 'trial')} in ${formatDuration(live.seconds)}${pace}; ${countOf(live.left, 'trial')} of its slice to go${eta}`;
}

/** How to complete a database that lacks trials or holds failed ones (status). */
export function statusNext(missing: number, failed: number, command: string): string {
  return missing > 0 ? `complete it${failed > 0 ? ', retrying its failed trials,' : ''} with: ${command}` : `retry its failed trials with: ${command}`;
}

export function runStalled(runId: number): string {
  return `run #${runId} has written nothing for over a minute, though a process with its pid is alive on this host: paused (Ctrl-Z, a suspended machine) or stuck, unless another process got its pid. Resumed (fg), it goes on, unless a new run has taken the database over meanwhile, as the next run will.`;
}

export function runTookOverStalled(path: string, run: BusyRun): string {
  return `${path}: run ${run.id} (pid ${run.pid}, started ${run.startedAt}) has written nothing for over a minute, though a process with its pid is still there: paused (Ctrl-Z, a suspended machine) or stuck, unless another process got its pid. This run takes the database over; run ${run.id}, if resumed, stops without writing more.`;
}

export function waitingForOtherHostsWriter(path: string, run: BusyRun, silentSeconds: number, waitSeconds: number): string {
  return (
    `${writtenBy(path, run)}, which last wrote ${silentSeconds} s ago. A process on another host cannot be checked, so this run waits ` +
    `up to ${waitSeconds} s to see whether it is alive: a live run writes every few seconds (this one then stops), and one gone ` +
    `(a replaced container, a lost node) holds it no more once a minute has passed without a word from it.`
  );
}

export function dbGoneDuringRun(path: string, problem: 'missing' | 'replaced'): string {
  const what =
    problem === 'missing'
      ? `${path} was moved, renamed or deleted while this run wrote it`
      : `${path} is no longer the file this run opened: another file took its place while the run wrote`;
  return (
    `${what}, so the run stops rather than store more where no one would find it. What it stored is in that file, wherever it ` +
    `is now (if deleted, it is lost), less its latest results, which SQLite had not yet written into it: ` +
    `put it back at ${path}, or give --db its new place, and run the same command again; it resumes, computing those again.`
  );
}

export function runTakenOver(path: string, runId: number): string {
  return `${path}: another run took the database over while run ${runId} was paused (no heartbeat for over a minute: the process was stopped, as Ctrl-Z does, or its machine froze), taking it for dead. Run ${runId} stops without writing more: every trial it stored before is kept, and the other run computes the rest. "harness status ${shellQuote(path)}" shows the run that writes it now.`;
}

export function freshMovedAside(from: string, to: string): string {
  return `--fresh: moved the existing database ${from} to ${to}.`;
}

export function freshCannotMoveAside(path: string, code: string): string {
  return `--fresh: cannot move the existing database ${path} aside (to start a new one beside it): ${fileSystemReason(code)}. Make its folder writable, or give --db a path in a writable folder.`;
}

// ---- running -------------------------------------------------------------------------------

export function runWithoutCommit(gitSays: string): string {
  const said = /[.!?]$/.test(gitSays) ? gitSays : `${gitSays}.`;
  return `Warning: this run records no git commit of the code it runs (its provenance, for a methods section and for telling runs apart), because git says: ${said} Fix that before the runs whose provenance you need (git's message may say how); this run's trials are stored as usual.`;
}

/** "run 3" or "runs 1, 2". */
function runsNamed(runs: readonly number[]): string {
  return runs.length === 1 ? `run ${runs[0]}` : `runs ${runs.join(', ')}`;
}

export function runMixesCode(db: string, other: { trials: number; runs: readonly number[] }, freshCommand: string): string {
  const runs = runsNamed(other.runs);
  return (
    `Warning: ${countOf(other.trials, 'trial')} in ${db} ${other.trials === 1 ? 'was' : 'were'} computed by other code of the experiment (${runs}); the code, or project code ` +
    `it imports, has changed since. The trials computed now will mix with them. To compute every trial with this code, ` +
    `interrupt this run and start over with: ${freshCommand}`
  );
}

/**
 * The pilot's group that ran past its time limit (see PilotEstimate.stopped); `taskTimeoutSeconds`:
 * the runs' --task-timeout where it is longer than the pilot's limit (`slurm`'s tasks).
 */
export function pilotGroupStopped(cell: unknown, limitSeconds: number, byTaskTimeout: boolean, taskTimeoutSeconds?: number): string {
  const which = `A group of the pilot (cell ${showValue(cell, 200)})`;
  if (byTaskTimeout) {
    return `${which} ran past --task-timeout (${limitSeconds} s) and was stopped: in a run its trials would fail there. The pilot stopped at it, and the estimate counts it at ${limitSeconds} s.`;
  }
  return (
    `${which} was still running after ${limitSeconds} s and was stopped, so the estimate, which counts it at ${limitSeconds} s, is a lower bound. ` +
    (taskTimeoutSeconds !== undefined
      ? `In a task, --task-timeout stops such a group at ${taskTimeoutSeconds} s.`
      : 'If a group can run that long, or never end, give --task-timeout <seconds> to the run (or to `slurm`, which passes it on to every task): such a group then fails at that limit instead of holding its thread until the run is stopped.')
  );
}

/** A group the pilot ran twice with different results (see PilotEstimate.differed). */
export function pilotGroupDiffered(cell: unknown, where: string, first: unknown, second: unknown): string {
  return (
    `A group of the pilot (cell ${showValue(cell, 200)}) gave different results on two runs from the same seed: ${where} was ${showValue(first)}, then ${showValue(second)}. ` +
    'The experiment is not deterministic (it draws on Math.random, the clock, or state kept from one group to the next), so a rerun, a resume, or another thread or shard count would store other numbers, and merged shards would disagree. ' +
    "Draw every random number from the group's seed (task.seed), and keep no state between groups."
  );
}

/** A cell of the pilot's first group that gave other results run alone (see PilotEstimate.alone). */
export function pilotCellAlone(cell: unknown, where: string, inGroup: unknown, alone: unknown, params?: readonly { path: string; first?: unknown; second?: unknown }[]): string {
  const opening = `A cell of the pilot's first group (cell ${showValue(cell, 200)}), run alone, gave other results than in its group: ${where} was ${showValue(inGroup)} in the group, ${showValue(alone)} alone. `;
  if (params) {
    const shown = (value: unknown) => (value === undefined ? 'absent' : showValue(value));
    const paths = params.slice(0, 5).map((p) => `params.${p.path} (${shown(p.first)} in the task, ${shown(p.second)} in the cell)`);
    return (
      opening +
      `Alone with its group's params as the task's, it gave the group's results again: runGroup reads from task.params, which are the group's first cell's, ${params.length === 1 ? 'a parameter' : 'one of the parameters'} this cell has another value of: ${listInWords(paths)}${params.length > 5 ? ` and ${params.length - 5} more` : ''}. ` +
      "Every cell of a group is so computed with its first cell's value. Read what may differ between the cells of a group from each cell's own params (cell.params), or put it in groupOf's simulation so that cells that differ in it run apart."
    );
  }
  return (
    opening +
    "A cell's results must depend on the group's seed and the cell's own values and params alone, not on the other cells of its task (how many there are, or which run before it, as when runGroup draws from one random stream cell after cell): " +
    'a resume or a retry of failed trials runs only some cells of a group, and would store other numbers than a run from the start.'
  );
}

/** The pilot's warnings besides failed groups, as `plan` and `slurm` say them. */
export function pilotWarnings(
  estimate: {
    stopped?: { cell: unknown; limitMs: number; byTaskTimeout: boolean };
    differed?: { cell: unknown; where: string; first: unknown; second: unknown };
    unrepeated?: { seconds: number };
    alone?: { cell: unknown; where: string; inGroup: unknown; alone: unknown; params?: readonly { path: string; first?: unknown; second?: unknown }[] };
  },
  /** The runs' --task-timeout, where the pilot's own limit was shorter (see pilotGroupStopped). */
  taskTimeoutMs?: number,
): string[] {
  const { stopped, differed, unrepeated, alone } = estimate;
  return [
    ...(differed ? [pilotGroupDiffered(differed.cell, differed.where, differed.first, differed.second)] : []),
    ...(alone ? [pilotCellAlone(alone.cell, alone.where, alone.inGroup, alone.alone, alone.params)] : []),
    ...(stopped ? [pilotGroupStopped(stopped.cell, stopped.limitMs / 1000, stopped.byTaskTimeout, stopped.byTaskTimeout || taskTimeoutMs === undefined ? undefined : taskTimeoutMs / 1000)] : []),
    ...(unrepeated ? [pilotGroupUnrepeated(unrepeated.seconds)] : []),
  ];
}

/** The pilot's first group, as long as the whole pilot, ran once (see PilotEstimate.unrepeated). */
export function pilotGroupUnrepeated(seconds: number): string {
  return `The pilot's first group took ${seconds.toFixed(1)} s, as long as the whole pilot, so it ran once: whether the experiment's results repeat from the same seed was not checked.`;
}

/** What `notAColour` says, by which renderFailed knows its warning from Vega's. */
export const NOT_A_COLOUR = 'which is not a colour';

/** A fill, stroke or background of a figure that is no colour (render/vega.ts). */
export function notAColour(channel: string, value: string, mark: string): string {
  return (
    `the ${channel} of ${mark} is ${JSON.stringify(value)}, ${NOT_A_COLOUR}: give a CSS colour name (e.g. "steelblue"), "#rrggbb", "rgb(r, g, b)" (commas; CSS 4's "rgb(r g b)" is not read) or "none"; ` +
    'the SVG would carry it as written, and the PNG and PDF would paint another colour'
  );
}

export function planMixesCode(other: { trials: number; runs: readonly number[] }): string {
  const runs = runsNamed(other.runs);
  return `warning: ${countOf(other.trials, 'stored trial')} ${other.trials === 1 ? 'was' : 'were'} computed by other code of the experiment (${runs}): a run now would mix its trials with them; run it with --fresh to compute every trial with the code as it is now`;
}

export function runRefusesOtherCode(db: string, other: { trials: number; runs: readonly number[] }, freshCommand: string): string {
  const runs = runsNamed(other.runs);
  return (
    `--same-code: ${countOf(other.trials, 'trial')} in ${db} ${other.trials === 1 ? 'was' : 'were'} computed by other code of the experiment (${runs}); ` +
    `the code, or project code it imports, has changed since, and this run would mix its trials with them. Nothing was run. ` +
    `Compute every trial with the code as it is now: ${freshCommand}; or check out the code the stored trials ran ("harness status ${shellQuote(db)}" names its commit) and resume with that.`
  );
}

/** The code versions of stored trials, as status and merge list them. */
export function codeVersionsText(versions: readonly { codeHash: string; runs: readonly number[]; trials: number }[]): string {
  return versions.map((v) => `${v.codeHash.slice(0, 12)}: ${countOf(v.trials, 'trial')}, ${runsNamed(v.runs)}`).join('; ');
}

export function reportMixedCode(db: string, versions: readonly { codeHash: string; runs: readonly number[]; trials: number }[]): string {
  return (
    `Warning: the trials in ${db} were computed by ${versions.length} versions of the experiment's code (${codeVersionsText(versions)}), ` +
    `as a run resumed after the code changed; the report says so, and its numbers may mix the versions' results. To report one version, ` +
    `rerun the study with --fresh (every trial computed by the code as it is now), then report again.`
  );
}

/** Figures of a report whose drawn text has characters their font lacks (RenderPool.textOutsideFont). */
export function reportTextOutsideFont(
  font: string,
  figures: readonly { title: string | undefined; text: string; characters: readonly { char: string; code: string; instead: string | null }[] }[],
): string {
  const lines = figures.map(({ title, text, characters }) => {
    const named = characters.map(({ char, code }) => `"${char}" (${code})`);
    const instead = characters.filter((c) => c.instead !== null).map((c) => `"${c.instead}" for "${c.char}"`);
    return `  ${title === undefined ? 'a figure' : `"${title}"`}: ${showValue(text, 120)} has ${listInWords(named)}${instead.length ? `; ${font} has ${listInWords(instead)}` : ''}.`;
  });
  const one = figures.length === 1;
  return (
    `Warning: ${countOf(figures.length, 'figure')} of the report ${one ? 'has' : 'have'} text with characters ${font} lacks, written as drawn: ` +
    `such a character shows as a box in the PNG and the PDF, or as another font's letter where this machine has one (in the PDF, as a Type 3 or an extra font, which IEEE PDF eXpress and ACM may refuse).\n${lines.join('\n')}\n` +
    `Such text comes from the study (a model's or a scenario's name, an axis value) or from the experiment's report: write it in characters ${font} has, then write the report again.`
  );
}

export function mergeMixedCode(out: string, versions: readonly { codeHash: string; runs: readonly number[]; trials: number }[]): string {
  return (
    `Warning: the trials in ${out} were computed by ${versions.length} versions of the experiment's code (${codeVersionsText(versions)}): ` +
    `the shards ran different code. See "harness export ${shellQuote(out)} --table runs" for the runs' commits; rerun the shards of the other code with --fresh to have one version.`
  );
}

export function runMixedCodeReminder(db: string, other: { trials: number; runs: readonly number[] }): string {
  return `Note: ${db} now holds trials of more than one version of the experiment's code: ${countOf(other.trials, 'trial')} of other code (see the warning at the start, or "harness status ${shellQuote(db)}").`;
}

export function runNothingToDo(cells: number, db: string, shard: string | null): string {
  // Shards take every N-th simulation group, excluded or not: one may be dealt excluded ones only.
  if (cells === 0 && shard !== null) return `Nothing to do: shard ${shard} was dealt only simulation groups whose every cell the study excludes, so it has no trial to run. Its database ${db} is complete as it is.`;
  return `Nothing to do: all ${cells} trials are already in ${db}.`;
}

export function runStarting(study: string, todo: number, cells: number, done: number, threads: number, shard: string | null, db: string): string {
  const part = shard ? ` (shard ${shard})` : '';
  const resumed = done > 0 ? `; ${done} already done` : '';
  return `Running ${study}${part}: ${todo} of ${cells} trials on ${threads} thread${threads === 1 ? '' : 's'}${resumed} -> ${db}`;
}

/** `retry`: the command that retries the failed trials (without the --task-timeout they hit, where they hit it). */
export function runFinished(s: { ok: number; failed: number; seconds: number; rate: number; db: string; common: CommonFailure | null; retry: string }): string {
  const failed = s.failed ? `, ${s.failed} failed (${failedWith(s.db, s.failed, s.common)})` : '';
  return `Finished: ${countOf(s.ok, 'trial')} ok${failed} in ${s.seconds.toFixed(1)} s (${Math.round(s.rate)} trials/s) -> ${s.db}${s.failed ? `. ${retryAdvice(s.common, s.retry)}` : ''}`;
}

/** run --report, before its report: a stop then ends the process without a word. */
export function runWritingReport(dir: string, reportCommand: string): string {
  return `Writing the report to ${dir}. The trials are all stored: if the report is stopped, write it later with: ${reportCommand}`;
}

/** run --report stopped by a signal once its trials were all stored, before the report. */
export function runStoppedBeforeReport(signal: string, db: string, reportCommand: string): string {
  return `Stopped by ${signal} as the run ended: its trials are stored in ${db}; the report was not written. Write it with: ${reportCommand}`;
}

/** A command other than run, stopped by a signal; what it writes, it writes whole or not at all. */
export function runInterrupted(signal: string, saved: number, failed: number, cells: number, db: string, resume: string, common: CommonFailure | null): string {
  const failures = failed > 0 ? ` (and ${countOf(failed, 'failed trial')}, ${failedWith(db, failed, common)}, which a resume runs again)` : '';
  return `Interrupted by ${signal}: ${saved} of ${cells} trials are saved in ${db}${failures}; trials in flight were dropped. Resume with: ${resume}`;
}

export function runStoppedBeforeFresh(signal: string, db: string, fresh: string): string {
  return `Stopped by ${signal} while waiting for another host's run on ${db}: nothing was moved aside or written. To start over, run again: ${fresh}`;
}

/** A process that writes to no terminal (nohup, a log) was sent SIGHUP, and goes on. */
export function hangupIgnored(pid: number): string {
  return `SIGHUP ignored: this process writes to no terminal, so it has none to lose, and goes on (as under nohup). To stop it: kill ${pid} (a run stops cleanly and can be resumed).`;
}

/** `retry`: as for runFinished. */
export function runStoppedAtMaxFailures(failed: number, limit: number, retry: string, db: string, common: CommonFailure | null): string {
  return `Stopped: ${countOf(failed, 'trial')} failed (${failedWith(db, failed, common)}), reaching --max-failures ${limit}. ${retryAdvice(common, retry)}`;
}

export function runShardSource(source: string, shard: string): string {
  return `Shard ${shard} (from ${source}).`;
}

// ---- merge ---------------------------------------------------------------------------------

export function mergeNoInputs(): string {
  return 'merge: give the output database and at least one shard database, e.g. "harness merge results/paper.sqlite results/paper.shard-*.sqlite".';
}

export function mergeOutputIsInput(path: string): string {
  return `merge: the output ${path} is also listed as an input. Write the merge to a new file.`;
}

export function mergeOutUnusable(out: string, reason: string): string {
  return `merge: cannot write the merged database ${out}: ${reason}. Give an output path in a folder you may write, or make that folder writable, then rerun.`;
}

/** merge's output ends in "/" and no folder is there (an existing folder is dbIsDirectory). */
export function mergeOutNamesFolder(typed: string, example: string): string {
  return `merge: the output ${showValue(typed)} ${endsInSlash}, and the merged database is a file. ${fileInsideIt(`"harness merge ${shellQuote(example)} <shards>"`)}.`;
}

export function mergeInputTwice(path: string): string {
  return `merge: ${path} is listed twice. List each shard database once.`;
}

export function mergeOutputDiffers(path: string, diffs: readonly DifferenceLine[]): string {
  return `merge: the output ${path} already holds a different study setup:\n${differenceLines(diffs, `in ${path}`, 'in the shards')}\nMerge into a new file instead.`;
}

export function mergeMixedManifests(reference: string, others: readonly { path: string; diffs: readonly DifferenceLine[] }[]): string {
  const parts = others.map((o) => `${o.path} differs from ${reference}:\n${differenceLines(o.diffs, `in ${reference}`, `in ${o.path}`)}`);
  return `merge: the databases hold different study setups and cannot be combined.\n${parts.join('\n')}\nMerge only shards of one study run with the same settings.`;
}

export function mergeConflicts(count: number, examples: readonly { key: string; table: string; from: string }[]): string {
  const lines = examples.map((e) => `  - ${e.table} ${e.key} (in ${e.from})`).join('\n');
  return `merge: ${count} result${count === 1 ? '' : 's'} computed twice with different values; nothing was written. The same cell must give the same bytes, so one of the runs used different code or settings:\n${lines}\nRerun the affected shard (check "harness status" for its provenance), then merge again.`;
}

export function mergeSummary(s: { out: string; inputs: number; ok: number; failed: number; added: number; duplicates: number; cells: number }): string {
  return `Merged ${s.inputs} database${s.inputs === 1 ? '' : 's'} into ${s.out}: ${s.ok} of ${s.cells} trials ok, ${s.failed} failed (${s.added} rows added, ${s.duplicates} identical duplicates skipped).`;
}

/** `timedOut`: the shards some of whose failed trials hit the time limit --task-timeout set. */
export function mergeFailed(failed: number, byShard: readonly { shard: string; cells: number }[], rerun: (shard: string) => string, timedOut: readonly string[] = []): string {
  const one = failed === 1;
  const limit = timedOut.length
    ? ` Trials of shard${timedOut.length === 1 ? '' : 's'} ${timedOut.join(', ')} hit the time limit --task-timeout set: ${timedOut.length === 1 ? 'its command' : 'their commands'} below leave${timedOut.length === 1 ? 's' : ''} it out (give a larger one if you want one).`
    : '';
  const lines: string[] = [`${failed} trial${one ? '' : 's'} failed; the merge keeps ${one ? 'it as a result' : 'them as results'}, and rerunning a shard retries its failed trials.${limit}`];
  for (const s of byShard) lines.push(`  - shard ${s.shard}: ${s.cells} failed; rerun it with: ${rerun(s.shard)}`);
  // Inputs that are not the shards of one cut: each database's own run command retries them.
  if (byShard.length === 0) lines.push('  Rerun the "harness run" command that made each input with failed trials ("harness export <db> --table failures" lists them), then merge again.');
  return lines.join('\n');
}

/** Inputs that are not the shards of one cut: the study run into the output computes what it lacks. */
export function mergeFill(command: string): string {
  return `The inputs are not the shards of one cut, so no shard's run completes the output; the study run into it computes what it lacks: ${command}`;
}

/** After the shards to run again: the merge that then completes the output. */
export function mergeAgain(command: string): string {
  return `Then merge again: ${command}`;
}

/**
 * `notGiven`: missing shards whose databases are there, by the name the others have, but were not
 * among the inputs (shard -> path): the merge below adds them, and they are not to be run again.
 */
export function mergeMissing(missing: number, byShard: readonly { shard: string; cells: number }[], missingShards: readonly string[], rerun: (shard: string) => string, notGiven: ReadonlyMap<string, string> = new Map()): string {
  const lines: string[] = [`${missing} trial${missing === 1 ? ' is' : 's are'} missing.`];
  const absent = missingShards.filter((shard) => !notGiven.has(shard));
  if (absent.length) lines.push(`Shards with no database: ${absent.join(', ')}.`);
  if (notGiven.size) lines.push(`Shards not among the inputs, whose databases are there: ${[...notGiven].map(([shard, path]) => `${shard} (${path})`).join(', ')}; the merge below adds them.`);
  for (const s of byShard) if (!notGiven.has(s.shard)) lines.push(`  - shard ${s.shard}: ${s.cells} missing; rerun it with: ${rerun(s.shard)}`);
  return lines.join('\n');
}

// ---- reports and exports -------------------------------------------------------------------

export function reportNone(experiment: string): string {
  return `Experiment "${experiment}" defines no report(); nothing to write. Use "harness export" to get the results as CSV or JSON.`;
}

export function reportWritten(count: number, dir: string, entry?: string): string {
  return `Wrote ${count} report file${count === 1 ? '' : 's'} to ${dir}.${entry ? ` Open ${entry}` : ''}`;
}

export function reportExperimentMismatch(module: string, found: string, expected: string): string {
  return `${module} is experiment "${found}", but the database holds results of "${expected}". Give the right module with --experiment.`;
}

export function reportVersionMismatch(experiment: string, codeVersion: string, dataVersion: string): string {
  return `Note: experiment "${experiment}" is at version ${codeVersion}, the results were made by version ${dataVersion}; the report uses today's code on them.`;
}

export function reportHeapTight(trials: number, usedMb: number, limitMb: number, suggestedMb: number): string {
  return (
    `Note: the ${trials.toLocaleString('en-US')} trials read fill ${usedMb.toLocaleString('en-US')} MB of this process's ${limitMb.toLocaleString('en-US')} MB JavaScript heap, ` +
    `and the report needs more on top. If it stops with "JavaScript heap out of memory", run it again with a larger heap: ` +
    `NODE_OPTIONS=--max-old-space-size=${suggestedMb} (in MB; the machine needs that much free memory).`
  );
}

export function reportNoTrials(db: string, study: string, expected: number, next: string): string {
  return `${db} holds no finished trials yet (0 of the ${expected} of study ${study}; the run stopped before its first trial finished): a report needs at least one, so nothing was written. ${next}`;
}

export function reportEmptyShards(db: string, study: string, shards: readonly string[]): string {
  const one = shards.length === 1;
  return `${db} holds shard${one ? '' : 's'} ${shards.join(', ')} of study ${study}, finished, with no trials: the study's exclusions leave out every simulation group of ${one ? 'it' : 'them'}. Nothing was written. Merge the shards with "harness merge <merged.sqlite> <shard databases>" and report the merged database.`;
}

/** The most frequent error of failed trials, as the failure messages quote it. */
export interface CommonFailure {
  error: string;
  /** How many trials failed with it. */
  trials: number;
}

/** The failures in a few words, and where to read them all. */
function failedWith(db: string, failed: number, common: CommonFailure | null): string {
  if (common === null) return `see "harness export ${shellQuote(db)} --table failures"`;
  const which = common.trials === failed ? (failed === 1 ? '' : 'each ') : `${common.trials} of them `;
  const all = common.trials === failed ? '' : `; all of them: "harness export ${shellQuote(db)} --table failures"`;
  return `${which}with: ${showValue(common.error.replace(/\s+/g, ' ').trim() || 'no error recorded', 200)}${all}`;
}

/** A group stopped at the time limit --task-timeout set (isTimeLimitError recognises it). */
export function groupTimedOut(limitMs: number): string {
  return `timed out after ${limitMs} ms (--task-timeout); its worker was stopped`;
}

/**
 * The groups of a batch whose worker, under a time limit, did not load the experiment within its
 * grace: no group of it started, and a larger --task-timeout would not help (not a time-limit error).
 */
export function experimentLoadTimedOut(graceMs: number): string {
  return `its worker did not load the experiment within ${graceMs / 1000} s (the time a worker has for that under --task-timeout) and was stopped before this group started; make the experiment module's top level do less (do heavy work in runGroup), or run again when the machine is less busy`;
}

/** Whether a failed trial's error is the time limit --task-timeout set (as the pool words it). */
export function isTimeLimitError(error: string): boolean {
  return /\(--task-timeout\)/.test(error);
}

/** Whether the failures are trials stopped at the time limit --task-timeout set. */
export function hitTimeLimit(common: CommonFailure): boolean {
  return isTimeLimitError(common.error);
}

/**
 * What to do about failed trials: rerunning retries them; where the commonest failure is the
 * run's own time limit, the same command would fail them again, so the fix is a larger one.
 * `command` (one that retries them) ends the advice where the caller has it.
 */
function retryAdvice(common: CommonFailure | null, command?: string): string {
  const advice =
    common !== null && hitTimeLimit(common)
      ? 'They hit the time limit --task-timeout set: run the study again with a larger one (or none), which retries failed trials'
      : 'Fix the cause, then run the study again, which retries failed trials';
  return command === undefined ? `${advice}.` : `${advice}: ${command}`;
}

/** A database whose every trial failed: nothing to report. */
export function reportOnlyFailed(db: string, study: string, failed: number, common: CommonFailure, next: string): string {
  return (
    `${db} holds no successful trial of study ${study}: the ${countOf(failed, 'trial')} it holds failed (${failedWith(db, failed, common)}), so nothing was reported and nothing was written. ` +
    `${retryAdvice(common)} ${next}`
  );
}

/** A report that leaves failed trials out. */
export function reportFailedTrials(db: string, study: string, failed: number, recorded: number, common: CommonFailure, next: string): string {
  return (
    `Warning: ${failed} of the ${recorded} trials in ${db} failed (${failedWith(db, failed, common)}); this report of study ${study} leaves them out, so its figures, tables and verdicts may change once they succeed. ` +
    `${retryAdvice(common)} ${next}`
  );
}

/** `shards`: the shards a database holds when each of them is finished (only the other shards' trials are missing). */
export function reportPartial(db: string, study: string, done: number, expected: number, next: string, shards: readonly string[] = []): string {
  const holds = shards.length ? `shard${shards.length === 1 ? '' : 's'} ${shards.join(', ')} of the study, finished, and not the other shards` : 'an unfinished run';
  return (
    `Warning: this report covers ${done} of the ${expected} trials (${shareOf(done, expected)}) of study ${study}: ${db} holds ${holds}, ` +
    `so its figures, tables and verdicts are provisional and will change. ${next}`
  );
}

/** The way to the missing trials (the end of reportNoTrials and reportPartial). */
export const reportNext = {
  resume: (command: string) => `Complete the run with: ${command}; then report again.`,
  running: (db: string) => `A run is writing it now ("harness status ${shellQuote(db)}" shows how far it is); report again when it has finished.`,
  shards: (shards: readonly string[], command: string) =>
    `It holds shard${shards.length === 1 ? '' : 's'} ${shards.join(', ')} of the study: complete ${shards.length === 1 ? 'it' : 'them'} (${command}) and the other shards, merge them with "harness merge <merged.sqlite> <shard databases>", then report the merged database.`,
  /** The shards whose runs recorded the failed trials, each with the command that runs it again. */
  retryShards: (shards: readonly { shard: string; command: string }[]) =>
    `The failed trials are in shard${shards.length === 1 ? '' : 's'} ${shards.map((s) => s.shard).join(', ')}: run ${shards.length === 1 ? 'it' : 'them'} again (${shards.map((s) => s.command).join('; ')}), which retries them, then merge the shards again with "harness merge <merged.sqlite> <shard databases>" and report the merged database.`,
  /** Every shard the database holds is finished: the other shards are what is missing. */
  otherShards: () => `Run the other shards, merge them with "harness merge <merged.sqlite> <shard databases>", then report the merged database.`,
};

/**
 * The report folder cannot be written. `out` is the --out value as typed, or null for the
 * default folder (then the fix is --out).
 */
export function reportFolderUnusable(out: string | null, dir: string, problem: string, written = false): string {
  const fix =
    out === null
      ? `Write it elsewhere with --out DIR, or fix ${dir} (free space, permissions, a file in the way)`
      : 'Give --out another folder (one you may write to; it is created when missing), or fix this one (free space, permissions, a file in the way)';
  const state = written ? 'Some files were written, the folder is not a complete report' : 'Nothing was written';
  return `${reportFolderSubject(out, dir)}: ${problem}. ${state}. ${fix}, then run the same command again.`;
}

function reportFolderSubject(out: string | null, dir: string): string {
  return out === null ? `Cannot write the report into ${dir} (the default report folder)` : `--out: cannot write the report into ${showValue(out)}${dir === out ? '' : ` (${dir})`}`;
}

/**
 * A file of the report goes where a file stands that no earlier report wrote there, or one its
 * user changed since: the harness does not write over it. `path` as shown.
 */
export function reportFileTaken(out: string | null, dir: string, file: string, path: string): string {
  return (
    `${reportFolderSubject(out, dir)}: report() returns the file ${JSON.stringify(file)}, and ${path} is a file that no earlier report wrote there (or one changed since); ` +
    `the harness writes only over its earlier reports' files, unchanged. ${takenFix(out, path)}`
  );
}

/** How to clear a report's way of `blocker` (as shown), which is not the harness's to remove. */
function takenFix(out: string | null, blocker: string): string {
  const elsewhere = out === null ? 'write the report elsewhere with --out DIR' : 'give --out another folder';
  return `Nothing was written. Move ${blocker} away, or ${elsewhere}, then run the same command again.`;
}

/**
 * A file of the report goes where something stands that no earlier report wrote, so the harness
 * may not remove it: `blocker`, a folder where the file goes (holding `foreign`), or a file where
 * one of its folders goes (`foreign` null: the blocker itself). Paths as shown.
 */
export function reportPathTaken(out: string | null, dir: string, file: string, blocker: string, foreign: string | null): string {
  const taken =
    foreign === null
      ? `report() returns the file ${JSON.stringify(file)}, and ${blocker}, where its folder goes, is a file that no earlier report wrote (or one changed since)`
      : `report() returns the file ${JSON.stringify(file)}, and ${blocker} is a folder there holding ${foreign}, which no earlier report wrote (or which was changed since)`;
  return `${reportFolderSubject(out, dir)}: ${taken}; the harness removes only its earlier reports' files, unchanged. ${takenFix(out, foreign ?? blocker)}`;
}

/**
 * Files of the report go where files stand that no earlier report wrote: `blockers` (two or more),
 * as shown, each what must move (a file of the user's at a file's path or a folder's, or in a folder
 * where a file goes).
 */
export function reportPathsTaken(out: string | null, dir: string, blockers: readonly string[]): string {
  return (
    `${reportFolderSubject(out, dir)}: ${blockers.length} files that no earlier report wrote (or that were changed since) stand where the report's files go: ` +
    `${showList(blockers, 10)}; the harness writes only over its earlier reports' files, unchanged. ${takenFix(out, 'them')}`
  );
}

const fileSystemReasons: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder is in the way of a file',
  EEXIST: 'a file is in the way of a folder',
  ENOTEMPTY: 'the folder is not empty',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'input/output error',
  ENOENT: 'no such file or folder',
};

/** A file system error code in words, with the code: "permission denied (EACCES)". */
export function fileSystemReason(code: string): string {
  const words = fileSystemReasons[code];
  return words ? `${words} (${code})` : code;
}

/** Why a folder cannot take a command's output (the `problem` of reportFolderUnusable and the cluster's outUnusable). */
export const folderProblem = {
  isFile: (path: string) => `${path} is a file, not a folder`,
  insideFile: (file: string) => `${file} is a file, so no folder can be created inside it`,
  notWritable: (folder: string, code: string) => `${folder} may not be written: ${fileSystemReason(code)}`,
  failed: (action: 'creating' | 'writing', path: string, code: string) => `${action} ${path} failed: ${fileSystemReason(code)}`,
  /** Any FolderProblem, its paths shown by `show`. */
  of: (problem: FolderProblem, show: (path: string) => string): string => {
    if (problem.kind === 'is-file') return folderProblem.isFile(show(problem.path));
    if (problem.kind === 'inside-file') return folderProblem.insideFile(show(problem.file));
    return folderProblem.notWritable(show(problem.folder), problem.code);
  },
};

// ---- render --------------------------------------------------------------------------------

export function renderSpecMissing(file: string): string {
  return `${file}: no such file. Give Vega-Lite spec files, such as a report's figures/<name>.vl.json.`;
}

export function renderSpecNotJson(file: string, reason: string): string {
  return `${file}: not JSON (${reason.replace(/\.$/, '')}). A Vega-Lite spec is a JSON file, such as a report's figures/<name>.vl.json; check the edit for a missing comma or quote.`;
}

export function renderSpecInvalid(file: string, problem: { path: string; rule: string; received: unknown; fix?: string }): string {
  const where = problem.path === '' ? 'the spec' : problem.path;
  return `${file}: ${where} ${problem.rule}; received ${showValue(problem.received, 120)}. ${problem.fix ?? "Fix it in the file (Vega-Lite's documentation lists each property's values), or start again from the report's spec."}`;
}

export function renderSpecIsFolder(folder: string): string {
  return `${folder} is a folder; render draws spec files. Give them by name, e.g. ${folder.replace(/\/$/, '')}/*.vl.json.`;
}

export function renderNoneWritten(specs: number): string {
  return `Nothing was written: render writes the drawings of all ${specs} specs given, or none.`;
}

export function renderSpecTwice(file: string): string {
  return `${file} is given twice. Give each spec once.`;
}

/** `name`: the drawings' name both specs give (render.ts figureName). */
export function renderSameName(first: string, second: string, dir: string, name: string): string {
  return `${first} and ${second} would both be drawn as ${name}.svg, .png and .pdf in ${dir}. Render them into different folders (--out), or rename one.`;
}

export function renderFolderUnusable(dir: string, reason: string): string {
  return `Cannot write the drawings into ${dir}: ${reason}. Give another folder with --out.`;
}

/**
 * A field a spec names that no row of its data has (render/spec-fields.ts): what it is, where,
 * and the name it was likely meant to be. `listed`: the data's names, some of them where many.
 */
export function fieldInNoRow(field: string, path: string, close: string | undefined, listed: string): string {
  return `the field ${JSON.stringify(field)} (${path}) is in no row of its data and made by no transform, so Vega would draw it as nothing${close ? `; did you mean ${JSON.stringify(close)}?` : ''} The data's fields: ${listed}`;
}

/** A figure the harness's own check of its spec refused before drawing; `reason` names what is wrong and how to mend it. */
export function figureRefused(file: string, reason: string): string {
  return `${file}: not drawn, since ${reason.replace(/\.$/, '')}.`;
}

/** How a drawing thread's reason for refusing a spec that warns begins (render/vega.ts warnedReason). */
export const WARNED = 'it warns: ';

export function renderFailed(file: string, reason: string): string {
  // A canvas past Skia's limit: the figure's size in pixels, which a lower --dpi or a smaller spec brings down.
  if (/canvas has no pixels/i.test(reason)) return `${file}: too large to draw at this resolution (${reason.replace(/\.$/, '')}). Give a lower --dpi, or a smaller width and height in the spec.`;
  // This machine's setup, not the spec (harness/render/fonts.ts says how to fix it).
  if (/^font file .* not found/.test(reason)) return `Cannot draw ${file}: ${reason.replace(/\.$/, '')}.`;
  const warned = reason.startsWith(WARNED) ? [reason, reason.slice(WARNED.length)] : null;
  if (warned) {
    const warning = warned[1]!.replace(/\.$/, '');
    // Vega-Lite keeps the first layer's value and ignores the others.
    const scale = /^Conflicting scale property "([^"]+)"/.exec(warning);
    const fix = scale
      ? `A scale shared by layers takes its "${scale[1]}" from the first layer that sets it: set it alike in every layer that sets it (search the file for "${scale[1]}").`
      : /^Infinite extent for field "([^"]+)"/.test(warning)
        ? 'No row of its data has that field: check the name against the fields of the data (data.values or datasets).'
        : 'Fix the file.';
    // A paint that is no colour comes from the harness's own look at the scene, not Vega's.
    const who = warning.includes(NOT_A_COLOUR) ? 'a paint in it is no colour' : 'Vega-Lite or Vega warns of it';
    return `${file}: not drawn, since ${who}, and it would be drawn other than it asks: ${warning}. ${fix}`;
  }
  return `${file}: Vega could not draw it: ${reason.replace(/\.$/, '')}. The spec passes Vega-Lite's schema, so the problem is in what it asks for (an expression that fails, a field its data lack): fix the file.`;
}

export function renderSpecUtf16(file: string): string {
  return `${file}: saved as UTF-16, and a JSON file is UTF-8. Save it as UTF-8 from your editor.`;
}

export function renderWritten(specs: number, files: readonly string[]): string {
  return `Drew ${countOf(specs, 'figure')}: ${files.join(', ')}`;
}

/** The report folder given is a file (its path is already in reportFolderUnusable's head). */
export function reportFolderIsFile(): string {
  return 'it is an existing file, not a folder';
}

export function reportRemovedStale(count: number, dir: string): string {
  return `Removed ${count} file${count === 1 ? '' : 's'} that an earlier report wrote into ${dir} and this one does not (files you put there yourself stay).`;
}

/** report() found the stored results other than its experiment's runs write (`reason`, see StoredResultsError). */
export function reportStoredResults(db: string, experiment: string, reason: string): string {
  return (
    `${db} holds results that experiment ${experiment}'s runs do not write: ${reason.replace(/\.$/, '')}. ` +
    'The database was changed after its runs (by another program, or by hand?), or holds another experiment\'s study. ' +
    'No report file was written. Restore the database from a copy, or run the study again into a new one.'
  );
}

/** `harnessFrames` marks the stack lines of the harness's own code, which say nothing about report()'s failure. */
export function reportThrew(experiment: string, module: string, error: string, stack: string | null, harnessFrames: (line: string) => boolean): string {
  const frames = stack ? stack.split('\n').filter((line) => /^\s+at /.test(line) && !harnessFrames(line)).slice(0, 8).join('\n') : '';
  return (
    `report() of experiment ${experiment} (${module}) failed: ${error}${frames ? `\n${frames}` : ''}\n` +
    `The results database is untouched and no report file was written. Fix report() and run the report again.`
  );
}

/**
 * What report() returned cannot be written: `what` it returned, the `rule` that refuses it and
 * the fix. `module` is the experiment's module, as shown.
 */
function reportReturned(experiment: string, module: string, what: string, rule: string, fix: string): string {
  return `report() of experiment ${experiment} (${module}) returned ${what}; ${rule}. No report file was written. ${fix}`;
}

export function reportBadFiles(experiment: string, module: string, problem: string): string {
  return reportReturned(experiment, module, problem, 'it must return an array of files, each { path: string, content: string or Uint8Array }', 'Fix report() and run the report again.');
}

export function reportBadPath(experiment: string, module: string, path: string): string {
  return reportReturned(
    experiment,
    module,
    `the file path ${JSON.stringify(path)}`,
    'a path must be relative to the report folder, in forward slashes, with no empty, "." or ".." part',
    'Give it as "tables/summary.md", not "./summary.md", "/tmp/summary.md" or "tables/", and run the report again.',
  );
}

export function reportPathTwice(experiment: string, module: string, path: string): string {
  return reportReturned(
    experiment,
    module,
    `the file path ${JSON.stringify(path)} twice`,
    'each file must have a path of its own, since a second file of one path would replace the first',
    'Return each path once (join the two contents, or give one file another path), and run the report again.',
  );
}

/** report() returned the file `file` and the file `inside`, which lies in a folder of that name. */
export function reportPathFileAndFolder(experiment: string, module: string, file: string, inside: string): string {
  return reportReturned(
    experiment,
    module,
    `the file paths ${JSON.stringify(file)} and ${JSON.stringify(inside)}`,
    `a path may not be both a file and a folder of other files, and the second puts ${JSON.stringify(file)} as a folder`,
    'Give one of them another path, and run the report again.',
  );
}

/** An export of a study's results that lacks some of them. */
export function exportIncomplete(db: string, ok: number, failed: number, expected: number, running: boolean): string {
  const failures = failed > 0 ? `; its ${countOf(failed, 'failed trial')} ${failed === 1 ? 'is a row' : 'are rows'} with status "failed" and no results` : '';
  const more = running ? ', and a run is writing more now' : '';
  return `warning: ${db} holds ${ok} successful trials of the study's ${expected} (${shareOf(ok, expected)})${more}, so this export is of an incomplete study${failures}. "harness status ${shellQuote(db)}" says what is missing.`;
}
/** An --out whose name says a file export does not write (compressed, tab-separated, a spreadsheet...). */
export function exportOutNamedOtherwise(out: string, ext: string, is: string, plain: string, piped?: string): string {
  const fix = piped ? `Write ${showValue(plain)} and compress it, or pipe the rows: ${piped}` : 'Name it .csv or .json, and convert it from there.';
  return optionInvalid('out', `names ${is} (${ext}), and export writes plain CSV or JSON, which a reader going by the name would misread`, out, fix);
}

/** A --format that --out's name contradicts. */
export function exportFormatNotNamed(format: string, out: string, named: string): string {
  return optionInvalid('format', `is ${format}, but --out ${showValue(out)} is named for ${named}`, format, `Give --format ${named}, or an --out that ends in .${format}; without --format, --out's name chooses.`);
}

export function exportWritten(rows: number, table: string, out: string): string {
  return `Wrote ${countOf(rows, 'row')} of ${table} to ${out}.`;
}

/** Why the export could not be written to --out (`out` as typed, `path` as shown to the user). */
export type ExportOutProblem =
  | { kind: 'no-folder'; folder: string }
  | { kind: 'not-a-folder'; blocker: string }
  | { kind: 'is-folder'; example: string }
  | { kind: 'names-folder'; example: string }
  | { kind: 'not-writable'; folder: string; code: string }
  | { kind: 'read-only-file'; code: string }
  | { kind: 'disk-full'; code: string }
  | { kind: 'other'; reason: string };

export function exportOutFailed(out: string, path: string, problem: ExportOutProblem): string {
  const head = `--out: cannot write the export to ${path}`;
  const received = `; received ${showValue(out)}.`;
  const unchanged = 'Nothing was written';
  switch (problem.kind) {
    case 'no-folder':
      return `${head}: the folder ${problem.folder} does not exist${received} Create it first (mkdir -p ${problem.folder}), or give a file in an existing folder.`;
    case 'not-a-folder':
      return `${head}: ${problem.blocker} is a file, not a folder${received} Give a file in an existing folder.`;
    case 'is-folder':
      return `${head}: it is a folder, and --out names the file to write${received} Give a file name inside it, e.g. --out ${problem.example}.`;
    case 'names-folder':
      return `${head}: it ${endsInSlash}, and --out names the file to write${received} ${fileInsideIt(`--out ${problem.example}`)}.`;
    case 'not-writable': {
      const why = problem.code === 'EROFS' ? 'is on a read-only file system' : 'is not writable (permission denied)';
      return `${head}: the folder ${problem.folder} ${why} (${problem.code})${received} Write it elsewhere with --out, or make the folder writable.`;
    }
    case 'read-only-file':
      return `${head}: the file there may not be written (${problem.code}: read-only, or another user's)${received} ${unchanged} (it is unchanged); make it writable (chmod u+w ${path}), or write elsewhere with --out.`;
    case 'disk-full':
      return `${head}: the disk is full (${problem.code})${received} ${unchanged} (an existing file there is unchanged); free space or write elsewhere with --out, then rerun the same command.`;
    case 'other':
      return `${head}: ${problem.reason}${received} ${unchanged} (an existing file there is unchanged); give another path with --out.`;
  }
}

export function exportOutIsDatabase(out: string, db: string): string {
  return `--out: must not be the database being exported (${db}) or its -wal, -shm or -journal file, which the export would overwrite; received ${showValue(out)}. Give a new file, e.g. --out trials.csv.`;
}

export function exportOutIsOtherDatabase(out: string, example: string): string {
  return `--out: must not be an SQLite database, which the export would overwrite with ${example.split('.').pop()!.toUpperCase()}; received ${showValue(out)}, an existing one. Give a new file, e.g. --out ${example}, or delete that database first if it is no longer needed.`;
}

export function optionEmpty(option: string): string {
  return optionInvalid(option, 'needs a value', '', `Give --${option} a value, or leave it out for its default (see --help).`);
}

/** `--db -`: a lone dash, standard input or output, where a path is needed. */
export function optionDash(option: string): string {
  return optionInvalid(option, 'names a file or folder, and - (standard input or output) cannot be one', '-', `Give a path (./- for one named "-"), or leave out --${option} for its default.`);
}

export function argumentAsOption(name: string, usage: string, command: string): string {
  return `--${name}: ${command} takes <${name}> as an argument, not as an option. Write: harness ${usage}. See "harness ${command} --help".`;
}

export function argumentEmpty(name: string, command: string): string {
  return `<${name}>: needs a value; received "". See harness ${command} --help.`;
}

export function statusDatabaseUnreadable(path: string, reason: string): string {
  return `Cannot read the database ${path}: ${reason}. Check that it is a complete results database (not a partial copy), or move it out of the folder.`;
}

/**
 * `exists`: whether the folder is there at all (the default results/ is not, where no study has
 * run from `where`); `harness`: how to call the harness there (harnessCall).
 */
export function statusNoDatabases(dir: string, exists: boolean, where: string, harness = 'harness'): string {
  const what = exists ? `No results databases in ${dir}` : `No ${dir} folder in ${where}: no study has been run from here`;
  return `${what}. Run "${harness} run <study>" to make one, or name a database or a folder of them: "${harness} status <db>".`;
}

/**
 * A folder's databases hold some shards of a study's cut, not all: which are missing, how to run
 * them, and the merge. `mergeCommand`: the merge command's arguments (a target and the shards'
 * files).
 */
export function statusShardsMissing(study: string, count: number, missing: readonly { shard: string; command: string }[], dir: string, mergeCommand: string): string {
  const which = missing.length === 1 ? `shard ${missing[0]!.shard} has` : `shards ${missing.map((m) => m.shard).join(', ')} have`;
  return [
    `Study ${study} is cut into ${count} shards, and ${which} no database in ${dir}. Run ${missing.length === 1 ? 'it' : 'them'}:`,
    ...missing.map((m) => `  ${m.command}`),
    `then merge all ${count}: ${mergeCommand}`,
  ].join('\n');
}

export function statusShardSetupsMixed(study: string, setups: readonly (readonly string[])[]): string {
  return [
    `The shards of study ${study} here come from ${setups.length} setups of it (its seeds, params or axes differ), which cannot be merged together:`,
    ...setups.map((dbs, i) => `  ${i + 1}. ${dbs.join(', ')}`),
    `Move each setup's shards into a folder of their own; status there names what each lacks (and "harness merge" lists what differs).`,
  ].join('\n');
}

export function statusShardPathTaken(study: string, paths: readonly string[]): string {
  const one = paths.length === 1;
  return `${paths.join(', ')}: named as ${one ? 'a shard' : 'shards'} of study ${study} that no database here holds, but ${one ? 'it holds' : 'they hold'} other results. Move ${one ? 'it' : 'them'} aside, then run "harness status" on this folder again for the commands that run the missing shards.`;
}

/** SQLite files of a folder that status lists only by the name `*.sqlite`. */
export function statusOtherSqliteFiles(files: readonly string[]): string {
  const first = files[0] ?? '';
  const what = files.length === 1 ? 'an SQLite file' : 'SQLite files';
  return `${files.join(', ')}: ${what} not named *.sqlite, which status does not look into in a folder. Name one to see its status: "harness status ${shellQuote(first)}".`;
}
