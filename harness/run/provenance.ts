/**
 * Where a run's code and machine came from, for the `run` table: git commit and a hash of
 * uncommitted changes, the lockfile's hash, Node, CPU, host and process. Never part of the
 * manifest: provenance explains results, the manifest decides whether they may be mixed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Writer } from '../experiment.js';
import { sha256 } from '../identity.js';
import { projectRoot, realPath } from '../paths.js';
import { JOURNAL_FILE, hasSqliteHeader } from '../store/damage.js';

export interface Provenance {
  gitCommit: string | null;
  gitDirtyHash: string | null;
  /** The experiment's code as its trials run it (CompiledModule.codeHash); null where none ran. */
  codeHash: string | null;
  lockfileHash: string | null;
  nodeVersion: string;
  cpuModel: string;
  threads: number;
  shard: string | null;
  commandLine: string;
  /** The folder the command was started in, from which its relative paths were read. */
  cwd: string;
  host: string;
  pid: number;
}

function git(args: string[], root = projectRoot): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 });
  } catch {
    return null;
  }
}

/**
 * Why git gives no commit for a checkout that has one (a `.git` at its root), in git's words
 * (e.g. it refuses a checkout another user owns, and says how to allow it); null when it gives
 * one, or when there is no repository to ask.
 */
export function gitCommitProblem(root = projectRoot): string | null {
  if (!existsSync(join(root, '.git'))) return null;
  try {
    execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    return null;
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') return 'git is not installed or not on the PATH';
    return (stderr ?? '').trim().split(/\s*\n\s*/).join(' ') || 'git rev-parse HEAD failed';
  }
}

/**
 * Commit and a hash of what differs from it: tracked changes, and the untracked files that git
 * does not ignore, by content (a new experiment is one), or by size and time when large. A
 * results database left in the checkout (and its journal files) is data, not code: it changes
 * as the run writes it, and is left out.
 *
 * It never opens a file this process holds open (a run's own database, in an unignored folder of
 * the checkout), nor a database's -wal, -shm or -journal (known by name): POSIX drops all of a
 * process's locks on a file when it closes any descriptor of it. SQLite would then take its own
 * live connection for none, and a reader would checkpoint and delete the -wal a run still writes
 * to, losing its last commits. Such a file is data being written, and left out.
 */
export function gitState(root = projectRoot): { commit: string | null; dirtyHash: string | null } {
  const commit = git(['rev-parse', 'HEAD'], root)?.trim() || null;
  const status = git(['status', '--porcelain=v1', '-z', '--untracked-files=no'], root);
  if (status === null) return { commit, dirtyHash: null };
  const listed = (git(['ls-files', '--others', '--exclude-standard', '-z'], root) ?? '').split('\0').filter(Boolean).sort();
  const held = filesHeldOpen();
  const data = (file: string) => JOURNAL_FILE.test(file) || held.has(realPath(join(root, file))) || hasSqliteHeader(join(root, file));
  const untracked = listed.filter((file) => !data(file));
  if (status === '' && untracked.length === 0) return { commit, dirtyHash: null };
  const diff = commit ? (git(['diff', 'HEAD', '--binary'], root) ?? '') : '';
  const hash = createHash('sha256').update(status).update('\0').update(diff);
  for (const file of untracked) hash.update('\0').update(file).update('\0').update(untrackedStamp(join(root, file)));
  return { commit, dirtyHash: hash.digest('hex') };
}

/** The files this process holds open, by real path (Linux's /proc/self/fd); none known elsewhere. */
function filesHeldOpen(): Set<string> {
  const held = new Set<string>();
  try {
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        held.add(readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        // Closed meanwhile (the descriptor that read the folder).
      }
    }
  } catch {
    // Not Linux.
  }
  return held;
}

/** Hashed by content up to this size; larger files (data left in the checkout) by size and time. */
const UNTRACKED_CONTENT_BYTES = 4 << 20;

function untrackedStamp(path: string): Buffer | string {
  try {
    const stats = statSync(path);
    return stats.size <= UNTRACKED_CONTENT_BYTES ? readFileSync(path) : `${stats.size} bytes, modified ${stats.mtime.toISOString()}`;
  } catch {
    return '(unreadable)';
  }
}

/** The package's version (package.json). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The harness writing a report: its version, its commit and whether tracked files differ from
 * that commit, asked of git without blocking (the report computes meanwhile). Untracked files do
 * not count, unlike a run's provenance: a report written inside the checkout must not make the
 * next one of the same database say otherwise.
 */
export async function writerState(root = projectRoot): Promise<Writer> {
  const ask = (args: string[]) =>
    new Promise<string | null>((resolveAsk) => {
      execFile('git', args, { cwd: root, encoding: 'utf8' }, (error, stdout) => resolveAsk(error ? null : stdout));
    });
  const [head, status] = await Promise.all([ask(['rev-parse', 'HEAD']), ask(['status', '--porcelain=v1', '--untracked-files=no'])]);
  const commit = head?.trim() || null;
  return { version: packageVersion(), commit, modified: commit === null || status === null ? null : status !== '' };
}

export function lockfileHash(): string | null {
  try {
    return sha256(readFileSync(join(projectRoot, 'package-lock.json')));
  } catch {
    return null;
  }
}

/**
 * `git`: gitState(), asked beforehand by a caller that holds a database open by then (gitState
 * opens files of the checkout, and closing a file drops every lock the process holds on it).
 */
export function collectProvenance(options: {
  threads: number;
  shard: string | null;
  commandLine: string;
  /** Default: the process's working folder. */
  cwd?: string;
  codeHash?: string | null;
  git?: { commit: string | null; dirtyHash: string | null };
}): Provenance {
  const { commit, dirtyHash } = options.git ?? gitState();
  return {
    gitCommit: commit,
    gitDirtyHash: dirtyHash,
    codeHash: options.codeHash ?? null,
    lockfileHash: lockfileHash(),
    nodeVersion: process.version,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    threads: options.threads,
    shard: options.shard,
    commandLine: options.commandLine,
    cwd: resolve(options.cwd ?? process.cwd()),
    host: hostname(),
    pid: process.pid,
  };
}
