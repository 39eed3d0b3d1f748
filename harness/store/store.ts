/**
 * Opening a results database (a path, or ':memory:' in tests), checking what it is, migrating
 * it, and the study it holds. Every way of failing to open becomes a clear InputError, and so
 * does SQLite finding the file damaged in any later query of a command (damage.ts).
 *
 * Pragmas: WAL (readers never block the writer; a killed writer loses at most the transaction
 * in flight), synchronous=NORMAL (safe against process crashes in WAL mode), busy_timeout so a
 * concurrent reader or writer waits instead of failing.
 */
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ColumnDef } from '../experiment.js';
import { InputError, NoStudyError, errorMessage } from '../errors.js';
import type { Manifest, ManifestBody } from '../manifest.js';
import * as msg from '../messages.js';
import { defaultDbPath, displayPath } from '../paths.js';
import { errnoCode, fileInTheWay } from '../folders.js';
import { makeFolders } from '../files.js';
import { connect, pendingWalProblem } from './connect.js';
import { DamageFound, damagedMessage, hasSqliteHeader, isDamageReport, noteOpened, storedJson } from './damage.js';
import { createStudyTables, hasLevelTablesButMeta, migrate, missingTables, readSchemaVersion, schemaVersion } from './schema.js';

export type OpenMode = 'create' | 'write' | 'read';

export const busyTimeoutMs = 10_000;

export class Store {
  private constructor(
    readonly db: Database.Database,
    readonly path: string,
    /** The path as messages show it (relative to the user's folder when inside it). */
    readonly shown: string,
  ) {}

  /**
   * `create`: create the file (and its folder) when missing; `write`: the file must exist;
   * `read`: must exist, opened read-only. `cwd` makes messages show the path relative to it;
   * `given` says how the command took the path, so that messages name a fix it accepts.
   */
  static open(path: string, mode: OpenMode, cwd?: string, given: msg.DbPathGiven = 'argument'): Store {
    const memory = path === ':memory:';
    const shown = cwd ? displayPath(path, cwd) : path;
    // The file before this open, to tell later whether anything changed it.
    const stats = memory || !existsSync(path) ? undefined : statSync(path);
    if (!memory) {
      if (stats?.isDirectory()) throw new InputError(msg.dbIsDirectory(shown));
      // Opening a FIFO or a device would block forever (and ignore Ctrl-C) instead of failing.
      if (stats && !stats.isFile()) throw new InputError(msg.dbNotAFile(shown, given));
      if (!stats && mode !== 'create') throw new InputError(msg.dbNotFound(shown, given, resultsDatabaseNamed(path, cwd)));
      noteOpened(path, shown, stats);
      if (!stats) {
        try {
          makeFolders(dirname(path));
        } catch (thrown) {
          const blocker = fileInTheWay(dirname(path));
          const reason = blocker ? `ENOTDIR: ${cwd ? displayPath(blocker, cwd) : blocker} is a file, not a folder` : errorMessage(thrown);
          throw new InputError(msg.dbCannotOpen(shown, reason));
        }
      }
      // SQLite keeps -wal and -shm files beside the database: the folder must be writable too.
      if (mode !== 'read') {
        for (const target of stats ? [dirname(path), path] : [dirname(path)]) {
          try {
            accessSync(target, constants.W_OK);
          } catch (thrown) {
            throw new InputError(msg.dbNotWritable(shown, (thrown as NodeJS.ErrnoException).code ?? errorMessage(thrown), given));
          }
        }
      }
    }
    let db: Database.Database;
    try {
      db = connect(path, mode);
    } catch (thrown) {
      throw new InputError(pendingWalProblem(path, shown, mode) ?? msg.dbCannotOpen(shown, errorMessage(thrown)));
    }
    try {
      // 'read' on a writable file: refuse every write, but stay able to remove the -wal and -shm
      // files on close as the last connection, as SQLite does, instead of leaving them behind.
      if (mode === 'read' && !db.readonly) db.pragma('query_only = ON');
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      // One snapshot: a run creating this file at the same moment must not make it look foreign.
      const { version, foreign, missing } = db.transaction(() => {
        const found = readSchemaVersion(db);
        return { version: found, foreign: found === 0 && hasTables(db), missing: found > 0 ? missingTables(db) : [] };
      })();
      if (version > schemaVersion) throw new InputError(msg.dbNewerSchema(shown, version, schemaVersion));
      if (foreign) {
        if (hasLevelTablesButMeta(db)) throw new DamageFound(msg.schemaVersionMissing(), 'altered');
        throw new InputError(msg.dbForeign(shown, given));
      }
      if (missing.length) throw new DamageFound(msg.tablesMissing(missing), 'altered');
      // Before writing into a database: damage a query has not met yet (a page of curves that a
      // resumed run never reads) would otherwise get a run row written over it.
      if (mode !== 'read' && stats && !memory) checkIntact(db);
      if (mode !== 'read') {
        retryWhileBusy(() => db.pragma('journal_mode = WAL'));
        db.pragma('synchronous = NORMAL');
        if (version < schemaVersion) migrate(db);
      } else if (version === 0) {
        // An older level is read as it is: what later levels added reads as absent.
        throw new NoStudyError(msg.dbNoStudy(shown));
      }
    } catch (thrown) {
      db.close();
      if (thrown instanceof InputError) throw thrown;
      if (isDamageReport(thrown)) {
        if (memory || !hasSqliteHeader(path)) throw new InputError(msg.dbNotSqlite(shown));
        throw new InputError(damagedMessage(path, shown, thrown, stats));
      }
      throw new InputError(pendingWalProblem(path, shown, mode) ?? msg.dbCannotOpen(shown, errorMessage(thrown)));
    }
    const store = new Store(db, path, shown);
    closedAtExit(store);
    return store;
  }

  /** The sealed manifest, or null for a database that holds no study yet. */
  manifest(): (Manifest & { experimentModule: string | null }) | null {
    const row = this.db.prepare(`SELECT name, manifest_hash, manifest, experiment_module FROM study WHERE id = 1`).get() as
      | { name: string; manifest_hash: string; manifest: string; experiment_module: string | null }
      | undefined;
    if (!row) return null;
    return { study: row.name, hash: row.manifest_hash, body: storedJson(row.manifest, 'study', "the study's row", 'manifest') as ManifestBody, experimentModule: row.experiment_module };
  }

  requireManifest(): Manifest & { experimentModule: string | null } {
    const manifest = this.manifest();
    if (!manifest) throw new NoStudyError(msg.dbNoStudy(this.shown));
    return manifest;
  }

  /**
   * Stores the manifest and creates the study's tables, in one transaction, unless the
   * database already holds a study (another process may have sealed it a moment ago). Returns
   * the manifest the database holds afterwards, for the caller to compare.
   */
  seal(
    manifest: Manifest,
    experimentModule: string | null,
    described: { trial: readonly ColumnDef[]; curve: readonly ColumnDef[]; axes: Record<string, string> },
    createdAt: string,
  ): Manifest & { experimentModule: string | null } {
    return this.db.transaction(() => {
      const stored = this.manifest();
      if (stored) return stored;
      createStudyTables(this.db, manifest.body, described);
      this.db
        .prepare(`INSERT INTO study (id, name, manifest_hash, manifest, experiment_module, created_at) VALUES (1, ?, ?, ?, ?, ?)`)
        .run(manifest.study, manifest.hash, JSON.stringify(manifest.body), experimentModule, createdAt);
      return this.requireManifest();
    }).immediate();
  }

  /** Column descriptions as stored (to re-create the tables elsewhere, e.g. in a merge). */
  described(): { trial: ColumnDef[]; curve: ColumnDef[]; axes: Record<string, string> } {
    const rows = this.db.prepare(`SELECT tbl, name, kind, type, description FROM column_info`).all() as {
      tbl: string;
      name: string;
      kind: string;
      type: ColumnDef['type'];
      description: string;
    }[];
    return {
      trial: rows.filter((r) => r.tbl === 'trial' && r.kind === 'result').map(({ name, type, description }) => ({ name, type, description })),
      curve: rows.filter((r) => r.tbl === 'curve' && r.kind === 'result').map(({ name, type, description }) => ({ name, type, description })),
      axes: Object.fromEntries(rows.filter((r) => r.kind === 'axis').map((r) => [r.name, r.description])),
    };
  }

  close(): void {
    openStores.delete(this);
    if (this.db.open) this.db.close();
  }
}

const openStores = new Set<Store>();

/**
 * A store still open when the process exits before its command ends (a second Ctrl-C, a
 * `process.exit`) is closed then, so that the last connection to close folds SQLite's -wal and
 * -shm files away, as it does for a command that ends as usual.
 */
function closedAtExit(store: Store): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const open of [...openStores]) {
        try {
          open.close();
        } catch {
          // Busy with a statement the exit cut short: SQLite's files stay, as for a killed reader.
        }
      }
    });
  }
  openStores.add(store);
}
let exitHookInstalled = false;

/**
 * Switching a file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once
 * (without its busy handler) while another connection is setting up the same new file: retry
 * for as long as the busy timeout allows.
 */
function retryWhileBusy<T>(operation: () => T): T {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      return operation();
    } catch (thrown) {
      if (!errnoCode(thrown)?.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw thrown;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

function hasTables(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1`).get() !== undefined;
}

/**
 * The database under the default results/ that a path not found probably meant (`pi` or
 * `pi.sqlite` for `results/pi.sqlite`, a study's name given where its database belongs), as
 * messages show it; undefined when there is none.
 */
function resultsDatabaseNamed(path: string, cwd: string | undefined): string | undefined {
  if (path === ':memory:') return undefined;
  const here = cwd ?? process.cwd();
  const candidate = defaultDbPath(basename(path).replace(/\.sqlite$/, ''), null, here);
  return candidate !== resolve(here, path) && existsSync(candidate) ? displayPath(candidate, here) : undefined;
}

/**
 * Throws SQLite's own report of damage (SQLITE_CORRUPT) when its quick check of every page finds
 * any: about 0.5 s a gigabyte, once per command that writes.
 */
function checkIntact(db: Database.Database): void {
  const result = db.pragma('quick_check(1)', { simple: true });
  if (result !== 'ok') throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
}
