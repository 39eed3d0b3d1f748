/**
 * Turning what an experiment's `runGroup` returned into protocol outcomes: values in column
 * order, types checked against the declared columns, cells it forgot marked failed. Runs in the
 * worker so the single writer only binds ready rows.
 */
import type { ColumnDef, Experiment, GroupOutput, GroupTask, Json, Scalar } from '../experiment.js';
import { errorMessage } from '../errors.js';
import { canonicalJson, NotJsonError } from '../identity.js';
import { nearest, showList, showValue } from '../text.js';
import type { GroupOutcome, TrialOutcome } from './protocol.js';

class OutputError extends Error {}

/** The rule a group's trials break when a cell has none, two, or one of another key. */
const oneTrialPerCell = 'return one entry of "trials" for each cell of task.cells, with "key" set to that cell\'s key';

/** What a column of each type stores, as a message says it. */
const COLUMN_TAKES: Record<ColumnDef['type'], string> = {
  INTEGER: 'a whole number (a safe integer)',
  REAL: 'a finite number',
  TEXT: 'a string',
};

function checkScalar(column: ColumnDef, value: unknown): Scalar {
  if (value === undefined || value === null) return null;
  const fits =
    column.type === 'TEXT'
      ? typeof value === 'string'
      : column.type === 'INTEGER'
        ? Number.isSafeInteger(value)
        : typeof value === 'number' && Number.isFinite(value);
  if (!fits) {
    const nonFinite = typeof value === 'number' && !Number.isFinite(value);
    throw new OutputError(
      `column "${column.name}" (${column.type}) got ${showValue(value)}` +
        (nonFinite ? '; store null for "no value"' : `; ${column.type} takes ${COLUMN_TAKES[column.type]} (or null for "no value"): convert the value, or declare the column with the type it holds`),
    );
  }
  return value as Scalar;
}

function rowOf(columns: readonly ColumnDef[], columnsField: 'trialColumns' | 'curveColumns', record: Record<string, unknown>, what: string): Scalar[] {
  for (const name of Object.keys(record)) {
    if (!columns.some((c) => c.name === name)) {
      const names = columns.map((c) => c.name);
      const close = nearest(name, names);
      throw new OutputError(
        `${what} has unknown column "${name}"${close ? ` (did you mean "${close}"?)` : ''}; ${names.length ? `the experiment's ${columnsField} are ${showList(names.map((n) => JSON.stringify(n)))}` : `the experiment declares no ${columnsField}`}. Rename it, or declare it there`,
      );
    }
    // Left out, a column is NULL; named with nothing in it, it is more likely a value gone missing.
    if (record[name] === undefined) throw new OutputError(`column "${name}" got undefined; store null for "no value"`);
  }
  return columns.map((c) => checkScalar(c, record[c.name]));
}

function diagnosticsText(diagnostics: unknown): string {
  try {
    return canonicalJson(diagnostics as Json);
  } catch (thrown) {
    if (!(thrown instanceof NotJsonError)) throw thrown;
    throw new OutputError(`diagnostics: ${thrown.at ? `${thrown.at}: ` : ''}${thrown.reason}`);
  }
}

export function normalizeOutput(exp: Experiment, task: GroupTask, output: GroupOutput, durationMs: number): GroupOutcome {
  const base = { groupKey: task.groupKey, durationMs };
  try {
    if (!output || !Array.isArray(output.trials) || !Array.isArray(output.curve)) {
      throw new OutputError('runGroup must return { groupKey, trials: [...], curve: [...] }');
    }
    const wanted = new Set(task.cells.map((c) => c.key));
    const byKey = new Map<string, GroupOutput['trials'][number]>();
    for (const trial of output.trials) {
      if (!wanted.has(trial?.key)) throw new OutputError(`runGroup returned a result for key ${showValue(trial?.key)}, which is not in the task: ${oneTrialPerCell}`);
      if (byKey.has(trial.key)) throw new OutputError(`runGroup returned two results for key ${trial.key}: ${oneTrialPerCell}`);
      byKey.set(trial.key, trial);
    }
    const curve = output.curve.map((row, i) => rowOf(exp.curveColumns, 'curveColumns', row, `curve row ${i}`));
    const trials = task.cells.map((cell): TrialOutcome => {
      const trial = byKey.get(cell.key);
      if (!trial) return { ok: false, message: `runGroup returned no result for this cell: ${oneTrialPerCell}` };
      try {
        const values = rowOf(exp.trialColumns, 'trialColumns', trial.result ?? {}, 'the result');
        const diagnostics = trial.diagnostics === undefined ? null : diagnosticsText(trial.diagnostics);
        return { ok: true, values, diagnostics };
      } catch (thrown) {
        return { ok: false, message: `invalid result: ${errorMessage(thrown)}` };
      }
    });
    return { kind: 'ok', ...base, trials, curve };
  } catch (thrown) {
    if (!(thrown instanceof OutputError)) throw thrown;
    return { kind: 'failed', ...base, message: `invalid output: ${thrown.message}`, stack: null };
  }
}
