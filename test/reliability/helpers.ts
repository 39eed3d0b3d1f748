/**
 * Helpers for the reliability tests: real `harness` child processes, database checks that hold
 * after any crash, a seeded random source for kill moments, and file-tree snapshots.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll } from 'vitest';
import { shellCommand } from '../../harness/cluster/shell.js';
import { root } from '../harness/helpers.js';

export const harnessBin = join(root, 'bin', 'harness.mjs');
export const faultsModule = join(root, 'test', 'reliability', 'fixtures', 'faults.ts');

/** HARNESS_SLOW=1 (set by .ci/run) runs the exhaustive versions: more kill points, more rounds. */
export const slow = process.env['HARNESS_SLOW'] === '1';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface HarnessProcess {
  child: ChildProcess;
  pid: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<Exit>;
  /** Resolves once stdout matches, or with null if the process exits first. */
  waitForStdout(pattern: RegExp): Promise<RegExpMatchArray | null>;
}

/** Starts `harness <argv>` as a real process (through bin/harness.mjs, as `npx harness` does). */
export interface HarnessOptions {
  cwd: string;
  env?: Record<string, string>;
  /**
   * Run without the capabilities that let root read any file (CAP_DAC_OVERRIDE and
   * CAP_DAC_READ_SEARCH), so file modes apply to it as to any user, while it still reaches the
   * project wherever it is cloned (a process of another user may not).
   */
  withoutFileOverride?: boolean;
}

/** Whether this process runs as root, which file modes do not stop unless `withoutFileOverride` drops that. */
export const isRoot = process.getuid?.() === 0;

/**
 * Why a test of file modes cannot run here (root, and no setpriv to drop root's overrides), or
 * null when it can: a harness started with `withoutFileOverride: isRoot` meets the modes.
 */
export function fileModesCannotApply(): string | null {
  return isRoot && !existsSync('/usr/bin/setpriv') && !existsSync('/bin/setpriv') ? 'root ignores file modes and setpriv (to drop that) is missing' : null;
}

export function startHarness(argv: readonly string[], options: HarnessOptions): HarnessProcess {
  const command = [process.execPath, harnessBin, ...argv];
  if (options.withoutFileOverride) command.unshift('setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--');
  const child = spawn(command[0]!, command.slice(1), {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray | null) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = stdout.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => {
      for (const waiter of waiters.splice(0)) waiter.resolve(null);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    child,
    pid: child.pid!,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitForStdout(pattern) {
      const match = stdout.match(pattern);
      if (match) return Promise.resolve(match);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(null);
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}

/** Runs `harness <argv>` to the end. */
export function runHarness(argv: readonly string[], options: HarnessOptions): Promise<Exit> {
  return startHarness(argv, options).exited;
}

/**
 * Runs `harness <argv>` to the end on a terminal of its own (a pseudo-terminal, by util-linux's
 * `script`), stdout and stderr both on it: what the terminal was sent, and the exit code.
 */
export function runOnTerminal(argv: readonly string[], options: HarnessOptions): Promise<{ output: string; code: number | null }> {
  const command = shellCommand([process.execPath, harnessBin, ...argv]);
  const script = spawn('script', ['-qfec', command, '/dev/null'], { cwd: options.cwd, env: { ...process.env, ...options.env, SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  script.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => script.on('close', (code) => resolve({ output, code })));
}

/**
 * The lines a terminal shows for `text` it was sent: a carriage return goes back to the line's
 * start, where the next text overwrites it; an erase code (`ESC[K`) clears the line from there;
 * colour codes show nothing. Trailing spaces are left out.
 */
export function terminalScreen(text: string): string[] {
  const lines = [''];
  let column = 0;
  for (const token of text.split(/(\r|\n|\x1b\[K|\x1b\[\d*m)/)) {
    const line = lines[lines.length - 1]!;
    if (token === '\r') column = 0;
    else if (token === '\n') {
      lines.push('');
      column = 0;
    } else if (token === '\x1b[K') lines[lines.length - 1] = line.slice(0, column);
    else if (!/^\x1b\[\d*m$/.test(token)) {
      lines[lines.length - 1] = line.slice(0, column).padEnd(column) + token + line.slice(column + token.length);
      column += token.length;
    }
  }
  return lines.map((line) => line.trimEnd());
}

/** A pid that no process has: a child's, once it has exited and been reaped. */
export function deadPid(): number {
  for (;;) {
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    try {
      process.kill(pid!, 0);
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code === 'ESRCH') return pid!;
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Opens a database read-only for one look (null while it does not exist or has no tables yet). */
export function withDb<T>(path: string, look: (db: Database.Database) => T): T | null {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    return look(db);
  } catch {
    return null;
  } finally {
    db.close();
  }
}

/** Trial rows committed so far (0 before the table exists). */
export function committedTrials(path: string): number {
  return withDb(path, (db) => db.prepare('SELECT count(*) FROM trial').pluck().get() as number) ?? 0;
}

export function integrity(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('PRAGMA integrity_check').pluck().all() as string[]).join('; ');
  } finally {
    db.close();
  }
}

/** Polls `read` every few ms until `until` holds for its value; resolves with that value (or null when `stop` says so first). */
export async function pollUntil<T>(read: () => T, until: (value: T) => boolean, stop: () => boolean, everyMs = 5): Promise<T | null> {
  for (;;) {
    const value = read();
    if (until(value)) return value;
    if (stop()) return null;
    await sleep(everyMs);
  }
}

/** A seeded source of uniform numbers in [0, 1): the same moments on every run of the test. */
export function seededRandom(seed: string): () => number {
  return seedrandom(seed);
}

/** Every entry under `dir` with its kind, size, mtime and content hash: equal snapshots mean nothing was created or changed. */
export function treeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (here: string) => {
    for (const name of readdirSync(here).sort()) {
      const path = join(here, name);
      const stats = lstatSync(path);
      const rel = relative(dir, path);
      if (stats.isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(path);
      } else if (stats.isFile()) {
        out[rel] = `file ${stats.size} ${stats.mtimeMs} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
      } else out[rel] = `other ${stats.mode.toString(8)} ${stats.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

/** What an uninterrupted run wrote, row by row, to check a database after any crash against. */
export interface Reference {
  /** Trial rows without run_id and duration_ms, as JSON, by cell index. */
  trials: Map<number, string>;
  /** All curve rows of a group, as JSON, by group key. */
  curves: Map<string, string>;
  /** Trials per group key. */
  groupSizes: Map<string, number>;
}

function trialColumnsOf(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info('trial')`).pluck().all() as string[]).filter(
    (c) => c !== 'run_id' && c !== 'duration_ms',
  );
}

function readRows(db: Database.Database): { trials: [number, string, string][]; curves: Map<string, string> } {
  const columns = trialColumnsOf(db);
  const trials = (db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM trial ORDER BY cell_index`).raw(true).all() as unknown[][]).map(
    (row): [number, string, string] => [row[0] as number, row[2] as string, JSON.stringify(row)],
  );
  const curves = new Map<string, string[]>();
  for (const row of db.prepare(`SELECT * FROM curve ORDER BY group_key, idx`).raw(true).all() as unknown[][]) {
    const key = row[0] as string;
    if (!curves.has(key)) curves.set(key, []);
    curves.get(key)!.push(JSON.stringify(row));
  }
  return { trials, curves: new Map([...curves].map(([k, rows]) => [k, rows.join('\n')])) };
}

export function readReference(path: string): Reference {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const { trials, curves } = readRows(db);
    const groupSizes = new Map<string, number>();
    for (const [, group] of trials) groupSizes.set(group, (groupSizes.get(group) ?? 0) + 1);
    return { trials: new Map(trials.map(([index, , json]) => [index, json])), curves, groupSizes };
  } finally {
    db.close();
  }
}

/**
 * What must hold of a database at any moment, even right after a SIGKILL: a sound file, no
 * duplicate keys, every stored row byte-identical to the uninterrupted run's, and whole groups
 * only (a group's trials and curve rows are committed together or not at all). Returns the
 * problems found (empty when sound) and the number of trial rows.
 */
export function checkAgainstReference(path: string, reference: Reference): { problems: string[]; trials: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const problems: string[] = [];
    const check = (db.prepare('PRAGMA integrity_check').pluck().all() as string[]).join('; ');
    if (check !== 'ok') problems.push(`integrity_check: ${check}`);
    if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'trial'`).get()) return { problems, trials: 0 };
    const duplicates = db.prepare('SELECT key FROM trial GROUP BY key HAVING count(*) > 1').pluck().all() as string[];
    if (duplicates.length) problems.push(`duplicate keys: ${duplicates.slice(0, 3).join(', ')}`);
    const { trials, curves } = readRows(db);
    const groupSizes = new Map<string, number>();
    for (const [index, group, json] of trials) {
      groupSizes.set(group, (groupSizes.get(group) ?? 0) + 1);
      if (reference.trials.get(index) !== json) problems.push(`trial ${index} differs from the uninterrupted run: ${json}`);
    }
    for (const [group, size] of groupSizes) {
      if (reference.groupSizes.get(group) !== size) problems.push(`group ${group}: ${size} of ${reference.groupSizes.get(group)} trials stored`);
      if (curves.get(group) !== reference.curves.get(group)) problems.push(`group ${group}: curve rows differ or are missing`);
    }
    for (const group of curves.keys()) if (!groupSizes.has(group)) problems.push(`group ${group}: curve rows without trials`);
    return { problems: problems.slice(0, 10), trials: trials.length };
  } finally {
    db.close();
  }
}

export function runStatuses(path: string): string[] {
  return withDb(path, (db) => db.prepare('SELECT status FROM run ORDER BY id').pluck().all() as string[]) ?? [];
}

/**
 * A real small disk for the tests of the enclosing describe block (or file): a tmpfs of `size`
 * (e.g. "64k") mounted at `mount` before them and unmounted after. Mounting needs root, as CI
 * has; elsewhere `skipUnlessMounted` skips a test, saying why, never silently.
 */
export function smallDisk(mount: string, size: string): { skipUnlessMounted(ctx: { skip(): void }): void; unavailable(): string | null } {
  let unavailable: string | null = null;
  beforeAll(() => {
    mkdirSync(mount, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', mount], { stdio: 'pipe' });
    } catch (thrown) {
      unavailable = `cannot mount a size-limited tmpfs here (${String((thrown as { stderr?: Buffer }).stderr ?? thrown).trim()}); run as root to test a full disk for real`;
    }
  });
  afterAll(() => {
    if (!unavailable) execFileSync('umount', [mount]);
  });
  return {
    unavailable: () => unavailable,
    skipUnlessMounted(ctx) {
      if (unavailable) {
        console.warn(`skipped: ${unavailable}`);
        ctx.skip();
      }
    },
  };
}
