/**
 * Writing files and folders so that no reader ever sees half of one, and removing the temporary
 * files that a process killed while writing left behind (removeAbandonedTemps).
 */
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Writable } from 'node:stream';
import { errnoCode, statOrNull } from './folders.js';
import { processAlive } from './processes.js';

/**
 * Writes `content` as the file `target` in one step: into a hidden temporary file beside it,
 * then one rename, so a reader sees the old file or the new one. An existing file keeps its
 * permissions, and one that may not be written is refused (EACCES; see `replacing`). When
 * writing fails, the temporary file is removed and the error thrown. Temporary files of `target`
 * that killed processes left are removed first (removeAbandonedTempsOf).
 */
export function writeFileAtomically(target: string, content: string | Uint8Array): void {
  writeFilesAtomically([[target, content]]);
}

/** Where writeFilesAtomically got to: the file it was at, and how many files it had put in place. */
export interface WriteProgress {
  at: string | null;
  placed: number;
}

/**
 * Writes several files, each as writeFileAtomically does, in two steps: every file into its
 * temporary file first, then the renames, one after another, a few milliseconds for a whole
 * report. A process killed while writing (the long step) leaves every old file in place and
 * temporary files that the next write of each removes; a reader meets the old files or the new
 * ones, a mix only within the renames. When a write fails (a full disk, a folder in a file's
 * place), no file is replaced, and the temporary files and the folders created for the files
 * are removed; when a rename fails anyway, the files before it are in place, the rest not.
 *
 * `inTheWay` names what the caller has found in the files' way and may remove, each with the
 * function that removes it: a folder where a file goes, or a file where a folder of files goes.
 * Each goes just before what replaces it is renamed into place. The files of a folder that
 * replaces a file are written into a hidden folder beside that file, named as its temporary file
 * would be, which is renamed into place whole.
 */
export function writeFilesAtomically(
  files: readonly (readonly [string, string | Uint8Array])[],
  progress: WriteProgress = { at: null, placed: 0 },
  inTheWay: ReadonlyMap<string, () => void> = new Map(),
): void {
  // The renames, in order: a temporary file or folder, where it goes, and what it replaces.
  const moves: { temp: string; target: string; clear: (() => void) | undefined; folder?: true }[] = [];
  // A file in the way of a folder: the hidden folder that its replacement is written into.
  const staged = new Map<string, string>();
  // Each folder created for a file, with the topmost one its creation made.
  const created: (readonly [string, string])[] = [];
  try {
    for (const [target, content] of files) {
      progress.at = target;
      const blocker = [...inTheWay.keys()].find((path) => target.startsWith(`${path}${sep}`));
      const { mode } = replacing(target);
      let temp: string;
      if (blocker === undefined) {
        // A folder in a file's place would fail its rename, after the files before it were replaced.
        if (!inTheWay.has(target) && existsSync(target) && statSync(target).isDirectory()) throw Object.assign(new Error(`EISDIR: a folder is in the way of ${target}`), { code: 'EISDIR' });
        const top = makeFolders(dirname(target));
        if (top !== undefined) created.push([dirname(target), top]);
        removeAbandonedTempsOf(target);
        temp = tempBeside(target);
        moves.push({ temp, target, clear: inTheWay.get(target) });
      } else {
        let folder = staged.get(blocker);
        if (folder === undefined) {
          removeAbandonedTempsOf(blocker);
          folder = tempBeside(blocker);
          // Named by this process's pid: one left there is a dead process's that had the same pid
          // (a container's), whose files would go into place with this one's.
          rmSync(folder, { recursive: true, force: true });
          staged.set(blocker, folder);
          moves.push({ temp: folder, target: blocker, clear: inTheWay.get(blocker), folder: true });
        }
        temp = join(folder, relative(blocker, target));
        makeFolders(dirname(temp));
      }
      writeFileSync(temp, content);
      if (mode !== null) chmodSync(temp, mode);
    }
    moves.forEach(({ temp, target, clear }, i) => {
      progress.at = target;
      clear?.();
      renameSync(temp, target);
      progress.placed = i + 1;
    });
  } catch (thrown) {
    for (const { temp, folder } of moves.slice(progress.placed)) {
      try {
        // A folder by a temporary file's name is not this write's: it is what failed it.
        rmSync(temp, { recursive: folder === true, force: true });
      } catch {
        // Not ours to remove (something else in the way): the failure to report is the write's.
      }
    }
    for (const [folder, top] of created.reverse()) removeEmptyFolders(folder, dirname(top));
    throw thrown;
  }
}

/**
 * Removes a folder in one step as far as its place goes: it is renamed to a hidden name beside it
 * (a rename that fails leaves it whole), then deleted; what cannot be deleted (a read-only folder
 * in it) stays under that name.
 */
export function removeFolderWhole(folder: string): void {
  const aside = tempBeside(`${folder}~`);
  renameSync(folder, aside);
  try {
    rmSync(aside, { recursive: true, force: true });
  } catch {
    // Out of the way already: the hidden rest is not the report's.
  }
}

/** Removes `from` and the folders above it up to (not including) `top`, while they are empty. */
export function removeEmptyFolders(from: string, top: string): void {
  for (let folder = from; folder.startsWith(`${top}${sep}`); folder = dirname(folder)) {
    try {
      rmdirSync(folder);
    } catch {
      return; // not empty (or not ours to remove): so is every folder above it
    }
  }
}

/**
 * Creates `dir` and the folders above it that are missing, as `mkdirSync(dir, { recursive: true })`
 * does, and returns the first folder it created, in the form `dir` was given (undefined when
 * `dir` was there). Unlike Node's own, it never spins: where a folder's parent exists but cannot
 * hold folders (/proc, whose kernel answers ENOENT), Node's retries the parent and the child
 * forever at full CPU, deaf to Ctrl-C; here that ENOENT is thrown. A file in the way throws
 * EEXIST. Each folder is made once, from the top down; one that appears meanwhile (another
 * process's) is taken as made.
 */
export function makeFolders(dir: string): string | undefined {
  const missing: string[] = [];
  // A file (or a link that leads nowhere) in the way is kept as missing: its mkdir throws EEXIST.
  for (let here = dir; statOrNull(here)?.isDirectory() !== true; here = dirname(here)) {
    missing.push(here);
    if (dirname(here) === here) break;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (thrown) {
      if (errnoCode(thrown) !== 'EEXIST' || statOrNull(folder)?.isDirectory() !== true) throw thrown;
    }
  }
  return missing[0];
}

/**
 * The permissions a write of `target` gives the new file (null: a new file, the default). An
 * existing file keeps its permissions, so that a private file stays private; one this process
 * may not write (made read-only by its owner) is refused with EACCES, as `cp` refuses it, though
 * the folder would let a rename replace it. A symlink is replaced by the file, as before: writing
 * through it would put the bytes wherever it points, outside every check of the path given.
 */
function replacing(target: string): { mode: number | null } {
  let stats;
  try {
    stats = lstatSync(target);
  } catch {
    return { mode: null }; // nothing there yet
  }
  if (!stats.isFile()) return { mode: null };
  accessSync(target, constants.W_OK);
  return { mode: stats.mode & 0o7777 };
}

/**
 * The hidden temporary file beside `target` that is renamed into place (one per process):
 * `.<pid>.<host tag>.tmp-<name>`, so that a later write can tell whether its writer is gone
 * (see writerGone). The name stays one that pruneCompiled recognises (`[\w.-]+` before the name).
 */
function tempBeside(target: string): string {
  return join(dirname(target), `.${process.pid}.${hostTag}.tmp-${basename(target)}`);
}

/**
 * The temporary files of `target` that tempBeside names, those of an older harness, which named
 * them `.<pid>.tmp-<name>` (no host), and a folder removeFolderWhole set aside from its place
 * and could not delete (`<name>~`).
 */
function tempOfTarget(target: string): (name: string) => TempOwner | null {
  const base = basename(target);
  return (name) => {
    const match = /^\.(\d+)(?:\.([0-9a-f]{8}))?\.tmp-/.exec(name);
    const rest = match ? name.slice(match[0].length) : null;
    if (!match || (rest !== base && rest !== `${base}~`)) return null;
    return { pid: Number(match[1]), host: match[2] ?? null, group: name };
  };
}

/**
 * Removes the temporary files that writes of `target` (writeFileAtomically,
 * writeStreamAtomically) by processes now gone left beside it; returns how many went.
 */
export function removeAbandonedTempsOf(target: string): number {
  return removeAbandonedTemps(dirname(target), tempOfTarget(target));
}

/**
 * This host, as temporary names record it: 8 hex digits of the hash of its name, which may hold
 * any character and be long.
 */
export const hostTag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/**
 * The writer of a temporary file, as its name records it: its pid, its host's tag (null when the
 * name does not record one), and `group`, the name of the file it belongs with (a database for
 * SQLite's -wal, -shm and -journal; else its own name): a group is removed whole or not at all.
 */
export interface TempOwner {
  pid: number;
  host: string | null;
  group: string;
}

/**
 * A temporary file whose writer may be on another host counts as abandoned once untouched this
 * long. Every writer touches its files all the while it writes (writeFileAtomically in one
 * call, writeStreamAtomically every 64 KiB, a merge's SQLite files with every transaction),
 * so a live one is never this far behind, while a killed one's debris goes within the hour.
 */
export const ABANDONED_AFTER_MS = 30 * 60 * 1000;

/**
 * Whether the writer of a temporary file is gone, so that the file will never be renamed into
 * place and is debris. A pid means something only on the host that ran it: a name of this host
 * is debris as soon as its process is not alive (process.kill answers ESRCH; EPERM is another
 * user's live process). A name of another host, or one that does not record its host, may
 * belong to a live writer on another machine that shares the folder (NFS, a cluster's file
 * system), whose pid says nothing here: it is debris only once untouched for
 * ABANDONED_AFTER_MS (and, when it could be this host's, only while its pid is not alive here).
 */
export function writerGone(owner: TempOwner, touchedMs: number, now: number): boolean {
  if (owner.host === hostTag) return !processAlive(owner.pid);
  const untouched = now - touchedMs > ABANDONED_AFTER_MS;
  return owner.host === null ? untouched && !processAlive(owner.pid) : untouched;
}

/**
 * Removes the temporary files in `folder` that `ownerOf` recognises by name and whose writer is
 * gone (writerGone), each group whole, touched when its last-modified file was; returns how many
 * files went. A process killed while writing never removes its own temporary files, so the next
 * write of the same target does. A folder so named is a hidden folder of writeFilesAtomically's
 * and goes whole. Never fails: a folder or file that cannot be read or removed (missing, or
 * removed meanwhile by another process doing the same) is left as it is.
 */
export function removeAbandonedTemps(folder: string, ownerOf: (name: string) => TempOwner | null): number {
  const groups = new Map<string, { owner: TempOwner; names: string[]; touchedMs: number }>();
  for (const name of namesIn(folder)) {
    const owner = ownerOf(name);
    const touchedMs = owner ? modifiedMs(join(folder, name)) : null;
    if (!owner || touchedMs === null) continue;
    const group = groups.get(owner.group) ?? { owner, names: [], touchedMs };
    group.names.push(name);
    group.touchedMs = Math.max(group.touchedMs, touchedMs);
    groups.set(owner.group, group);
  }
  const now = Date.now();
  let removed = 0;
  for (const { owner, names, touchedMs } of groups.values()) {
    if (!writerGone(owner, touchedMs, now)) continue;
    for (const name of names) {
      try {
        rmSync(join(folder, name), { recursive: true, force: true });
        removed++;
      } catch {
        // Not ours to remove after all (no permission): it stays.
      }
    }
  }
  return removed;
}

function namesIn(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function modifiedMs(path: string): number | null {
  try {
    const stats = lstatSync(path);
    return stats.isFile() || stats.isDirectory() ? stats.mtimeMs : null;
  } catch {
    return null;
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
      makeFolders(dirname(target));
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
 * folder, or a file that may not be written), the temporary file is removed, an existing
 * `target` is left as it was, and the first error is thrown. Temporary files of `target` that
 * killed processes left are removed first (removeAbandonedTempsOf).
 *
 * A `target` that is no file to replace (writesThrough: /dev/null, a FIFO, /dev/stderr) is
 * opened and written through instead, in append mode, as a shell's `>>` would: a rename would
 * put a plain file where the device or pipe was, for every other program that uses that name.
 */
export async function writeStreamAtomically<T>(target: string, produce: (out: Writable) => Promise<T>): Promise<T> {
  if (writesThrough(target)) {
    const fd = openSync(target, 'a');
    try {
      return await streamInto(fd, produce);
    } finally {
      closeSync(fd);
    }
  }
  const { mode } = replacing(target);
  removeAbandonedTempsOf(target);
  const temp = tempBeside(target);
  const fd = openSync(temp, 'w');
  let closed = false;
  try {
    const result = await streamInto(fd, produce);
    closed = true;
    closeSync(fd);
    if (mode !== null) chmodSync(temp, mode);
    renameSync(temp, target);
    return result;
  } catch (thrown) {
    if (!closed) closeSync(fd);
    rmSync(temp, { force: true });
    throw thrown;
  }
}

/**
 * Whether `path` is to be written through rather than replaced: an existing thing that is not a
 * plain file or a folder (a character or block device, a FIFO, a socket), or a name of an open
 * descriptor (see descriptorNamed), whatever that descriptor is: `--out /dev/stderr 2> file.csv`
 * writes that file.
 */
export function writesThrough(path: string): boolean {
  if (descriptorName(path) !== null) return true;
  try {
    const stats = statSync(path);
    return !stats.isFile() && !stats.isDirectory();
  } catch {
    return false;
  }
}

/**
 * The descriptor of this process that `path` names: /dev/stdout (1), /dev/stderr (2), /dev/fd/N,
 * /proc/self/fd/N or /proc/<this pid>/fd/N (N), or a link leading to one; null for any other path.
 */
export function descriptorNamed(path: string): number | null {
  const [, standard, pid, fd] = descriptorName(path) ?? [];
  if (standard) return standard === 'stdout' ? 1 : 2;
  if (fd === undefined) return null;
  return pid === undefined || pid === 'self' || pid === 'thread-self' || Number(pid) === process.pid ? Number(fd) : null;
}

/** The name of a descriptor (any process's) that `path` is or leads to, followed link by link as the kernel follows them (40 at most, its limit too). */
function descriptorName(path: string): RegExpExecArray | null {
  let at = resolve(path);
  for (let hop = 0; hop < 40; hop++) {
    const named = DESCRIPTOR_NAME.exec(at);
    if (named) return named;
    try {
      at = resolve(dirname(at), readlinkSync(at));
    } catch {
      return null; // not a link (or not there): the end of the chain
    }
  }
  return null;
}

const DESCRIPTOR_NAME = /^\/(?:dev\/(stdout|stderr)|(?:dev|proc\/(self|thread-self|\d+))\/fd\/(\d+))$/;

/**
 * Runs `produce` on a stream whose bytes go to `fd`, and flushes them; the first failure to
 * write is thrown once `produce` returns. The stream writes synchronously through a buffer and
 * never fails itself: after a failed write it drops what follows. A stream that errors would
 * leave a producer waiting for a 'drain' that never comes.
 */
async function streamInto<T>(fd: number, produce: (out: Writable) => Promise<T>): Promise<T> {
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
  const result = await produce(sink);
  flush();
  if (failure) throw (failure as { error: unknown }).error;
  return result;
}

const flushBytes = 64 * 1024;
