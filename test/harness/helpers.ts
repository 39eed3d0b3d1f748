/** Shared test helpers: temp folders, study files, an in-process CLI, and row dumps to compare. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../harness/cli/app.js';
import type { Io, StopSignal } from '../../harness/cli/io.js';

export const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const fixtures = join(root, 'test', 'fixtures');
export const noopModule = join(fixtures, 'experiments', 'noop.ts');
export const faultyModule = join(fixtures, 'experiments', 'faulty.ts');

/** A fresh temp folder, removed after the test file. */
export function tempDir(prefix = 'harness-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a study file (an object is written as YAML) and returns its path. */
export function writeStudy(dir: string, file: string, doc: Record<string, unknown> | string): string {
  const path = join(dir, file);
  writeFileSync(path, typeof doc === 'string' ? doc : stringify(doc));
  return path;
}

export function noopStudy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'noop-test',
    experiment: noopModule,
    seeds: 3,
    base_seed: 11,
    axes: { color: ['red', 'green', 'blue'], size: ['s', 'm', 'l'] },
    params: { n: 4, scale: 2 },
    ...overrides,
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process. `signals` lets a test deliver SIGINT/SIGTERM. */
export async function cli(
  argv: string[],
  cwd: string,
  options: { env?: Record<string, string>; onListen?: (send: (s: StopSignal) => void) => void } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const listeners = new Set<(s: StopSignal) => void>();
  const io: Io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: options.env ?? {},
    cwd,
    argv,
    onSignal(listener) {
      listeners.add(listener);
      options.onListen?.((s) => listeners.forEach((l) => l(s)));
      return () => listeners.delete(listener);
    },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Trial rows without run_id and duration_ms, and curve rows, as text (for byte comparisons). */
export function dumpResults(dbPath: string): { trials: string; curves: string; trialCount: number } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const columns = (db.prepare(`SELECT name FROM pragma_table_info('trial')`).pluck().all() as string[]).filter(
      (c) => c !== 'run_id' && c !== 'duration_ms',
    );
    const trials = db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM trial ORDER BY cell_index`).raw(true).all();
    const curves = db.prepare(`SELECT * FROM curve ORDER BY group_key, idx`).raw(true).all();
    return { trials: JSON.stringify(trials), curves: JSON.stringify(curves), trialCount: trials.length };
  } finally {
    db.close();
  }
}

export function query<T = unknown>(dbPath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
