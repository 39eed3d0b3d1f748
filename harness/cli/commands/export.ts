import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { basename, dirname, resolve } from 'node:path';
import { InputError, errorMessage } from '../../errors.js';
import { descriptorNamed, writeStreamAtomically } from '../../files.js';
import { fileInTheWay, namesFolderNotThere, statOrNull } from '../../folders.js';
import * as msg from '../../messages.js';
import { canonicalPath, displayPath, fileInFolder } from '../../paths.js';
import { exportFormats, exportTable, runColumnsOf, type ExportFormat, type ExportTable } from '../../store/export.js';
import { hasSqliteHeader } from '../../store/damage.js';
import { gridOf } from '../../manifest.js';
import { runState } from '../../run/status.js';
import { statusCounts } from '../../store/reader.js';
import { Store } from '../../store/store.js';
import { shellQuote } from '../../cluster/shell.js';
import { println } from '../io.js';
import { options, text } from '../options.js';
import type { Command } from './command.js';

export const exportCommand: Command = {
  name: 'export',
  command: 'export <db>',
  describe: 'Write a table of a results database as CSV or JSON, in a fixed order',
  builder: (y) =>
    y
      .positional('db', { type: 'string', describe: 'Results database' })
      .options({ ...options('format', 'table', 'out', 'results-only'), out: { type: 'string', describe: 'File to write, or - for stdout [default: stdout]' } }),
  async run(args, io) {
    // yargs checks each value against the choices; a repeated option is refused here.
    const table = text('table', args['table']) as ExportTable;
    // `-` is standard output, as POSIX utilities read it for a file to write, never a file named "-";
    // so is a name of it (/dev/stdout), which may be a socket that no open() reaches.
    const given = text('out', args['out']);
    const outPath = given === '-' || (given !== undefined && descriptorNamed(resolve(io.cwd, given)) === 1) ? undefined : given;
    const asked = text('format', args['format']) as ExportFormat | undefined;
    const resultsOnly = args['results-only'] === true;
    if (outPath) refuseOtherFile(outPath, asked, table, resultsOnly);
    const format = formatOf(asked, outPath);
    if (resultsOnly && runColumnsOf[table] === undefined) {
      throw new InputError(msg.optionInvalid('results-only', 'applies to --table trials or curves', table, 'Leave out --results-only, or export --table trials.'));
    }
    const dbPath = resolve(io.cwd, String(args['db']));
    // Before the database is opened: a refused export touches nothing.
    if (outPath) checkOut(outPath, resolve(io.cwd, outPath), dbPath, io.cwd, `${table}.${format}`);
    const store = Store.open(dbPath, 'read', io.cwd);
    try {
      const db = displayPath(dbPath, io.cwd);
      // Said last, on stderr, where a reader of the rows sees it apart from them.
      const incomplete = table === 'trials' || table === 'curves' ? incompleteStudy(store, db) : null;
      if (!outPath) {
        const stdout = new Writable({
          // Rows are made no faster than the reader takes them: the memory stays flat, and none
          // is left queued when the command returns.
          write(chunk: Buffer, _encoding, done) {
            if (io.stdout.write(chunk.toString()) === false && io.stdout.drained) void io.stdout.drained().then(() => done());
            else done();
          },
        });
        // A reader that left (`export db | head`) has what it wanted: the rows end there, exit 0.
        await exportTable(store, table, format, stdout, resultsOnly, () => io.stdout.gone?.() === true);
        if (incomplete) println(io.stderr, incomplete);
        return 0;
      }
      const target = resolve(io.cwd, outPath);
      let rows: number;
      try {
        rows = await writeStreamAtomically(target, (file) => exportTable(store, table, format, file, resultsOnly));
      } catch (thrown) {
        const problem = outProblem(thrown, target, io.cwd, `${table}.${format}`);
        if (problem) throw new InputError(msg.exportOutFailed(outPath, displayPath(target, io.cwd), problem));
        throw thrown;
      }
      println(io.stderr, msg.exportWritten(rows, table, displayPath(target, io.cwd)));
      if (incomplete) println(io.stderr, incomplete);
      return 0;
    } finally {
      store.close();
    }
  },
};

/** What an export of results leaves out, said as a warning: trials not yet run (or running), and failed ones; null for a finished study. */
function incompleteStudy(store: Store, db: string): string | null {
  const { ok, failed } = statusCounts(store);
  const expected = gridOf(store.requireManifest().body).count;
  const running = runState(store).running;
  return ok < expected || running ? msg.exportIncomplete(db, ok, failed, expected, running) : null;
}

/** The format a file's name ends in, if any. */
function namedFormat(name: string | undefined): ExportFormat | undefined {
  return exportFormats.find((f) => name?.toLowerCase().endsWith(`.${f}`));
}

/**
 * Refuses an --out named for a file export does not write; for a compressed one, the command
 * that writes it (this export's options, piped through the compressor).
 */
function refuseOtherFile(out: string, asked: ExportFormat | undefined, table: ExportTable, resultsOnly: boolean): void {
  const ext = Object.keys(OTHER_FILES).find((e) => out.toLowerCase().endsWith(e));
  if (ext === undefined) return;
  const { is, compressor } = OTHER_FILES[ext]!;
  const plain = out.slice(0, -ext.length);
  const format = asked ?? namedFormat(plain) ?? 'csv';
  const options = [...(format === 'csv' ? [] : ['--format', format]), ...(table === 'trials' ? [] : ['--table', table]), ...(resultsOnly ? ['--results-only'] : [])];
  const piped = compressor ? `harness export <db>${options.map((o) => ` ${o}`).join('')} | ${compressor} > ${shellQuote(out)}` : undefined;
  throw new InputError(msg.exportOutNamedOtherwise(out, out.slice(-ext.length), is, plain, piped));
}

/** Names of files export does not write, which readers (pandas, R, a desktop) go by; a compressor's command. */
const OTHER_FILES: Readonly<Record<string, { is: string; compressor?: string }>> = {
  '.gz': { is: 'a gzip file', compressor: 'gzip' },
  '.bz2': { is: 'a bzip2 file', compressor: 'bzip2' },
  '.xz': { is: 'an xz file', compressor: 'xz' },
  '.zst': { is: 'a zstd file', compressor: 'zstd' },
  '.lz4': { is: 'an lz4 file', compressor: 'lz4' },
  '.zip': { is: 'a zip archive' },
  '.tar': { is: 'a tar archive' },
  '.tgz': { is: 'a gzipped tar archive' },
  '.7z': { is: 'a 7-Zip archive' },
  '.tsv': { is: 'tab-separated values' },
  '.tab': { is: 'tab-separated values' },
  '.parquet': { is: 'a Parquet file' },
  '.feather': { is: 'a Feather file' },
  '.xlsx': { is: 'a spreadsheet' },
  '.xls': { is: 'a spreadsheet' },
  '.jsonl': { is: 'JSON lines' },
  '.ndjson': { is: 'JSON lines' },
};

/**
 * The format asked for, else the one --out's name ends in (.json or .csv), else CSV. A file named
 * for the other format, or for one export does not write, is refused: a reader goes by the name.
 */
function formatOf(asked: ExportFormat | undefined, out: string | undefined): ExportFormat {
  const named = namedFormat(out);
  if (asked !== undefined && named !== undefined && named !== asked) throw new InputError(msg.exportFormatNotNamed(asked, out!, named));
  return asked ?? named ?? 'csv';
}

/**
 * Refuses an --out that is the database itself or one of SQLite's files beside it (however it
 * is spelt: through a symlink, `..`, or a hard link), and one that is a folder or ends in "/"
 * (which names one), before any work.
 */
function checkOut(out: string, target: string, dbPath: string, cwd: string, example: string): void {
  if (existsSync(dbPath)) {
    const companions = ['', '-wal', '-shm', '-journal'];
    // SQLite names its -wal and -shm files after the database's real path; a link's name too, to be safe.
    const bases = new Set([canonicalPath(dbPath), resolve(canonicalPath(dirname(dbPath)), basename(dbPath))]);
    const forbidden = new Set([...bases].flatMap((base) => companions.map((suffix) => `${base}${suffix}`)));
    const outStat = statOrNull(target);
    const sameInode = (path: string) => {
      const other = statOrNull(path);
      return outStat !== null && other !== null && other.dev === outStat.dev && other.ino === outStat.ino;
    };
    if (forbidden.has(canonicalPath(target)) || [...forbidden].some(sameInode)) {
      throw new InputError(msg.exportOutIsDatabase(out, displayPath(dbPath, cwd)));
    }
  }
  if (statOrNull(target)?.isDirectory()) {
    throw new InputError(msg.exportOutFailed(out, displayPath(target, cwd), { kind: 'is-folder', example: fileInFolder(out, example) }));
  }
  if (namesFolderNotThere(out, target)) throw new InputError(msg.exportOutFailed(out, displayPath(target, cwd), { kind: 'names-folder', example: fileInFolder(out, example) }));
  // Another study's results are no less precious than this one's.
  if (hasSqliteHeader(target)) throw new InputError(msg.exportOutIsOtherDatabase(out, example));
}


/** What went wrong writing `target`, for a file-system error (null for anything else: a bug). */
function outProblem(thrown: unknown, target: string, cwd: string, example: string): msg.ExportOutProblem | null {
  const { code, syscall } = thrown as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof syscall !== 'string') return null;
  const folder = dirname(target);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR': {
      const blocker = fileInTheWay(folder);
      if (blocker) return { kind: 'not-a-folder', blocker: displayPath(blocker, cwd) };
      if (!existsSync(folder)) return { kind: 'no-folder', folder: displayPath(folder, cwd) };
      break;
    }
    case 'EISDIR':
      return { kind: 'is-folder', example: `${displayPath(target, cwd)}/${example}` };
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      // The check of an existing file, which writeStreamAtomically refuses to replace when it may not be written.
      if (syscall === 'access' && code !== 'EROFS') return { kind: 'read-only-file', code };
      return { kind: 'not-writable', folder: displayPath(folder, cwd), code };
    case 'ENOSPC':
    case 'EDQUOT':
      return { kind: 'disk-full', code };
  }
  return { kind: 'other', reason: errorMessage(thrown) };
}
