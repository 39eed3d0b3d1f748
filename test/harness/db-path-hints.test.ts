/**
 * The fix a database message suggests fits the command at hand: run and plan take the database
 * with --db, status, report, export and merge take it as an argument (and have no --db). A
 * merge refused for mixed setups speaks of the databases being merged, not of a resumed run.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffManifests } from '../../harness/manifest.js';
import * as msg from '../../harness/messages.js';
import { loadStudy } from '../../harness/study/study.js';
import { cli, noopStudy, tempDir, writeStudy } from './helpers.js';

const dir = tempDir('harness-db-hints-');

beforeAll(async () => {
  writeStudy(dir, 'three.yaml', noopStudy({ name: 'hints', seeds: 3 }));
  writeStudy(dir, 'five.yaml', noopStudy({ name: 'hints', seeds: 5 }));
  expect((await cli(['run', 'three.yaml', '--db', 'three.sqlite', '--threads', '1'], dir)).code).toBe(0);
  expect((await cli(['run', 'five.yaml', '--db', 'five.sqlite', '--threads', '1'], dir)).code).toBe(0);
  const foreign = new Database(join(dir, 'foreign.sqlite'));
  foreign.exec('CREATE TABLE notes (text TEXT);');
  foreign.close();
  execFileSync('mkfifo', [join(dir, 'fifo.sqlite')]);
});

const refused = (stderr: string) => ({ code: 2, stdout: '', stderr: `${stderr}\n` });

describe('a database that is not there, or not a results database', () => {
  it('tells commands that take the database as an argument to check the path, never to use --db', async () => {
    const cases: [string[], string][] = [
      [['export', 'missing.sqlite'], msg.dbNotFound('missing.sqlite', 'argument')],
      [['status', 'missing.sqlite'], msg.dbNotFound('missing.sqlite', 'argument')],
      [['report', 'missing.sqlite'], msg.dbNotFound('missing.sqlite', 'argument')],
      [['merge', 'merged.sqlite', 'three.sqlite', 'missing.sqlite'], msg.dbNotFound('missing.sqlite', 'argument')],
      [['export', 'foreign.sqlite'], msg.dbForeign('foreign.sqlite', 'argument')],
      [['merge', 'merged.sqlite', 'foreign.sqlite'], msg.dbForeign('foreign.sqlite', 'argument')],
      [['export', 'fifo.sqlite'], msg.dbNotAFile('fifo.sqlite', 'argument')],
    ];
    for (const [argv, expected] of cases) {
      const result = await cli(argv, dir);
      expect({ argv, ...result }).toEqual({ argv, ...refused(expected) });
      expect(result.stderr, argv.join(' ')).not.toContain('--db');
    }
    expect(msg.dbNotFound('missing.sqlite', 'argument')).toContain('Check the path');
  });

  it('tells run, which takes --db, to use --db', async () => {
    const cases: [string[], string][] = [
      [['run', 'three.yaml', '--db', 'foreign.sqlite'], msg.dbForeign('foreign.sqlite', 'option')],
      [['run', 'three.yaml', '--db', 'fifo.sqlite'], msg.dbNotAFile('fifo.sqlite', 'option')],
      [['plan', 'three.yaml', '--db', 'fifo.sqlite', '--pilot', '0'], msg.dbNotAFile('fifo.sqlite', 'option')],
    ];
    for (const [argv, expected] of cases) {
      const result = await cli(argv, dir);
      expect({ argv, ...result }).toEqual({ argv, ...refused(expected) });
      expect(result.stderr, argv.join(' ')).toContain('with --db');
    }
  });
});

describe('a merge of databases of different setups', () => {
  it('names the databases each value comes from', async () => {
    const three = await loadStudy(join(dir, 'three.yaml'), { cwd: dir });
    const five = await loadStudy(join(dir, 'five.yaml'), { cwd: dir });
    const mixed = await cli(['merge', 'mixed.sqlite', 'three.sqlite', 'five.sqlite'], dir);
    expect(mixed).toEqual(
      refused(msg.mergeMixedManifests('three.sqlite', [{ path: 'five.sqlite', diffs: diffManifests(three.manifest.body, five.manifest.body) }])),
    );
    expect(mixed.stderr).toContain('  - seeds: 3 in three.sqlite, 5 in five.sqlite\n');
    expect(mixed.stderr).not.toMatch(/in the database|now\b/);

    copyFileSync(join(dir, 'five.sqlite'), join(dir, 'out.sqlite'));
    const into = await cli(['merge', 'out.sqlite', 'three.sqlite'], dir);
    expect(into).toEqual(refused(msg.mergeOutputDiffers('out.sqlite', diffManifests(five.manifest.body, three.manifest.body))));
    expect(into.stderr).toContain('  - seeds: 5 in out.sqlite, 3 in the shards\n');
    expect(into.stderr).not.toMatch(/in the database|now\b/);
  });

  it('keeps the wording of a resumed run for run', () => {
    const text = msg.dbManifestMismatch('x.sqlite', [{ path: 'seeds', stored: 3, current: 5 }], 'harness run x --fresh');
    expect(text).toContain('  - seeds: 3 in the database, 5 now');
  });
});

describe('the default results and reports folders', () => {
  it("are the project's own from anywhere inside it, so a study found by name finds its database; elsewhere the working folder's", async () => {
    const { defaultDbPath, defaultReportDir, outputBase, projectRoot } = await import('../../harness/paths.js');
    const inside = join(projectRoot, 'experiments', 'inference-scaling');
    expect([outputBase(projectRoot), outputBase(inside)]).toEqual([projectRoot, projectRoot]);
    expect(outputBase(dir)).toBe(dir);
    expect(outputBase(`${projectRoot}-next-to-it`)).toBe(`${projectRoot}-next-to-it`);
    expect(defaultDbPath('paper', null, inside)).toBe(join(projectRoot, 'results', 'paper.sqlite'));
    expect(defaultReportDir('paper', inside)).toBe(join(projectRoot, 'reports', 'paper'));
    // As the command line says it: from a subfolder, the project's database (shown in full).
    const plan = await cli(['plan', 'paper', '--pilot', '0', '--json'], inside);
    expect(plan.code, plan.stderr).toBe(0);
    expect((JSON.parse(plan.stdout) as { db: string }).db).toBe(join(projectRoot, 'results', 'paper.sqlite'));
  });
});

describe('a database named by its study', () => {
  it('is pointed to under results/ when the path given does not exist', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'results'), { recursive: true });
    copyFileSync(join(dir, 'three.sqlite'), join(dir, 'results', 'hinted.sqlite'));
    for (const [command, given] of [['report', 'hinted'], ['export', 'hinted.sqlite'], ['status', 'hinted']] as const) {
      expect(await cli([command, given], dir), command).toEqual(refused(msg.dbNotFound(given, 'argument', 'results/hinted.sqlite')));
    }
    // Nothing of that name there: the message as before.
    expect(await cli(['status', 'nothing.sqlite'], dir)).toEqual(refused(msg.dbNotFound('nothing.sqlite')));
  });
});
