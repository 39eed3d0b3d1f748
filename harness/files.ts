/** Writing files and folders so that no reader ever sees half of one. */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `content` as the file `target` in one step: into a hidden temporary file beside it,
 * then one rename, so a reader sees the old file or the new one. When writing fails, the
 * temporary file is removed and the error thrown.
 */
export function writeFileAtomically(target: string, content: string | Uint8Array): void {
  mkdirSync(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${process.pid}.tmp-${basename(target)}`);
  try {
    writeFileSync(temp, content);
    renameSync(temp, target);
  } catch (thrown) {
    rmSync(temp, { force: true });
    throw thrown;
  }
}

/**
 * Writes `files` (paths relative to the folder) as the folder `dir` in one step: into a staging
 * folder beside it, then one rename, so a reader sees all of it or none. When `dir` appears
 * meanwhile (another process wrote the same content-addressed folder), theirs stays. Throws
 * only when the folder could not be written and does not exist.
 */
export function writeFolderAtomically(dir: string, files: Iterable<readonly [string, string | Uint8Array]>): void {
  const staging = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    for (const [path, contents] of files) {
      const target = join(staging, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, contents);
    }
    renameSync(staging, dir);
  } catch (thrown) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(dir)) throw thrown;
  }
}
