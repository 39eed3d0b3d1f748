/**
 * Damaged databases: telling a file SQLite cannot read past its header (bad pages, a truncated
 * copy) from one that is no database at all, and turning SQLite's report of damage, in whatever
 * query of a command, into a message that names the file (reportingDamage).
 */
import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { InputError, errorMessage } from '../errors.js';
import { errnoCode } from '../folders.js';
import * as msg from '../messages.js';
import { connect, sameFile, walBytes } from './connect.js';

/** SQLite's report of a file it cannot make sense of: bad pages (SQLITE_CORRUPT*) or no database. */
export function isDamageReport(thrown: unknown): boolean {
  const code = errnoCode(thrown);
  return code !== undefined && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/**
 * Damage the harness finds in rows SQLite read without complaint, reported as SQLite's own
 * reports are (reportingDamage). `inconsistent`: what a copy torn while a run wrote it shows (a
 * cell listed twice); `altered`: what no run or copy leaves, only another program or a hand
 * (a table missing, a text where a result column holds numbers).
 */
export class DamageFound extends Error {
  readonly code = 'SQLITE_CORRUPT';
  override name = 'DamageFound';

  constructor(
    reason: string,
    readonly kind: 'inconsistent' | 'altered' = 'inconsistent',
  ) {
    super(reason);
  }
}

/**
 * A JSON text the harness stored, parsed: text that is not JSON is damage (`row`: which row of
 * `table`, as messages name it, e.g. "cell 5").
 */
export function storedJson(text: string, table: string, row: string, column: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DamageFound(msg.storedValueWrong(table, row, column, 'JSON texts', text), 'altered');
  }
}

/** The first 100 bytes of an SQLite file (its header), or fewer when the file is shorter. */
function headerOf(path: string): Buffer {
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    return header.subarray(0, readSync(fd, header, 0, 100, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * A database's companion files, named after it (its rollback journal, write-ahead log and shared
 * memory): never a database themselves, and not to be opened by hand while this process may hold
 * the database open, since closing any descriptor of a file drops every lock the process holds on
 * it, SQLite's too (see provenance.ts, gitState).
 */
export const JOURNAL_FILE = /-(wal|shm|journal)$/;

/**
 * Whether the file starts as every SQLite database does: a damaged one, not some other file.
 * It opens the file: never ask it of a database this process holds open (see JOURNAL_FILE).
 */
export function hasSqliteHeader(path: string): boolean {
  try {
    // Only a plain file can be a database; opening a FIFO to read would wait for a writer.
    if (!statSync(path).isFile()) return false;
    return headerOf(path).subarray(0, 16).equals(Buffer.from('SQLite format 3\0', 'latin1'));
  } catch {
    return false;
  }
}

/**
 * What is wrong with a file whose header is right but SQLite reports damaged. The header's page
 * count (bytes 28-31) is valid when its change counter (24-27) equals its version-valid-for
 * number (92-95); a file shorter than that many pages lost its end.
 */
function damageOf(path: string, thrown: unknown): msg.DbDamage {
  if (thrown instanceof DamageFound) return { kind: thrown.kind, reason: thrown.message };
  try {
    const header = headerOf(path);
    const pageSize = header.readUInt16BE(16) === 1 ? 65_536 : header.readUInt16BE(16);
    const pages = header.readUInt32BE(28);
    const bytes = statSync(path).size;
    if (pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92) && bytes < pages * pageSize) {
      return { kind: 'truncated', bytes, pages, pageSize };
    }
  } catch {
    // Unreadable now: SQLite's own words are all there is.
  }
  return { kind: 'malformed', reason: errorMessage(thrown) };
}

/**
 * Whether the database is as it was before the command opened it (`before`): same file, size and
 * times, and no -wal file left holding commits. Only then may a message say nothing changed.
 */
function unchangedSince(path: string, before: Stats | undefined): boolean {
  try {
    return before !== undefined && sameFile(before, statSync(path)) && walBytes(path) === 0;
  } catch {
    return false;
  }
}

/** The message for a database SQLite reports damaged: what is wrong, and whether it is unchanged since `before`. */
export function damagedMessage(path: string, shown: string, thrown: unknown, before: Stats | undefined): string {
  return msg.dbDamaged(shown, damageOf(path, thrown), unchangedSince(path, before));
}

/** A database a command opened, with its file as it was before the first open. */
interface Opened {
  path: string;
  shown: string;
  before: Stats | undefined;
}

const openedInCommand = new AsyncLocalStorage<Opened[]>();

/** Records a database a command opens (Store.open), with its file as it was before. */
export function noteOpened(path: string, shown: string, before: Stats | undefined): void {
  const opened = openedInCommand.getStore();
  if (opened && !opened.some((o) => o.path === path)) opened.push({ path, shown, before });
}

/**
 * Runs a command so that SQLite finding a database damaged, in whatever query of the command,
 * becomes an InputError naming the database (messages.dbDamaged) rather than an internal error:
 * the file is at fault, not the harness, and a page read is the first moment SQLite looks at it.
 * Where the command opened several databases (merge), the damaged one is the one that fails
 * SQLite's quick_check; when none does, the error passes unchanged.
 */
export async function reportingDamage<T>(command: () => Promise<T>): Promise<T> {
  const opened: Opened[] = [];
  try {
    return await openedInCommand.run(opened, command);
  } catch (thrown) {
    if (!isDamageReport(thrown)) throw thrown;
    const candidates = opened.filter((o) => hasSqliteHeader(o.path));
    const damaged = candidates.length === 1 ? candidates[0] : candidates.find((o) => failsQuickCheck(o.path));
    if (!damaged) throw thrown;
    throw new InputError(damagedMessage(damaged.path, damaged.shown, thrown, damaged.before));
  }
}

function failsQuickCheck(path: string): boolean {
  let db: Database.Database;
  try {
    db = connect(path, 'read');
  } catch {
    return false;
  }
  try {
    if (!db.readonly) db.pragma('query_only = ON');
    return db.pragma('quick_check(1)', { simple: true }) !== 'ok';
  } catch (thrown) {
    return isDamageReport(thrown);
  } finally {
    db.close();
  }
}
