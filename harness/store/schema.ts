/**
 * The results database schema. Fixed tables come from numbered migrations, run in one
 * transaction; `meta.schema_version` records the level. The `trial` and `curve` tables depend
 * on the study (its grid fields and the experiment's columns) and are created when a study is
 * sealed into the database. README.md ("Results database") documents every table.
 *
 * `trial` is keyed by `cell_index` (the rowid, so rows are stored in grid order and a resume
 * scan is sequential). `key` is unique by construction but deliberately not indexed: random
 * 128-bit keys make every insert touch a random index page, which measured 8x slower at a
 * million rows (27 s vs 3.3 s).
 */
import type Database from 'better-sqlite3';
import type { ColumnDef } from '../experiment.js';
import { VARIANT_FIELD, type ManifestBody } from '../manifest.js';
import { columnNameOf, quoteIdent } from './columns.js';

export const schemaVersion = 3;

const migrations: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE study (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    manifest_hash TEXT NOT NULL,
    manifest TEXT NOT NULL,
    experiment_module TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    heartbeat_at TEXT,
    status TEXT NOT NULL,
    git_commit TEXT,
    git_dirty_hash TEXT,
    lockfile_hash TEXT,
    node_version TEXT NOT NULL,
    cpu_model TEXT NOT NULL,
    threads INTEGER NOT NULL,
    shard TEXT,
    command_line TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    trials_done INTEGER NOT NULL DEFAULT 0,
    trials_failed INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE failure (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trial_key TEXT NOT NULL,
    cell_index INTEGER NOT NULL,
    run_id INTEGER NOT NULL,
    message TEXT NOT NULL,
    stack TEXT,
    at TEXT NOT NULL
  );
  CREATE TABLE column_info (
    tbl TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    type TEXT,
    description TEXT NOT NULL,
    PRIMARY KEY (tbl, name)
  );
  `,
  // 2: the hash of the experiment's code each run ran (CompiledModule.codeHash).
  `ALTER TABLE run ADD COLUMN code_hash TEXT;`,
  // 3: the folder each run was started in, where its command line's relative paths point.
  `ALTER TABLE run ADD COLUMN cwd TEXT;`,
];

/** The tables every level creates at once (later levels add columns, not tables). */
const LEVEL_TABLES = ['meta', 'study', 'run', 'failure', 'column_info'] as const;

/** The tables a sealed study adds, in the transaction that writes its study row (Store.seal). */
const STUDY_TABLES = ['trial', 'curve'] as const;

/**
 * The tables a database at some schema level lacks: of its level's, and of its study's once one
 * is sealed. No run, copy or interruption leaves a table out (each set is created in one
 * transaction), so any here means the file was changed by something other than the harness.
 */
export function missingTables(db: Database.Database): string[] {
  const present = tableNames(db);
  const missing: string[] = LEVEL_TABLES.filter((t) => !present.has(t));
  const sealed = present.has('study') && db.prepare(`SELECT 1 FROM study WHERE id = 1`).get() !== undefined;
  if (sealed) missing.push(...STUDY_TABLES.filter((t) => !present.has(t)));
  return missing;
}

/** Whether a database without a schema level has every other table of one: a harness database whose meta row is gone. */
export function hasLevelTablesButMeta(db: Database.Database): boolean {
  const present = tableNames(db);
  return LEVEL_TABLES.every((t) => t === 'meta' || present.has(t));
}

/** The columns of `names` that `table` lacks (a column another program dropped), in the order given. */
export function missingColumns(db: Database.Database, table: string, names: readonly string[]): string[] {
  const present = new Set(db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]);
  return names.filter((name) => !present.has(name));
}

function tableNames(db: Database.Database): Set<string> {
  return new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]);
}

/** Schema level of a database (0 when it has no meta table yet). */
export function readSchemaVersion(db: Database.Database): number {
  const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
  if (!hasMeta) return 0;
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
  return row ? Number(row.value) : 0;
}

/**
 * Brings a database up to `schemaVersion`, all in one transaction. The level is read inside
 * the (immediate) transaction, so two processes opening a new file at once migrate it once.
 */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    const from = readSchemaVersion(db);
    if (from >= schemaVersion) return;
    for (let v = from; v < schemaVersion; v++) db.exec(migrations[v]!);
    db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(schemaVersion));
  }).immediate();
}

/** A grid field as a trial column. */
export interface FieldColumn {
  field: string;
  column: string;
  kind: 'axis' | 'param' | 'variant';
}

/** The trial table's grid-field columns, in grid order (replicate has its own fixed column). */
export function fieldColumns(body: ManifestBody): FieldColumn[] {
  return body.order
    .flat()
    .filter((field) => field !== 'replicate')
    .map((field) => ({ field, column: columnNameOf(field), kind: kindOf(body, field) }));
}

function kindOf(body: ManifestBody, field: string): FieldColumn['kind'] {
  if (field in body.axes) return 'axis';
  return field === VARIANT_FIELD && body.variants ? 'variant' : 'param';
}

/** Every trial column in table order. */
export function trialColumnNames(body: ManifestBody): string[] {
  return [
    'cell_index', 'key', 'group_key', 'replicate',
    ...fieldColumns(body).map((c) => c.column),
    'status',
    ...body.columns.trial.map((c) => c.name),
    'diagnostics', 'error', 'duration_ms', 'run_id',
  ];
}

export function curveColumnNames(body: ManifestBody): string[] {
  return ['group_key', 'idx', ...body.columns.curve.map((c) => c.name)];
}

/** Creates the study-specific tables and describes every column in column_info. */
export function createStudyTables(
  db: Database.Database,
  body: ManifestBody,
  described: { trial: readonly ColumnDef[]; curve: readonly ColumnDef[]; axes: Record<string, string> },
): void {
  const fields = fieldColumns(body);
  const col = (name: string, type: string) => `${quoteIdent(name)}${type ? ` ${type}` : ''}`;
  db.exec(`
    CREATE TABLE trial (
      cell_index INTEGER PRIMARY KEY,
      key TEXT NOT NULL,
      group_key TEXT NOT NULL,
      replicate INTEGER NOT NULL,
      ${fields.map((f) => `${col(f.column, f.kind === 'param' ? '' : 'TEXT')},`).join('\n      ')}
      status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
      ${body.columns.trial.map((c) => `${col(c.name, c.type)},`).join('\n      ')}
      diagnostics TEXT,
      error TEXT,
      duration_ms REAL,
      run_id INTEGER
    );
    CREATE TABLE curve (
      group_key TEXT NOT NULL,
      idx INTEGER NOT NULL,
      ${body.columns.curve.map((c) => `${col(c.name, c.type)},`).join('\n      ')}
      PRIMARY KEY (group_key, idx)
    ) WITHOUT ROWID;
  `);
  const info = db.prepare(`INSERT INTO column_info (tbl, name, kind, type, description) VALUES (?, ?, ?, ?, ?)`);
  const fixedTrial: [string, string, string][] = [
    ['cell_index', 'INTEGER', 'Position of the cell in the grid (mixed-radix index; see the manifest\'s "order").'],
    ['key', 'TEXT', 'Stable trial key: a hash of the cell\'s identity.'],
    ['group_key', 'TEXT', 'Key of the simulation this cell shared with others (joins curve.group_key).'],
    ['replicate', 'INTEGER', 'Replicate number, 0 to seeds-1.'],
  ];
  for (const [name, type, description] of fixedTrial) info.run('trial', name, 'harness', type, description);
  for (const f of fields) {
    const description =
      f.kind === 'axis'
        ? (described.axes[f.field] ?? `Axis ${f.field}.`)
        : f.kind === 'variant'
          ? 'Name of the variant: a bundle of parameter overrides (the manifest\'s "variants").'
          : `Swept parameter params.${f.field}.`;
    info.run('trial', f.column, f.kind, f.kind === 'param' ? null : 'TEXT', description);
  }
  info.run('trial', 'status', 'harness', 'TEXT', '"ok", or "failed" (see error and the failure table).');
  for (const c of described.trial) info.run('trial', c.name, 'result', c.type, c.description);
  info.run('trial', 'diagnostics', 'harness', 'TEXT', 'Experiment details as canonical JSON.');
  info.run('trial', 'error', 'harness', 'TEXT', 'Why the trial failed (NULL when ok).');
  info.run('trial', 'duration_ms', 'harness', 'REAL', 'Its share of the wall time of its pool task (not part of the results).');
  info.run('trial', 'run_id', 'harness', 'INTEGER', 'The run that wrote the row (run.id).');
  info.run('curve', 'group_key', 'harness', 'TEXT', 'The simulation (trial.group_key).');
  info.run('curve', 'idx', 'harness', 'INTEGER', 'Row index within the simulation\'s curve.');
  for (const c of described.curve) info.run('curve', c.name, 'result', c.type, c.description);
}
