/**
 * `harness slurm --out` on a folder that cannot take the scripts: a file, a folder inside a
 * file, a read-only or not writable folder, a full disk. Each ends with exit 2 and a message
 * naming --out, the path, the reason and a fix; a given --out is checked before the pilot; and
 * the scripts are written atomically, so a failed write leaves no part of a file (and an
 * earlier plan in the folder as it was).
 *
 * The read-only folder and the full disk are real: a small tmpfs mounted for the test (as
 * root, as CI runs; elsewhere those cases are skipped with the reason). "Permission denied"
 * needs a process that file modes apply to: as root, a real process without root's
 * file-override capabilities.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as msg from '../../harness/cluster/messages.js';
import { folderProblem } from '../../harness/messages.js';
import { cli, fixtures, noopModule, writeStudy } from '../harness/helpers.js';
import { fileModesCannotApply, isRoot, runHarness, smallDisk } from '../reliability/helpers.js';

const study = join(fixtures, 'studies', 'noop.yaml');
const dir = mkdtempSync(join(tmpdir(), 'harness-slurm-out-'));
/** An empty PATH folder: no scontrol to ask, so MaxArraySize is Slurm's default. */
const noSlurm = join(dir, 'no-slurm');

beforeAll(() => mkdirSync(noSlurm));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const slurm = (args: string[], cwd = dir) => cli(['slurm', study, '--pilot', '0', ...args], cwd, { env: { PATH: noSlurm } });
const refused = (message: string) => ({ code: 2, stdout: '', stderr: `${message}\n` });

/** Every file under `root` with its bytes (folders as null), to compare before and after. */
function tree(root: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out[path] = null;
        walk(path);
      } else out[path] = readFileSync(join(root, path), 'latin1');
    }
  };
  if (existsSync(root)) walk('');
  return out;
}

describe('an --out that is no folder', () => {
  it('refuses a file, and a folder inside a file, naming --out, the path and the fix', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'keep me');
    expect(await slurm(['--out', file])).toEqual(refused(msg.outUnusable(file, file, folderProblem.isFile(file))));
    const inside = join(file, 'shards');
    expect(await slurm(['--out', inside])).toEqual(refused(msg.outUnusable(inside, inside, folderProblem.insideFile(file))));
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    const text = msg.outUnusable(file, file, folderProblem.isFile(file));
    expect(text).toMatch(/^--out: must be a folder the scripts can be written into: .* is a file, not a folder; received ".*a-file"\. No file was written\. Give --out another folder/);
  });

  it('refuses a folder where a folder stands in the way of a file it writes, or a file in the way of logs/', async () => {
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'cluster-plan.json'), { recursive: true });
    const plan = join(blocked, 'cluster-plan.json');
    expect(await slurm(['--out', blocked])).toEqual(refused(msg.outUnusable(blocked, blocked, msg.outProblem.folderInTheWay(plan))));
    expect(tree(blocked)).toEqual({ 'cluster-plan.json': null });
    const noLogs = join(dir, 'no-logs');
    mkdirSync(noLogs);
    writeFileSync(join(noLogs, 'logs'), '');
    expect(await slurm(['--out', noLogs])).toEqual(refused(msg.outUnusable(noLogs, noLogs, folderProblem.isFile(join(noLogs, 'logs')))));
    expect(tree(noLogs)).toEqual({ logs: '' });
  });

  it('refuses the default folder the same way, pointing to --out', async () => {
    const cwd = join(dir, 'cwd');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'results'), '');
    const out = join(cwd, 'results', 'noop-small');
    const result = await slurm([], cwd);
    expect(result).toEqual(refused(msg.outUnusable(null, out, folderProblem.insideFile(join(cwd, 'results')))));
    expect(result.stderr).toContain('Give another folder with --out DIR');
  });

  it('checks a given --out before the pilot', async () => {
    // Every group the pilot runs appends to `ran`: the refusal must come before any.
    const ran = join(dir, 'pilot-groups');
    const piloted = writeStudy(dir, 'piloted.yaml', { name: 'piloted', experiment: noopModule, seeds: 3, axes: { color: ['red'], size: ['s'] }, params: { touch: ran } });
    const file = join(dir, 'a-file');
    const result = await cli(['slurm', piloted, '--pilot', '2', '--out', file], dir, { env: { PATH: noSlurm } });
    expect(result).toEqual(refused(msg.outUnusable(file, file, folderProblem.isFile(file))));
    expect(existsSync(ran)).toBe(false);
    // The same command with a usable --out runs its pilot, so the file above would have shown one.
    const usable = await cli(['slurm', piloted, '--pilot', '2', '--out', join(dir, 'piloted-out')], dir, { env: { PATH: noSlurm } });
    expect(usable.code, usable.stderr).toBe(0);
    expect(readFileSync(ran, 'utf8').split('\n').length).toBeGreaterThan(1);
  });
});

describe('a folder that may not be written', () => {
  it('refuses it with "permission denied", writing nothing', async (ctx) => {
    const cannot = fileModesCannotApply();
    if (cannot) {
      console.warn(`skipped: ${cannot}`);
      ctx.skip();
    }
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    try {
      const out = join(locked, 'shards');
      const exit = await runHarness(['slurm', study, '--pilot', '0', '--out', out], {
        cwd: dir,
        env: { PATH: `${noSlurm}:/usr/bin:/bin` },
        withoutFileOverride: isRoot,
      });
      expect({ code: exit.code, stdout: exit.stdout, stderr: exit.stderr }).toEqual(refused(msg.outUnusable(out, out, folderProblem.notWritable(locked, 'EACCES'))));
      expect(readdirSync(locked)).toEqual([]);
    } finally {
      chmodSync(locked, 0o755);
    }
  });
});

describe('a read-only file system and a full disk', () => {
  const mount = join(dir, 'mnt');
  const disk = smallDisk(mount, '64k');

  it('on a full disk: exit 2 naming the file and the reason, no part of a file, an earlier plan kept', async (ctx) => {
    disk.skipUnlessMounted(ctx);
    const earlier = join(mount, 'earlier');
    expect((await slurm(['--out', earlier, '--array-size', '3'])).code).toBe(0);
    const before = tree(earlier);
    expect(Object.keys(before).sort()).toEqual(['array.sbatch', 'cluster-plan.json', 'logs', 'merge.sbatch']);
    // Fill the file system to the last page.
    try {
      writeFileSync(join(mount, 'filler'), Buffer.alloc(128 * 1024, 1));
    } catch (thrown) {
      expect((thrown as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }

    // A new folder: no empty or cut-off script is left behind.
    const fresh = join(mount, 'fresh');
    const first = await slurm(['--out', fresh]);
    expect(first).toEqual(refused(msg.outUnusable(fresh, fresh, folderProblem.failed('writing', join(fresh, 'array.sbatch'), 'ENOSPC'))));
    expect(first.stderr).toContain('no space left on device (ENOSPC)');
    expect(tree(fresh)).toEqual({});

    // A folder with an earlier plan: the new one needs room beside the old files, which stay whole.
    const again = await slurm(['--out', earlier, '--array-size', '2']);
    expect(again).toEqual(refused(msg.outUnusable(earlier, earlier, folderProblem.failed('writing', join(earlier, 'array.sbatch'), 'ENOSPC'))));
    expect(tree(earlier)).toEqual(before);
  });

  it('on a read-only file system: exit 2 before any work, naming the folder', async (ctx) => {
    disk.skipUnlessMounted(ctx);
    execFileSync('mount', ['-o', 'remount,ro', mount]);
    try {
      const out = join(mount, 'ro');
      expect(await slurm(['--out', out])).toEqual(refused(msg.outUnusable(out, out, folderProblem.notWritable(mount, 'EROFS'))));
      expect(existsSync(out)).toBe(false);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mount]);
    }
  });
});
