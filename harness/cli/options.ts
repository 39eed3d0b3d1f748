/**
 * Every command-line option in one typed table (yargs reads its declarations from here), and
 * the parsers that turn option text into checked values with messages from the catalogue.
 * Numbers are declared as strings so that a bad value is reported by us, by name, instead of
 * silently becoming NaN.
 */
import { InputError } from '../errors.js';
import * as msg from '../messages.js';
import { DEFAULT_PNG_DPI, PNG_DPI_RANGE } from '../render/png.js';
import { exportFormats, exportTables } from '../store/export.js';

interface OptionSpec {
  type: 'string' | 'boolean';
  describe: string;
  choices?: readonly string[];
  default?: string | boolean;
}

/** Where --shard comes from when not given (harness/cluster). */
export const SHARD_FROM_ENVIRONMENT = 'Also taken from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX';

export const optionTable = {
  set: { type: 'string', describe: 'Override a study field: path=value (repeatable). A comma list on a parameter adds a sweep (sim.M=300,1000); axes.NAME=a,b replaces an axis' },
  threads: { type: 'string', describe: 'Worker threads [default: available cores]' },
  db: { type: 'string', describe: 'Results database [default: results/<study>.sqlite, or results/<study>.shard-i-of-N.sqlite]' },
  fresh: { type: 'boolean', describe: 'Start a new database; an existing one is moved aside under a timestamped name' },
  'same-code': { type: 'boolean', describe: 'Refuse to resume a database whose trials other code of the experiment computed (an unattended resume after the code changed), instead of warning and mixing them' },
  shard: { type: 'string', describe: `Run slice i/N of the grid (0-based). ${SHARD_FROM_ENVIRONMENT}` },
  'shard-count': { type: 'string', describe: 'Shard count for JOB_COMPLETION_INDEX (else JOB_COMPLETION_COUNT), and for a Slurm array that is not the whole range 0..N-1 (a rerun of one task)' },
  'task-timeout': { type: 'string', describe: 'Seconds one simulation may run; then its trials fail and the run goes on' },
  'max-failures': { type: 'string', describe: 'Stop once at least this many trials have failed (the trials of one simulation fail together)' },
  'worker-memory': { type: 'string', describe: 'Heap limit of each worker thread in MB, at least 32; a worker over it dies and its trials fail, the run goes on [default: Node\'s]' },
  json: { type: 'boolean', describe: 'Print machine-readable JSON on stdout' },
  report: { type: 'boolean', describe: 'Write the report when the run finishes' },
  out: { type: 'string', describe: 'Output path' },
  format: { type: 'string', describe: 'Output format [default: json for an --out ending in .json, else csv]', choices: exportFormats },
  table: { type: 'string', describe: 'Which table (columns: what each column of trials and curves holds, with its unit)', choices: exportTables, default: 'trials' },
  'results-only': { type: 'boolean', describe: 'With --table trials or curves: leave out the columns that say how trials were run (duration_ms, run_id), so that exports of the same results are byte-identical whatever the threads, shards or resumes' },
  shards: { type: 'string', describe: 'Show how the grid splits over this many shards' },
  pilot: { type: 'string', describe: 'Groups to time for the estimate, after a warm-up (0: no estimate)' },
  experiment: { type: 'string', describe: 'Experiment to use instead of the one recorded in the database: its name, its module\'s path, or its folder\'s' },
  dpi: { type: 'string', describe: `PNG resolution of the figures in dots per inch, ${PNG_DPI_RANGE.min} to ${PNG_DPI_RANGE.max}; journals often ask for 300 or 600 (PDF and SVG are vector) [default: ${DEFAULT_PNG_DPI}]` },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof optionTable;

export function options<N extends OptionName>(...names: N[]): Pick<typeof optionTable, N> {
  return Object.fromEntries(names.map((n) => [n, optionTable[n]])) as Pick<typeof optionTable, N>;
}

/** --pilot as one command declares it, with that command's default in its help. */
export function pilotOption(groups: number): { pilot: OptionSpec } {
  return { pilot: { ...optionTable.pilot, describe: `${optionTable.pilot.describe} [default: ${groups}]` } };
}

function single(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new InputError(msg.optionInvalid(option, 'may be given once', value, `Keep one --${option}.`));
  return String(value);
}

/** A whole number >= min, or undefined when the option is absent. */
export function wholeNumber(option: string, value: unknown, min: number): number | undefined {
  const text = single(option, value);
  if (text === undefined) return undefined;
  const n = Number(text);
  const example = `Example: --${option} ${Math.max(min, 2)}.`;
  if (!/^\s*\d+\s*$/.test(text) || n < min) throw new InputError(msg.optionInvalid(option, `must be a whole number of at least ${min}`, text, example));
  // Digits past this are not kept exactly: the number read would not be the one typed.
  if (!Number.isSafeInteger(n)) throw new InputError(msg.optionInvalid(option, `must be at most ${Number.MAX_SAFE_INTEGER}`, text, example));
  return n;
}

/** --dpi: a whole number of dots per inch in PNG_DPI_RANGE, or undefined when absent. */
export function dpi(value: unknown): number | undefined {
  const text = single('dpi', value);
  if (text === undefined) return undefined;
  const n = Number(text);
  const { min, max } = PNG_DPI_RANGE;
  if (!/^\s*\d+\s*$/.test(text) || n < min || n > max) {
    throw new InputError(msg.optionInvalid('dpi', `must be a whole number of dots per inch from ${min} to ${max}`, text, `Example: --dpi 300. Above ${max}, use the PDF or SVG, which are vector.`));
  }
  return n;
}

/**
 * The longest delay Node's timers keep (2^31 - 1 ms, about 24.8 days); a longer one fires at
 * once, so a timeout above it would fail every task.
 */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Seconds from a millisecond to MAX_TIMER_SECONDS, returned as whole milliseconds (at least 1). */
export function seconds(option: string, value: unknown): number | undefined {
  const text = single(option, value);
  if (text === undefined) return undefined;
  const n = Number(text);
  // A number too large to hold reads as Infinity, and one too small as 0: each is refused below
  // by the rule it breaks (at most MAX_TIMER_SECONDS, at least a millisecond), not as if not above 0.
  const underflow = n === 0 && /[1-9]/.test(text.split(/e/i)[0]!);
  if (text.trim() === '' || Number.isNaN(n) || n < 0 || (n === 0 && !underflow)) {
    throw new InputError(msg.optionInvalid(option, 'must be a number of seconds greater than 0', text, `Example: --${option} 60.`));
  }
  // Timers count whole milliseconds, and a limit of 0 would be none at all.
  if (n < 0.001) {
    throw new InputError(msg.optionInvalid(option, 'must be at least 0.001 seconds (timers count milliseconds)', text, `Example: --${option} 60.`));
  }
  if (n > MAX_TIMER_SECONDS) {
    throw new InputError(msg.optionInvalid(option, `must be at most ${MAX_TIMER_SECONDS} seconds (24 days)`, text, `Leave --${option} out for no limit.`));
  }
  return Math.round(n * 1000);
}

export function text(option: string, value: unknown): string | undefined {
  return single(option, value);
}

/** A repeatable option as a list. */
export function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
