/**
 * What stands in the way of a file or folder a command is about to write, found before the work
 * (the report's folder, the Slurm shard folder, an export's file, a new database's folder).
 */
import { accessSync, constants, lstatSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

/** What is at `path` (a link itself when `link`, else what it leads to), or null when nothing can be found there. */
export function statOrNull(path: string, link = false): Stats | null {
  try {
    return link ? lstatSync(path) : statSync(path);
  } catch {
    return null;
  }
}

/** The code of a system or SQLite error ("EACCES", "SQLITE_CORRUPT"), or undefined for an error without one. */
export function errnoCode(thrown: unknown): string | undefined {
  const code = (thrown as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The nearest existing entry on the way up from `dir`, when it is not a folder. */
export function fileInTheWay(dir: string): string | undefined {
  for (let here = dir; ; here = dirname(here)) {
    const stats = statOrNull(here);
    if (stats) return stats.isDirectory() ? undefined : here;
    if (dirname(here) === here) return undefined;
  }
}

/**
 * Whether `typed`, a path typed for a file to write, ends in "/" while no folder is at `path`
 * (where it leads): it names a folder, and resolve() drops the "/", so the file would be written
 * under that folder's name. An existing folder there is each command's own refusal, made first.
 */
export function namesFolderNotThere(typed: string, path: string): boolean {
  return typed.endsWith('/') && statOrNull(path)?.isDirectory() !== true;
}

/** Why a folder cannot take a command's output (paths absolute, as checked). */
export type FolderProblem =
  | { kind: 'is-file'; path: string }
  | { kind: 'inside-file'; file: string }
  | { kind: 'not-writable'; folder: string; code: string };

/**
 * Why `dir` cannot be written into, or null when it can: it is a file, it lies inside a file, or
 * this process may not write into it; for a folder that does not exist yet, into the nearest
 * existing folder above it, where it would be created. A disk that fills up shows only while
 * writing.
 */
export function outputFolderProblem(dir: string): FolderProblem | null {
  let existing = dir;
  let stats = statOrNull(existing);
  while (!stats) {
    if (dirname(existing) === existing) return null;
    existing = dirname(existing);
    stats = statOrNull(existing);
  }
  if (!stats.isDirectory()) return existing === dir ? { kind: 'is-file', path: dir } : { kind: 'inside-file', file: existing };
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (thrown) {
    return { kind: 'not-writable', folder: existing, code: errnoCode(thrown) ?? String(thrown) };
  }
  return null;
}
