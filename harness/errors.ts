/**
 * Errors the harness raises on purpose.
 *
 * `InputError` is a problem with what the user gave: a study file, a command-line option, a
 * database. Its message is complete and meant to be printed as is (from harness/messages.ts);
 * the CLI turns it into exit code 2 without a stack trace.
 */
export class InputError extends Error {
  override name = 'InputError';
}

/** A database whose every trial failed: a report would have nothing to show. */
export class OnlyFailedTrialsError extends InputError {}

/** A database that holds no study yet (created, nothing sealed): what a shard's task leaves at its very start. */
export class NoStudyError extends InputError {}

/**
 * Thrown by an experiment's report() when the stored results are not what the experiment's runs
 * write (trials whose simulation has no curve, a cell without the experiment's axes): the
 * database is at fault, not report(). `harness report` names the database in the message and
 * exits as for bad input; the message says what is wrong, not where the database is.
 */
export class StoredResultsError extends Error {
  override name = 'StoredResultsError';
}

/**
 * The message of anything thrown, without assuming it is an Error: a plain object thrown (as
 * `throw { code: 42 }`) shows as its JSON, not as "[object Object]".
 */
export function errorMessage(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'object' && thrown !== null && Object.prototype.toString === (thrown as object).toString) {
    try {
      const json = JSON.stringify(thrown);
      if (json !== undefined) return `thrown ${json}`;
    } catch {
      // Not JSON (a cycle, a BigInt): its text below.
    }
  }
  return String(thrown);
}

export function errorStack(thrown: unknown): string | null {
  return thrown instanceof Error && thrown.stack ? thrown.stack : null;
}
