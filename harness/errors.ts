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

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}

export function errorStack(thrown: unknown): string | null {
  return thrown instanceof Error && thrown.stack ? thrown.stack : null;
}
