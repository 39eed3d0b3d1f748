/**
 * A folder that cannot be made where its parent exists: under /proc the kernel answers ENOENT
 * to every mkdir, and Node's own recursive mkdir then retries the parent and the child forever
 * at full CPU, deaf to Ctrl-C and SIGTERM. The harness makes its folders itself (makeFolders):
 * `harness run --db` and `harness report --out` there exit 2 at once, naming the folder, and a
 * figure cache there is simply not used. Each command runs in a child process that a watchdog
 * kills, so that a regression fails the test instead of hanging it.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeFolders } from '../../harness/files.js';
import * as msg from '../../harness/messages.js';
import { cli, fixtures, noopStudy, reportFiles, tempDir, writeStudy } from '../harness/helpers.js';
import { startHarness, type Exit } from './helpers.js';

const dir = tempDir();
/** A folder under /proc that no process has: mkdir answers ENOENT there. */
const procFolder = `/proc/harness-no-such-folder-${process.pid}`;
const hasProc = existsSync('/proc/self');
const WATCHDOG_MS = 60_000;

/** `harness <argv>` to its end, or SIGKILLed by the watchdog (SIGTERM would not stop a spin). */
async function harness(argv: string[], env: Record<string, string> = {}): Promise<Exit> {
  const run = startHarness(argv, { cwd: dir, env });
  const watchdog = setTimeout(() => run.child.kill('SIGKILL'), WATCHDOG_MS);
  try {
    return await run.exited;
  } finally {
    clearTimeout(watchdog);
  }
}

function needsProc(ctx: { skip(): void }): void {
  if (!hasProc) {
    console.warn('skipped: no /proc file system on this machine');
    ctx.skip();
  }
}

describe('makeFolders', () => {
  let cwd: string;
  let base: string;
  beforeEach(() => {
    base = tempDir('harness-folders-');
    cwd = process.cwd();
    process.chdir(base);
  });
  afterEach(() => process.chdir(cwd));

  it("creates the missing folders and returns the topmost it created, in the form given, as Node's mkdir does", () => {
    expect(makeFolders(join('a', 'b', 'c'))).toBe('a');
    expect(existsSync(join(base, 'a', 'b', 'c'))).toBe(true);
    expect(makeFolders(join('a', 'b', 'c'))).toBeUndefined();
    expect(makeFolders(join(base, 'a', 'x', 'y'))).toBe(join(base, 'a', 'x'));
    expect(makeFolders(join('a', 'b', 'c', 'd') + '/')).toBe(join('a', 'b', 'c', 'd') + '/');
    expect(existsSync(join(base, 'a', 'b', 'c', 'd'))).toBe(true);
  });

  it('throws EEXIST for what is in the way: a file, or a link that leads nowhere', () => {
    writeFileSync('file', '');
    expect(() => makeFolders('file')).toThrow(expect.objectContaining({ code: 'EEXIST', path: 'file' }));
    expect(() => makeFolders(join('file', 'x'))).toThrow(expect.objectContaining({ code: 'EEXIST', path: 'file' }));
    symlinkSync(join(base, 'nowhere'), 'dangling');
    expect(() => makeFolders(join('dangling', 'x'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(existsSync(join(base, 'nowhere'))).toBe(false);
  });

  it('creates only what is missing below the folders already there', () => {
    mkdirSync(join('here', 'there'), { recursive: true });
    expect(makeFolders(join('here', 'there', 'new'))).toBe(join('here', 'there', 'new'));
  });

  it('throws ENOENT under /proc instead of spinning', (ctx) => {
    needsProc(ctx);
    expect(() => makeFolders(join(procFolder, 'x'))).toThrow(expect.objectContaining({ code: 'ENOENT', path: procFolder }));
  });
});

describe('a folder under /proc', () => {
  beforeAll(async () => {
    // A report with a figure, so that the figure cache is opened.
    writeStudy(dir, 'proc.yaml', noopStudy({ name: 'proc', experiment: join(fixtures, 'experiments', 'noop-figure.ts') }));
    expect((await cli(['run', 'proc.yaml', '--db', 'proc.sqlite'], dir)).code).toBe(0);
  });

  it('as the database\'s folder: run exits 2 at once, naming the folder that could not be made; nothing is written', async (ctx) => {
    needsProc(ctx);
    const db = join(procFolder, 'x.sqlite');
    const exit = await harness(['run', 'proc.yaml', '--db', db]);
    const reason = `ENOENT: no such file or directory, mkdir '${procFolder}'`;
    expect({ code: exit.code, signal: exit.signal, stdout: exit.stdout, stderr: exit.stderr }).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: `${msg.dbCannotOpen(db, reason)}\n`,
    });
    expect(existsSync(procFolder)).toBe(false);
  }, WATCHDOG_MS + 10_000);

  it('as the report folder: report exits 2 naming the folder it could not create, and writes nothing', async (ctx) => {
    needsProc(ctx);
    const out = join(procFolder, 'report');
    const exit = await harness(['report', 'proc.sqlite', '--out', out]);
    const expected = msg.reportFolderUnusable(out, out, msg.folderProblem.failed('creating', procFolder, 'ENOENT'));
    expect({ code: exit.code, signal: exit.signal, stdout: exit.stdout, last: exit.stderr.split('\n').slice(-2) }).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      last: [expected, ''],
    });
    expect(existsSync(procFolder)).toBe(false);
    expect(expected).toContain(`creating ${procFolder} failed: no such file or folder (ENOENT). Nothing was written.`);
  }, WATCHDOG_MS + 10_000);

  it('as the figure cache: the report is written as without a cache, the same files', async (ctx) => {
    needsProc(ctx);
    const without = await harness(['report', 'proc.sqlite', '--out', 'uncached'], { HARNESS_RENDER_CACHE: 'off' });
    const exit = await harness(['report', 'proc.sqlite', '--out', 'proc-cache'], { HARNESS_RENDER_CACHE: join(procFolder, 'cache') });
    expect([without.code, exit.code, exit.signal]).toEqual([0, 0, null]);
    expect([...reportFiles(join(dir, 'uncached')).keys()].some((file) => file.endsWith('.png'))).toBe(true);
    expect(reportFiles(join(dir, 'proc-cache'))).toEqual(reportFiles(join(dir, 'uncached')));
  }, 2 * WATCHDOG_MS + 10_000);
});
