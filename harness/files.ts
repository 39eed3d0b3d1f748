/** Writing files and folders so that no reader ever sees half of one. */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';

/**
 * Writes `content` as the file `target` in one step: into a hidden temporary file beside it,
 * then one rename, so a reader sees the old file or the new one. When writing fails, the
 * temporary file is removed and the error thrown.
 */
export function writeFileAtomically(target: string, content: string | Uint8Array): void {
  mkdirSync(dirname(target), { recursive: true });
  const temp = tempBeside(target);
  try {
    writeFileSync(temp, content);
    renameSync(temp, target);
  } catch (thrown) {
    rmSync(temp, { force: true });
    throw thrown;
  }
}

/** The hidden temporary file beside `target` that is renamed into place (one per process). */
function tempBeside(target: string): string {
  return join(dirname(target), `.${process.pid}.tmp-${basename(target)}`);
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

/**
 * Streams a file into place in one step, as `writeFileAtomically` does: `produce` writes to the
 * stream it is given, the bytes go to a hidden temporary file beside `target`, and one rename
 * puts it in place once `produce` has finished. Unlike `writeFileAtomically` it creates no
 * folder: the caller decides whether a missing folder is an error. When anything fails
 * (`produce` throws, the folder is missing or not writable, the disk fills up, `target` is a
 * folder), the temporary file is removed, an existing `target` is left as it was, and the
 * first error is thrown.
 *
 * The stream writes synchronously through a buffer and never fails itself: after a failed
 * write it drops what follows and the error is thrown once `produce` returns. A stream that
 * errors would leave a producer waiting for a 'drain' that never comes.
 */
export async function writeStreamAtomically<T>(target: string, produce: (out: Writable) => Promise<T>): Promise<T> {
  const temp = tempBeside(target);
  const fd = openSync(temp, 'w');
  let failure: { error: unknown } | null = null;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = () => {
    const chunks = pending;
    pending = [];
    pendingBytes = 0;
    if (failure) return;
    try {
      for (const chunk of chunks) {
        for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
      }
    } catch (thrown) {
      failure = { error: thrown };
    }
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!failure) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= flushBytes) flush();
      }
      done();
    },
  });
  let closed = false;
  try {
    const result = await produce(sink);
    flush();
    closed = true;
    closeSync(fd);
    if (failure) throw (failure as { error: unknown }).error;
    renameSync(temp, target);
    return result;
  } catch (thrown) {
    if (!closed) closeSync(fd);
    rmSync(temp, { force: true });
    throw thrown;
  }
}

const flushBytes = 64 * 1024;
