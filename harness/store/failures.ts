/**
 * SQLite failures as errors a user can act on. A write that fails (disk full, read-only folder,
 * I/O error) becomes a `WriteError`: everything committed before is safe, and rerunning the
 * same command resumes. A lock that another program holds past the busy timeout becomes an
 * InputError that says so. Damage found in the file passes unchanged, to be named as such, and so
 * does anything that is not an SQLite error (a bug).
 */
import { InputError, errorMessage } from '../errors.js';
import { errnoCode } from '../folders.js';
import * as msg from '../messages.js';
import { isDamageReport } from './damage.js';
import { busyTimeoutMs } from './store.js';

/** A failed write: the message is complete (see messages.dbWriteFailed). */
export class WriteError extends Error {
  override name = 'WriteError';
}

/**
 * The run's row no longer holds the database: another run took it for dead (no heartbeat for
 * `staleAfterMs`: the process was stopped, or its machine froze) and took the database over.
 * This run must not write again: its rows would overwrite the other's.
 */
export class RunTakenOverError extends WriteError {
  override name = 'RunTakenOverError';
}

/** The database's path names another file, or none, since the run opened it (see ResultWriter.fileGone). */
export class DatabaseGoneError extends WriteError {
  override name = 'DatabaseGoneError';
}

/** The error to throw for `thrown`, raised while writing to the database shown as `shown`. */
export function asWriteError(shown: string, thrown: unknown): unknown {
  const code = errnoCode(thrown);
  if (code === undefined || !code.startsWith('SQLITE_')) return thrown;
  if (code.startsWith('SQLITE_BUSY')) return new InputError(msg.dbLocked(shown, busyTimeoutMs / 1000));
  // Damage is the file's, not the write's: the command names it as such (reportingDamage).
  if (isDamageReport(thrown)) return thrown;
  return new WriteError(msg.dbWriteFailed(shown, errorMessage(thrown)));
}
