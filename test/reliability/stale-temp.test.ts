/**
 * Temporary files that a killed process left behind: the next write of the same target removes
 * those whose writer is gone, so a report rerun into its folder, an export rerun to its file and
 * a merge rerun into its database leave exactly what an uninterrupted command leaves; one whose
 * writer is alive, or may be (another host's, or an older harness's name without a host, while
 * recent), stays.
 *
 * Export and merge are SIGKILLed for real while their temporary file exists. A report's
 * temporary files live for the microseconds of one write, too briefly to kill it at will, so
 * theirs are made as a killed report leaves them: named after a pid that is not alive.
 */
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ABANDONED_AFTER_MS, hostTag } from '../../harness/files.js';
import { dumpResults, fixtures, noopModule, noopStudy, reportFiles, tempDir, writeStudy } from '../harness/helpers.js';
import { deadPid, pollUntil, runHarness, startHarness } from './helpers.js';

const dir = tempDir('harness-stale-temp-');
const at = (...parts: string[]) => join(dir, ...parts);
const otherHost = hostTag === '00000000' ? 'ffffffff' : '00000000';
const opts = { cwd: dir };

/** Creates a file as a writer left it, last touched `ageMs` ago. */
function leave(path: string, ageMs = 0): string {
  writeFileSync(path, 'half of a file');
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
  return path;
}

/** Every entry under `folder`, hidden ones too, sorted. */
function listing(folder: string): string[] {
  return (readdirSync(folder, { recursive: true }) as string[]).sort();
}

async function expectOk(argv: string[]): Promise<void> {
  const exit = await runHarness(argv, opts);
  expect(exit.code, exit.stderr).toBe(0);
}

/**
 * Starts `harness <argv>` and SIGKILLs it as soon as `folder` holds an entry matching `temp`;
 * tries again (up to 5 times) when the command finished first. Returns what it left.
 */
async function killWhileWriting(argv: string[], folder: string, temp: RegExp): Promise<string[]> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const child = startHarness(argv, opts);
    const exited = () => child.child.exitCode !== null || child.child.signalCode !== null;
    const seen = await pollUntil(() => listing(folder).filter((name) => temp.test(name)), (names) => names.length > 0, exited, 1);
    if (seen) child.child.kill('SIGKILL');
    const exit = await child.exited;
    const left = listing(folder).filter((name) => temp.test(name));
    if (exit.signal === 'SIGKILL' && left.length) return left;
  }
  throw new Error(`harness ${argv.join(' ')} finished every time before it could be killed while writing`);
}

beforeAll(async () => {
  writeStudy(dir, 'small.yaml', noopStudy({ name: 'small', experiment: join(fixtures, 'experiments', 'noop-figure.ts') }));
  // 18,000 trials: an export or merge of them writes its temporary file for a while.
  writeStudy(dir, 'big.yaml', noopStudy({ name: 'big', seeds: 2000 }));
  await expectOk(['run', 'small.yaml', '--db', 'small.sqlite', '--threads', '1']);
  await expectOk(['run', 'big.yaml', '--db', 'big.sqlite', '--threads', '2']);
  await expectOk(['run', 'big.yaml', '--db', 'big-0.sqlite', '--shard', '0/2', '--threads', '2']);
  await expectOk(['run', 'big.yaml', '--db', 'big-1.sqlite', '--shard', '1/2', '--threads', '2']);
  await expectOk(['report', 'small.sqlite', '--out', 'clean-figure']);
  await expectOk(['report', 'small.sqlite', '--out', 'clean-noop', '--experiment', noopModule]);
});

describe('a report rerun into the folder of a killed one', () => {
  it('leaves exactly the files of an uninterrupted report', async () => {
    await expectOk(['report', 'small.sqlite', '--out', 'rerun']);
    leave(at('rerun', `.${deadPid()}.${hostTag}.tmp-trials.svg`));
    // An older harness's name, without a host: removed once it is old enough.
    leave(at('rerun', `.${deadPid()}.tmp-trials.png`), ABANDONED_AFTER_MS + 60_000);
    await expectOk(['report', 'small.sqlite', '--out', 'rerun']);
    expect(listing(at('rerun'))).toEqual(listing(at('clean-figure')));
    // threads.txt records whether the drawing threads were up in time, which differs by run.
    const contents = (folder: string) => [...reportFiles(folder)].filter(([path]) => path !== 'threads.txt');
    expect(contents(at('rerun'))).toEqual(contents(at('clean-figure')));
  });

  it('removes the temporary file of a file the earlier report wrote and this one does not', async () => {
    await expectOk(['report', 'small.sqlite', '--out', 'changed']);
    leave(at('changed', `.${deadPid()}.${hostTag}.tmp-trials.svg`));
    await expectOk(['report', 'small.sqlite', '--out', 'changed', '--experiment', noopModule]);
    expect(listing(at('changed'))).toEqual(listing(at('clean-noop')));
  });

  it('leaves the temporary files of a live writer, and of one that may be alive on another host', async () => {
    await expectOk(['report', 'small.sqlite', '--out', 'shared']);
    const old = ABANDONED_AFTER_MS + 60_000;
    const kept = [
      leave(at('shared', `.${process.pid}.${hostTag}.tmp-trials.svg`), old), // this host, alive
      leave(at('shared', `.${deadPid()}.${otherHost}.tmp-trials.svg`)), // another host, recent
      leave(at('shared', `.${deadPid()}.tmp-trials.png`)), // no host, recent
      leave(at('shared', `.${process.pid}.tmp-trials.png`), old), // no host, old, but a live pid here
    ];
    const gone = leave(at('shared', `.${deadPid()}.${otherHost}.tmp-threads.txt`), old); // another host, long untouched
    await expectOk(['report', 'small.sqlite', '--out', 'shared']);
    const names = listing(at('shared'));
    for (const path of kept) expect(names).toContain(path.slice(at('shared').length + 1));
    expect(names).not.toContain(gone.slice(at('shared').length + 1));
  });
});

describe('export --out rerun after a SIGKILL while it wrote', () => {
  it('leaves only the file, as an uninterrupted export does, and a live writer’s temporary file', async () => {
    mkdirSync(at('ex'));
    const argv = ['export', 'big.sqlite', '--format', 'json', '--out', 'ex/c.json'];
    const left = await killWhileWriting(argv, at('ex'), /^\.\d+\..*tmp-c\.json$/);
    expect(left).toHaveLength(1);
    const live = `.${process.pid}.${hostTag}.tmp-c.json`;
    leave(at('ex', live));
    await expectOk(argv);
    await expectOk(['export', 'big.sqlite', '--format', 'json', '--out', 'clean.json']);
    expect(listing(at('ex'))).toEqual([live, 'c.json']);
    // Compared whole (a deep comparison of megabytes of Buffer takes half a minute).
    expect(readFileSync(at('ex', 'c.json')).equals(readFileSync(at('clean.json')))).toBe(true);
  });
});

describe('merge rerun after a SIGKILL while it merged', () => {
  it('leaves only the merged database, and a live merge’s temporary files', async () => {
    mkdirSync(at('mg'));
    const argv = ['merge', 'mg/m.sqlite', 'big-0.sqlite', 'big-1.sqlite'];
    // Hidden, like every temporary file the harness writes.
    const left = await killWhileWriting(argv, at('mg'), /^\.m\.sqlite\.merging-/);
    expect(left.length).toBeGreaterThan(0);
    const live = [`.m.sqlite.merging-${process.pid}.${hostTag}`, `.m.sqlite.merging-${process.pid}.${hostTag}-wal`];
    for (const name of live) leave(at('mg', name));
    // Older harnesses' temporary databases, visible, long untouched: their -wal and -shm go with them.
    for (const legacy of [`m.sqlite.merging-${deadPid()}`, `m.sqlite.merging-${deadPid()}.${hostTag}`]) {
      for (const suffix of ['', '-wal', '-shm']) leave(at('mg', legacy + suffix), ABANDONED_AFTER_MS + 60_000);
    }
    await expectOk(argv);
    expect(listing(at('mg'))).toEqual(['m.sqlite', ...live].sort());
    expect(dumpResults(at('mg', 'm.sqlite'))).toEqual(dumpResults(at('big.sqlite')));
  });
});
