/**
 * `harness export --out`: a path that is the database being exported (however it is spelt) is
 * refused before anything is touched, and every way of failing to write the file (no such
 * folder, a file in the way, a folder named, a read-only folder, a full disk) exits 2 with a
 * message naming --out, the path, the reason and a fix, leaves no temporary file, and leaves an
 * existing file at --out as it was. A file replaced keeps its permissions; one that may not be
 * written is refused; a symlink is replaced, never what it points to. A device, a FIFO or a name
 * of standard output is written through, never replaced.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { descriptorNamed, writeStreamAtomically, writesThrough } from '../../harness/files.js';
import * as msg from '../../harness/messages.js';
import { runHarness, smallDisk } from '../reliability/helpers.js';
import { cli, noopStudy, tempDir, writeStudy } from './helpers.js';

const dir = tempDir('harness-export-out-');
const db = 'results/exportout.sqlite';
const isRoot = process.getuid?.() === 0;
let dbBytes: Buffer;

/**
 * The command as any user runs it, to whom files' modes apply. Root writes anywhere: as root, a
 * real process without root's file-override capabilities.
 */
async function asAnyUser(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!isRoot) return cli(argv, dir);
  const { code, stdout, stderr } = await runHarness(argv, { cwd: dir, withoutFileOverride: true });
  return { code, stdout, stderr };
}

/** Every file under `folder` (relative paths, sorted), to show nothing was added or left. */
function tree(folder: string): string[] {
  return (readdirSync(folder, { recursive: true }) as string[]).sort();
}

beforeAll(async () => {
  writeStudy(dir, 'noop.yaml', noopStudy({ name: 'exportout' }));
  const run = await cli(['run', 'noop.yaml', '--threads', '1'], dir);
  expect(run.code).toBe(0);
  dbBytes = readFileSync(join(dir, db));
});

describe('export --out naming the database', () => {
  it('refuses the database itself, its -wal/-shm files and other spellings of it, touching nothing', async () => {
    mkdirSync(join(dir, 'spellings'));
    symlinkSync(join(dir, db), join(dir, 'spellings', 'link.csv'));
    symlinkSync(join(dir, 'results'), join(dir, 'spellings', 'alias'));
    linkSync(join(dir, db), join(dir, 'spellings', 'hard.csv'));
    const before = tree(dir);
    const outs = [
      db,
      `./results/../${db}`,
      join(dir, db),
      'spellings/link.csv',
      'spellings/alias/exportout.sqlite',
      'spellings/hard.csv',
      `${db}-wal`,
      `${db}-shm`,
      'spellings/alias/exportout.sqlite-wal',
    ];
    for (const out of outs) {
      const result = await cli(['export', db, '--out', out], dir);
      expect({ out, ...result }).toEqual({ out, code: 2, stdout: '', stderr: `${msg.exportOutIsDatabase(out, db)}\n` });
      expect(readFileSync(join(dir, db)).equals(dbBytes)).toBe(true);
      expect(tree(dir)).toEqual(before);
    }
    // The database named through a link, --out its real path.
    symlinkSync(join(dir, db), join(dir, 'spellings', 'db-link.sqlite'));
    const linked = await cli(['export', 'spellings/db-link.sqlite', '--out', db], dir);
    expect(linked).toEqual({ code: 2, stdout: '', stderr: `${msg.exportOutIsDatabase(db, 'spellings/db-link.sqlite')}\n` });
    expect(readFileSync(join(dir, db)).equals(dbBytes)).toBe(true);
  });
});

describe('export --out naming another database', () => {
  it('refuses any SQLite database, another study\'s results too, and leaves it as it was', async () => {
    writeStudy(dir, 'other.yaml', noopStudy({ name: 'other' }));
    expect((await cli(['run', 'other.yaml', '--threads', '1'], dir)).code).toBe(0);
    const other = 'results/other.sqlite';
    const otherBytes = readFileSync(join(dir, other));
    for (const format of ['csv', 'json']) {
      const result = await cli(['export', db, '--format', format, '--out', other], dir);
      expect(result).toEqual({ code: 2, stdout: '', stderr: `${msg.exportOutIsOtherDatabase(other, `trials.${format}`)}\n` });
      expect(readFileSync(join(dir, other)).equals(otherBytes)).toBe(true);
    }
    // An existing file that is not a database is replaced, as --out promises.
    writeFileSync(join(dir, 'old.csv'), 'stale\n');
    expect((await cli(['export', db, '--out', 'old.csv'], dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'old.csv'), 'utf8')).toMatch(/^cell_index,/);
  });
});

describe('export --out that cannot be written', () => {
  it('says there is no such folder, or a file is in the way, and leaves nothing behind', async () => {
    writeFileSync(join(dir, 'plain.txt'), 'a file\n');
    const before = tree(dir);
    const cases: [string, msg.ExportOutProblem][] = [
      ['nowhere/x.csv', { kind: 'no-folder', folder: 'nowhere' }],
      ['nowhere/deeper/x.csv', { kind: 'no-folder', folder: 'nowhere/deeper' }],
      ['plain.txt/x.csv', { kind: 'not-a-folder', blocker: 'plain.txt' }],
      ['plain.txt/sub/x.csv', { kind: 'not-a-folder', blocker: 'plain.txt' }],
    ];
    for (const [out, problem] of cases) {
      const result = await cli(['export', db, '--out', out], dir);
      expect({ out, ...result }).toEqual({ out, code: 2, stdout: '', stderr: `${msg.exportOutFailed(out, out, problem)}\n` });
      expect(tree(dir)).toEqual(before);
    }
  });

  it('says --out is a folder and suggests a file inside it', async () => {
    mkdirSync(join(dir, 'outdir'));
    writeFileSync(join(dir, 'outdir', 'keep.txt'), 'keep\n');
    const before = tree(dir);
    for (const [out, shown] of [
      ['outdir', 'outdir'],
      ['outdir/', 'outdir'],
    ] as const) {
      const result = await cli(['export', db, '--table', 'curves', '--format', 'json', '--out', out], dir);
      expect({ out, ...result }).toEqual({
        out,
        code: 2,
        stdout: '',
        stderr: `${msg.exportOutFailed(out, shown, { kind: 'is-folder', example: 'outdir/curves.json' })}\n`,
      });
      expect(tree(dir)).toEqual(before);
      expect(readFileSync(join(dir, 'outdir', 'keep.txt'), 'utf8')).toBe('keep\n');
    }
  });

  it('says an --out ending in "/" names a folder where none is, and writes nothing', async () => {
    writeFileSync(join(dir, 'kept.csv'), 'kept\n');
    const before = tree(dir);
    for (const [out, shown] of [
      ['newdir/', 'newdir'],
      ['kept.csv/', 'kept.csv'],
    ] as const) {
      const result = await cli(['export', db, '--out', out], dir);
      const example = `${shown}/trials.csv`;
      expect({ out, ...result }).toEqual({ out, code: 2, stdout: '', stderr: `${msg.exportOutFailed(out, shown, { kind: 'names-folder', example })}\n` });
      expect(tree(dir)).toEqual(before);
      expect(readFileSync(join(dir, 'kept.csv'), 'utf8')).toBe('kept\n');
    }
  });

  it('says the folder is not writable, and keeps the file already there', async () => {
    mkdirSync(join(dir, 'locked'));
    writeFileSync(join(dir, 'locked', 'old.csv'), 'old contents\n');
    chmodSync(join(dir, 'locked'), 0o555);
    onTestFinished(() => chmodSync(join(dir, 'locked'), 0o755));
    const result = await asAnyUser(['export', db, '--out', 'locked/old.csv']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `${msg.exportOutFailed('locked/old.csv', 'locked/old.csv', { kind: 'not-writable', folder: 'locked', code: 'EACCES' })}\n`,
    });
    expect(readdirSync(join(dir, 'locked'))).toEqual(['old.csv']);
    expect(readFileSync(join(dir, 'locked', 'old.csv'), 'utf8')).toBe('old contents\n');
  });

  describe('a full disk', () => {
    const mount = join(dir, 'mnt');
    const disk = smallDisk(mount, '64k');

    it('says the disk is full, removes its temporary file and keeps the file already there', async (ctx) => {
      disk.skipUnlessMounted(ctx);
      for (const name of ['old.csv', 'old.txt']) writeFileSync(join(mount, name), 'old contents\n');
      try {
        writeFileSync(join(mount, 'filler'), Buffer.alloc(1 << 20));
      } catch (thrown) {
        expect((thrown as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
      for (const format of ['csv', 'json']) {
        const result = await cli(['export', db, '--format', format, '--out', `mnt/old.${format === 'csv' ? 'csv' : 'txt'}`], dir);
        expect({ format, ...result }).toEqual({
          format,
          code: 2,
          stdout: '',
          stderr: `${msg.exportOutFailed(`mnt/old.${format === 'csv' ? 'csv' : 'txt'}`, `mnt/old.${format === 'csv' ? 'csv' : 'txt'}`, { kind: 'disk-full', code: 'ENOSPC' })}\n`,
        });
        expect(readdirSync(mount).sort()).toEqual(['filler', 'old.csv', 'old.txt']);
        expect(readFileSync(join(mount, `old.${format === 'csv' ? 'csv' : 'txt'}`), 'utf8')).toBe('old contents\n');
      }
    });
  });

  it('refuses a file there that may not be written, as cp would, and keeps it', async () => {
    writeFileSync(join(dir, 'protected.csv'), 'protected\n');
    chmodSync(join(dir, 'protected.csv'), 0o444);
    const result = await asAnyUser(['export', db, '--out', 'protected.csv']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `${msg.exportOutFailed('protected.csv', 'protected.csv', { kind: 'read-only-file', code: 'EACCES' })}\n`,
    });
    expect(readFileSync(join(dir, 'protected.csv'), 'utf8')).toBe('protected\n');
    expect(statSync(join(dir, 'protected.csv')).mode & 0o777).toBe(0o444);
  });

  it('keeps the permissions of the file it replaces; replaces a symlink itself, never what it points to', async () => {
    writeFileSync(join(dir, 'private.csv'), 'old\n');
    chmodSync(join(dir, 'private.csv'), 0o600);
    expect((await cli(['export', db, '--out', 'private.csv'], dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'private.csv'), 'utf8')).toBe((await cli(['export', db], dir)).stdout);
    expect(statSync(join(dir, 'private.csv')).mode & 0o777).toBe(0o600);
    // Writing through a link would put the bytes wherever it points (a database's -wal file, another folder), past every check of --out.
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'kept.csv'), 'kept\n');
    symlinkSync(join('elsewhere', 'kept.csv'), join(dir, 'link.csv'));
    symlinkSync(join('elsewhere', 'none.csv'), join(dir, 'dangling.csv'));
    for (const out of ['link.csv', 'dangling.csv']) {
      expect((await cli(['export', db, '--out', out], dir)).code).toBe(0);
      expect(lstatSync(join(dir, out)).isFile()).toBe(true);
    }
    expect(readFileSync(join(dir, 'elsewhere', 'kept.csv'), 'utf8')).toBe('kept\n');
    expect(tree(join(dir, 'elsewhere'))).toEqual(['kept.csv']);
  });

  it('still writes a good --out, replacing the file there', async () => {
    writeFileSync(join(dir, 'trials.csv'), 'old\n');
    const result = await cli(['export', db, '--out', 'trials.csv'], dir);
    expect(result).toEqual({ code: 0, stdout: '', stderr: `${msg.exportWritten(27, 'trials', 'trials.csv')}\n` });
    expect(readFileSync(join(dir, 'trials.csv'), 'utf8')).toBe((await cli(['export', db], dir)).stdout);
  });
});

describe('export --out a device, a pipe or a descriptor', () => {
  // Each is reached through a link in the test's folder: were it replaced, the link would go, never the machine's /dev/null or /dev/stdout.
  it('writes through /dev/null and a FIFO, leaving each what it was', async () => {
    const folder = join(dir, 'special');
    mkdirSync(folder);
    symlinkSync('/dev/null', join(folder, 'null.csv'));
    const toNull = await cli(['export', db, '--out', 'special/null.csv'], dir);
    expect(toNull).toEqual({ code: 0, stdout: '', stderr: `${msg.exportWritten(27, 'trials', 'special/null.csv')}\n` });
    expect(lstatSync(join(folder, 'null.csv')).isSymbolicLink()).toBe(true);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    // A reader at the FIFO's other end gets every row, and the FIFO stays one.
    execFileSync('mkfifo', [join(folder, 'rows.fifo')]);
    const reader = spawn('sh', ['-c', 'cat rows.fifo > got.csv'], { cwd: folder });
    const read = once(reader, 'exit');
    expect((await cli(['export', db, '--out', 'special/rows.fifo'], dir)).code).toBe(0);
    expect((await read)[0]).toBe(0);
    expect(readFileSync(join(folder, 'got.csv'), 'utf8')).toBe((await cli(['export', db], dir)).stdout);
    expect(lstatSync(join(folder, 'rows.fifo')).isFIFO()).toBe(true);
    expect(tree(folder)).toEqual(['got.csv', 'null.csv', 'rows.fifo']);
  });

  it('writes /dev/stdout (or a link to it) to whatever standard output is', async () => {
    const folder = join(dir, 'descriptor');
    mkdirSync(folder);
    symlinkSync('/dev/stdout', join(folder, 'out.csv'));
    const piped = await runHarness(['export', db, '--out', 'descriptor/out.csv'], { cwd: dir });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe((await cli(['export', db], dir)).stdout);
    expect(lstatSync(join(folder, 'out.csv')).isSymbolicLink()).toBe(true);
    expect(tree(folder)).toEqual(['out.csv']);
  });

  it('tells what to write through from what to replace, and which descriptor a name is', () => {
    const folder = join(dir, 'kinds');
    mkdirSync(folder);
    writeFileSync(join(folder, 'plain.csv'), 'plain\n');
    symlinkSync('plain.csv', join(folder, 'to-plain.csv'));
    symlinkSync('/proc/self/fd/1', join(folder, 'to-fd.csv'));
    const through = ['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/fd/1', '/proc/self/fd/2', '/proc/1/fd/0', join(folder, 'to-fd.csv')];
    const replaced = [join(folder, 'plain.csv'), join(folder, 'to-plain.csv'), join(folder, 'missing.csv'), folder, '/dev/shm/x.csv'];
    expect(through.filter((path) => !writesThrough(path))).toEqual([]);
    expect(replaced.filter(writesThrough)).toEqual([]);
    // This process's descriptors by number, another's not at all.
    const named = ['/dev/stdout', '/dev/stderr', '/dev/fd/7', `/proc/${process.pid}/fd/3`, join(folder, 'to-fd.csv'), '/proc/1/fd/0', '/dev/null'].map(descriptorNamed);
    expect(named).toEqual([1, 2, 7, 3, 1, process.pid === 1 ? 0 : null, null]);
  });
});

describe('writeStreamAtomically', () => {
  it('puts the file in place only when the producer finishes, and leaves nothing when it throws', async () => {
    const folder = join(dir, 'stream');
    mkdirSync(folder);
    const target = join(folder, 'out.txt');
    writeFileSync(target, 'before\n');
    await expect(
      writeStreamAtomically(target, async (out) => {
        out.write('partial');
        throw new Error('producer failed');
      }),
    ).rejects.toThrow('producer failed');
    expect(readdirSync(folder)).toEqual(['out.txt']);
    expect(readFileSync(target, 'utf8')).toBe('before\n');
    const big = 'x'.repeat(200_000);
    // A producer that waits for 'drain' (as exportTable does) gets it.
    const result = await writeStreamAtomically(target, async (out) => {
      out.write('a');
      if (!out.write(big)) await once(out, 'drain');
      out.write('b');
      return 3;
    });
    expect(result).toBe(3);
    expect(readFileSync(target, 'utf8')).toBe(`a${big}b`);
    expect(readdirSync(folder)).toEqual(['out.txt']);
  });
});

describe('export --results-only', () => {
  it('gives the same bytes for the same results however they were run; refuses a table it does not apply to', async () => {
    // Once in one go; once as a first shard, then the rest: the run ids and durations differ.
    expect((await cli(['run', 'noop.yaml', '--db', 'whole.sqlite', '--threads', '2'], dir)).code).toBe(0);
    expect((await cli(['run', 'noop.yaml', '--db', 'resumed.sqlite', '--threads', '1', '--shard', '0/2'], dir)).code).toBe(0);
    expect((await cli(['run', 'noop.yaml', '--db', 'resumed.sqlite', '--threads', '1'], dir)).code).toBe(0);
    const exported = async (path: string, ...extra: string[]) => {
      const out = await cli(['export', path, ...extra], dir);
      expect(out.code, out.stderr).toBe(0);
      return out.stdout;
    };
    expect(await exported('whole.sqlite')).not.toBe(await exported('resumed.sqlite'));
    for (const format of ['csv', 'json']) {
      const whole = await exported('whole.sqlite', '--results-only', '--format', format);
      expect(whole).toBe(await exported('resumed.sqlite', '--results-only', '--format', format));
      expect(whole).not.toMatch(/duration_ms|run_id/);
      expect(whole).toContain('cell_index');
    }
    expect(await exported('whole.sqlite', '--results-only', '--table', 'curves')).toBe(await exported('whole.sqlite', '--table', 'curves'));
    const refused = await cli(['export', 'whole.sqlite', '--results-only', '--table', 'runs'], dir);
    expect(refused).toEqual({ code: 2, stdout: '', stderr: `${msg.optionInvalid('results-only', 'applies to --table trials or curves', 'runs', 'Leave out --results-only, or export --table trials.')}\n` });
  });
});
