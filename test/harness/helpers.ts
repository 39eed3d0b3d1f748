/** Shared test helpers: temp folders, study files, an in-process CLI, and row dumps to compare. */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../harness/cli/app.js';
import type { Io, StopSignal } from '../../harness/cli/io.js';
import { shellQuote } from '../../harness/cluster/shell.js';

export const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const fixtures = join(root, 'test', 'fixtures');
export const noopModule = join(fixtures, 'experiments', 'noop.ts');
export const faultyModule = join(fixtures, 'experiments', 'faulty.ts');
export const checkedModule = join(fixtures, 'experiments', 'checked.ts');
export const openAxisModule = join(fixtures, 'experiments', 'open-axis.ts');
/**
 * How a command the harness prints for pasting starts in a folder outside the project, as a
 * test's temp folder is: npx would look for "harness" on the npm registry there.
 */
export const harnessOutside = `node ${shellQuote(join(root, 'bin', 'harness.mjs'))}`;

/** The temp folders made by tempDir in this test file (each file loads this module afresh). */
const madeFolders: string[] = [];
afterAll(() => {
  for (const dir of madeFolders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test file: also one made inside a test, where a hook registered then would never run. */
export function tempDir(prefix = 'harness-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeFolders.push(dir);
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

/**
 * Runs the CLI in this process. `signals` lets a test deliver SIGINT/SIGTERM; `terminal` makes
 * both outputs a terminal of that many columns.
 */
export async function cli(
  argv: string[],
  cwd: string,
  options: { env?: Record<string, string>; onListen?: (send: (s: StopSignal) => void) => void; terminal?: number } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const listeners = new Set<(s: StopSignal) => void>();
  const terminal = options.terminal === undefined ? {} : { isTTY: true, columns: options.terminal };
  const io: Io = {
    stdout: { write: (t: string) => (stdout += t), ...terminal },
    stderr: { write: (t: string) => (stderr += t), ...terminal },
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

/**
 * Trial rows without run_id and duration_ms, and curve rows, as text that tells every stored
 * value apart (for byte comparisons): an INTEGER from a REAL of the same value, -0 from 0, and
 * a REAL by the shortest text that reads back to the same double.
 */
export function dumpResults(dbPath: string): { trials: string; curves: string; trialCount: number } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const columns = (db.prepare(`SELECT name FROM pragma_table_info('trial')`).pluck().all() as string[]).filter(
      (c) => c !== 'run_id' && c !== 'duration_ms',
    );
    const rows = (sql: string) => (db.prepare(sql).safeIntegers(true).raw(true).all() as unknown[][]).map((row) => row.map(storedValue).join('\t'));
    const trials = rows(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM trial ORDER BY cell_index`);
    const curves = rows(`SELECT * FROM curve ORDER BY group_key, idx`);
    return { trials: trials.join('\n'), curves: curves.join('\n'), trialCount: trials.length };
  } finally {
    db.close();
  }
}

/** One value as SQLite stored it (read with safeIntegers, so INTEGER arrives as a bigint). */
function storedValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `integer:${value}`;
  if (typeof value === 'number') return `real:${Object.is(value, -0) ? '-0' : String(value)}`;
  if (typeof value === 'string') return `text:${JSON.stringify(value)}`;
  if (Buffer.isBuffer(value)) return `blob:${value.toString('hex')}`;
  throw new TypeError(`unexpected stored value ${String(value)}`);
}

/**
 * Every file under `dir`: path relative to it -> a digest of its bytes, once the page's table of
 * runs is left out. That table records how the results were made (hosts, pids, times, shards),
 * which differs by design between one run and merged shards; every other byte must match.
 */
export function reportFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      let bytes = readFileSync(p);
      if (name === 'index.html') {
        bytes = Buffer.from(bytes.toString('utf8').replace(/<h3>Runs that computed trials<\/h3>[\s\S]*?<\/tbody><\/table>/, ''));
      }
      out.set(relative(dir, p), createHash('sha256').update(bytes).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

export function query<T = unknown>(dbPath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
