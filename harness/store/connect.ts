/**
 * The SQLite connection a Store opens, by mode, and what a reader can do in a folder it may not
 * write: read a finished database from a snapshot in memory (connect), or say why it cannot
 * (pendingWalProblem).
 */
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import * as msg from '../messages.js';
import { canonicalPath } from '../paths.js';
import type { OpenMode } from './store.js';

/**
 * The connection for `mode`. `read` on a database this process may not write, or in a folder it
 * may not write (a read-only mount, another user's folder or file), reads a snapshot of the file
 * in memory when the file is a finished one (see finishedSnapshot): SQLite cannot open a WAL
 * database (every harness database is one) read-only in such a folder, as it must create the
 * -wal and -shm files beside it; and beside a read-only file it creates them read-only and
 * cannot remove them, so they would stay and refuse the next writer once the file is writable.
 *
 * Not SQLite's `immutable=1` URI parameter: better-sqlite3 opens without SQLITE_OPEN_URI and is
 * built with SQLITE_USE_URI=0, so "file:...?immutable=1" is taken as a relative file name. It
 * would also be unsafe: an immutable connection trusts the file for as long as it is open, and a
 * writer that starts meanwhile (the file's owner may write where we may not) makes it return
 * wrong rows or SQLITE_CORRUPT; a snapshot is checked once and cannot change after.
 */
export function connect(path: string, mode: OpenMode): Database.Database {
  // The file itself, as SQLite names its -wal file after it: a link's own name has none beside it.
  const file = path === ':memory:' ? path : canonicalPath(path);
  if (mode === 'read' && path !== ':memory:' && !readsAsLastConnection(file)) {
    const snapshot = finishedSnapshot(file);
    if (snapshot) return new Database(snapshot, { readonly: true });
  }
  return new Database(path, { readonly: mode === 'read' && !readsAsLastConnection(file), fileMustExist: mode !== 'create' });
}

/**
 * The bytes to attach in place of the database at `path` where SQLite could not attach the file
 * itself (one this process may not write, or in a folder it may not write: see connect): a
 * finished database's snapshot, written to a file of the caller's; else null, to attach `path`.
 */
export function snapshotToAttach(path: string): Buffer | null {
  const file = canonicalPath(path);
  return readsAsLastConnection(file) ? null : finishedSnapshot(file);
}

/**
 * The bytes of a finished database, or null when it may not be one (then SQLite opens the file
 * itself, and says why it cannot where it cannot). Every commit of a WAL database is in its
 * database file when no -wal file holds any: a connection, writer or not, keeps the -wal file
 * from its first open to the last close, and commits go into it until a checkpoint copies them
 * over. A writer that starts while the file is read writes its -wal first and changes the
 * database file only by a checkpoint, which changes its size or times; so a -wal still absent or
 * empty and the same size and times after the read mean the bytes are one committed state.
 */
function finishedSnapshot(path: string): Buffer | null {
  let bytes: Buffer;
  try {
    const before = statSync(path);
    if (walBytes(path) > 0) return null;
    // Files over 2 GiB are refused here (ERR_FS_FILE_TOO_LARGE) and need a writable folder.
    bytes = readFileSync(path);
    if (walBytes(path) > 0 || !sameFile(before, statSync(path)) || bytes.length !== before.size) return null;
  } catch {
    return null;
  }
  if (bytes.length === 0) return null;
  // Read as a rollback-journal database: an in-memory one cannot be in WAL mode, and no WAL is
  // left to replay. The header's file format bytes 18 and 19 are 2 for WAL, 1 for rollback.
  if (bytes[18] === 2 && bytes[19] === 2) bytes[18] = bytes[19] = 1;
  return bytes;
}

/**
 * Why a read failed, when it is the one case a finished snapshot cannot cover: commits in the
 * -wal file, in a folder where SQLite cannot create the -shm file it needs to read them.
 */
export function pendingWalProblem(path: string, shown: string, mode: OpenMode): string | null {
  if (mode !== 'read' || path === ':memory:') return null;
  try {
    const pending = walBytes(path);
    if (pending === 0) return null;
    accessSync(dirname(path), constants.W_OK);
    return null;
  } catch (thrown) {
    const code = (thrown as NodeJS.ErrnoException).code;
    return code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? msg.dbPendingWal(shown, walBytes(path), code) : null;
  }
}

export function walBytes(path: string): number {
  return existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
}

export function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

function writable(target: string): boolean {
  try {
    accessSync(target, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a reader may open the file for writing: then SQLite, closing the last connection to a
 * WAL database, checkpoints and removes its -wal and -shm files, which a read-only connection
 * cannot. Reads stay reads (query_only). Otherwise see `connect`: a finished database is read
 * from a snapshot, and an unfinished one read-only, its -wal and -shm files staying.
 */
function readsAsLastConnection(path: string): boolean {
  return writable(path) && writable(dirname(path));
}
