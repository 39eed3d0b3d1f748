/**
 * Opening a results database (a path, or ':memory:' in tests), checking what it is, migrating
 * it, and the study it holds. Every way of failing to open becomes a clear InputError.
 *
 * Pragmas: WAL (readers never block the writer; a killed writer loses at most the transaction
 * in flight), synchronous=NORMAL (safe against process crashes in WAL mode), busy_timeout so a
 * concurrent reader or writer waits instead of failing.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ColumnDef } from '../experiment.js';
import { InputError, errorMessage } from '../errors.js';
import type { Manifest, ManifestBody } from '../manifest.js';
import * as msg from '../messages.js';
import { displayPath } from '../paths.js';
import { createStudyTables, migrate, readSchemaVersion, schemaVersion } from './schema.js';

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
   * `read`: must exist, opened read-only. `cwd` makes messages show the path relative to it.
   */
  static open(path: string, mode: OpenMode, cwd?: string): Store {
    const memory = path === ':memory:';
    const shown = cwd ? displayPath(path, cwd) : path;
    if (!memory) {
      const stats = existsSync(path) ? statSync(path) : undefined;
      if (stats?.isDirectory()) throw new InputError(msg.dbIsDirectory(shown));
      if (!stats && mode !== 'create') throw new InputError(msg.dbNotFound(shown));
      if (!stats) {
        try {
          mkdirSync(dirname(path), { recursive: true });
        } catch (thrown) {
          throw new InputError(msg.dbCannotOpen(shown, errorMessage(thrown)));
        }
      }
    }
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: mode === 'read', fileMustExist: mode !== 'create' });
    } catch (thrown) {
      throw new InputError(msg.dbCannotOpen(shown, errorMessage(thrown)));
    }
    try {
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      const version = readSchemaVersion(db);
      if (version > schemaVersion) throw new InputError(msg.dbNewerSchema(shown, version, schemaVersion));
      if (version === 0 && hasTables(db)) throw new InputError(msg.dbForeign(shown));
      if (mode !== 'read') {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        if (version < schemaVersion) migrate(db, version);
      } else if (version < schemaVersion) {
        throw new InputError(version === 0 ? msg.dbNoStudy(shown) : msg.dbNewerSchema(shown, version, schemaVersion));
      }
    } catch (thrown) {
      db.close();
      if (thrown instanceof InputError) throw thrown;
      const code = (thrown as { code?: string }).code;
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new InputError(msg.dbNotSqlite(shown));
      throw new InputError(msg.dbCannotOpen(shown, errorMessage(thrown)));
    }
    return new Store(db, path, shown);
  }

  /** The sealed manifest, or null for a database that holds no study yet. */
  manifest(): (Manifest & { experimentModule: string | null }) | null {
    const row = this.db.prepare(`SELECT name, manifest_hash, manifest, experiment_module FROM study WHERE id = 1`).get() as
      | { name: string; manifest_hash: string; manifest: string; experiment_module: string | null }
      | undefined;
    if (!row) return null;
    return { study: row.name, hash: row.manifest_hash, body: JSON.parse(row.manifest) as ManifestBody, experimentModule: row.experiment_module };
  }

  requireManifest(): Manifest & { experimentModule: string | null } {
    const manifest = this.manifest();
    if (!manifest) throw new InputError(msg.dbNoStudy(this.shown));
    return manifest;
  }

  /** Stores the manifest and creates the study's tables, in one transaction. */
  seal(
    manifest: Manifest,
    experimentModule: string | null,
    described: { trial: readonly ColumnDef[]; curve: readonly ColumnDef[]; axes: Record<string, string> },
    createdAt: string,
  ): void {
    this.db.transaction(() => {
      createStudyTables(this.db, manifest.body, described);
      this.db
        .prepare(`INSERT INTO study (id, name, manifest_hash, manifest, experiment_module, created_at) VALUES (1, ?, ?, ?, ?, ?)`)
        .run(manifest.study, manifest.hash, JSON.stringify(manifest.body), experimentModule, createdAt);
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
    if (this.db.open) this.db.close();
  }
}

function hasTables(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1`).get() !== undefined;
}
