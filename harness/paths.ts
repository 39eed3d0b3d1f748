/**
 * Where things live: the project root (the folder holding harness/), experiments, default
 * result databases and report folders.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from './cluster/shell.js';
import type { Shard } from './run/shard.js';

export const projectRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const experimentsDir = join(projectRoot, 'experiments');

/**
 * The folder the default `results/` and `reports/` lie in: the project's root from anywhere
 * inside the project (as a study is found by name from anywhere in it, so its database is one
 * and the same, and a resume finds it), else the working folder.
 */
export function outputBase(cwd: string): string {
  return insideProject(cwd) ? projectRoot : cwd;
}

/** Whether `path` is the project's root or lies under it, symbolic links followed on both sides. */
export function insideProject(path: string): boolean {
  const rel = relative(realPath(resolve(projectRoot)), realPath(resolve(path)));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * How a command printed for pasting calls the harness in `cwd`: `npx harness` inside the project
 * (npx finds the project's own from any folder in it); outside it npx would look on the npm
 * registry for another package named harness, so there the project's entry point by its absolute
 * path. Without a cwd (a caller that is not a command line), `npx harness`.
 */
export function harnessCall(cwd: string | undefined): string {
  return cwd === undefined || insideProject(cwd) ? 'npx harness' : `node ${shellQuote(join(projectRoot, 'bin', 'harness.mjs'))}`;
}

/** A command line as the harness records it (`harness run ...`) made the command to paste in `cwd` (harnessCall). */
export function pasteable(line: string, cwd: string | undefined): string {
  return line.replace(/^harness(?=\s|$)/, () => harnessCall(cwd));
}

/** `results/<study>.sqlite`, or `results/<study>.shard-<i>-of-<N>.sqlite` for a shard (see outputBase). */
export function defaultDbPath(study: string, shard: Shard | null, cwd: string): string {
  const suffix = shard && shard.count > 1 ? `.shard-${shard.index}-of-${shard.count}` : '';
  return join(outputBase(cwd), 'results', `${study}${suffix}.sqlite`);
}

/**
 * `reports/<study>/` for the study's own database, `results/<study>.sqlite` (see outputBase); for
 * any other, `reports/<study>--<its file name>/`, so that the report of a side database (a sweep
 * tried with --set, a copy) never replaces the study's own report; a database named as the study
 * is, elsewhere (a shard folder's merge, `shards/paper.sqlite`), by its folder's name instead
 * (`reports/paper--shards/`).
 */
export function defaultReportDir(study: string, cwd: string, db?: string): string {
  if (db === undefined || samePath(db, defaultDbPath(study, null, cwd))) return join(outputBase(cwd), 'reports', study);
  const stem = basename(db).replace(/\.sqlite$/, '');
  return join(outputBase(cwd), 'reports', `${study}--${stem === study ? basename(dirname(resolve(db))) || 'root' : stem}`);
}

/** Whether two paths name one file, symbolic links followed where they exist. */
export function samePath(a: string, b: string): boolean {
  return realPath(resolve(a)) === realPath(resolve(b));
}

/**
 * The path with symbolic links followed (absolute), or the path exactly as given where that
 * fails (it does not exist, or a folder on the way cannot be read). Never throws. A caller that
 * compares a relative path with absolute ones passes it through resolve first.
 */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The default folder of `harness status`: `results/` (see outputBase). */
export function defaultResultsDir(cwd: string): string {
  return join(outputBase(cwd), 'results');
}

/** A path as the user should read it: relative to `cwd` when inside it. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** The file `name` inside the folder `typed` names, spelt as typed (with one "/" between). */
export function fileInFolder(typed: string, name: string): string {
  return `${typed.replace(/\/+$/, '')}/${name}`;
}

/** Subfolders of `dir` (empty when it does not exist). */
export function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => statSync(join(dir, name)).isDirectory())
      .sort();
  } catch {
    return [];
  }
}

/** Every study file `experiments/<experiment>/<study>.yaml`, sorted. */
export function studyFiles(): string[] {
  const out: string[] = [];
  for (const folder of subfolders(experimentsDir)) {
    for (const name of readdirSync(join(experimentsDir, folder)).sort()) {
      if (/\.ya?ml$/.test(name)) out.push(join(experimentsDir, folder, name));
    }
  }
  return out;
}

/**
 * The path with symlinks resolved as far as it exists (a file yet to be written keeps its name):
 * what tells whether two paths name one file. Not realPath: where the path does not exist, the
 * folders above it are still resolved, so an output file yet to be written through a symlinked
 * folder is compared as the file it will be (merge, export, the store's file lock).
 */
export function canonicalPath(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : resolve(canonicalPath(parent), basename(path));
  }
}
