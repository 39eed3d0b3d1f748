/**
 * The bad-input corpus, test/fixtures/bad/: every case (cases.yaml) exits 2 with one clear
 * message on stderr, nothing on stdout, no stack trace, and no file created or changed (the
 * folder's tree, sizes, mtimes and hashes are compared before and after). The messages are
 * pinned in test/fixtures/bad/expected-messages.txt; after a deliberate change of wording,
 * rewrite it with `npx vitest run test/reliability/bad-input.test.ts -u`.
 *
 * Cases run through the CLI in this process (those marked `as: process` as real processes: how
 * a module fails to load differs under the test runner); a sample also runs as real processes
 * (all of them with HARNESS_SLOW=1), which must print the same. "An unreadable file" needs a
 * process that cannot read it: as root (who reads anything) the case runs as a real process
 * without root's file-override capabilities (setpriv), so the file's mode 000 applies.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openForStudy } from '../../harness/run/run.js';
import { loadStudy } from '../../harness/study/study.js';
import { cli, fixtures, root, tempDir } from '../harness/helpers.js';
import { isRoot, runHarness, slow, treeSnapshot } from './helpers.js';

interface BadCase {
  name: string;
  argv: string[];
  env?: Record<string, string>;
  as?: 'process' | 'unprivileged';
  expect: string[];
}

const corpus = join(fixtures, 'bad');
const cases = parseYaml(readFileSync(join(corpus, 'cases.yaml'), 'utf8')) as BadCase[];
const work = tempDir('harness-bad-');

/** Files a case needs that are not committed: too big, not plain files, or binary. */
async function generate(): Promise<void> {
  writeFileSync(join(work, 'big.yaml'), `# ${'x'.repeat(10 * 2 ** 20 - 3)}\n`);
  execFileSync('mkfifo', [join(work, 'fifo.yaml'), join(work, 'fifo.sqlite')]);
  cpSync(join(corpus, 'good.yaml'), join(work, 'unreadable.yaml'));
  chmodSync(join(work, 'unreadable.yaml'), 0o000);
  writeFileSync(join(work, 'not-sqlite.sqlite'), 'This is a plain text file, not a database.\n'.repeat(20));
  writeFileSync(join(work, 'empty.sqlite'), '');
  mkdirSync(join(work, 'folder.sqlite'));
  const newer = new Database(join(work, 'newer-schema.sqlite'));
  newer.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '99');`);
  newer.close();
  const foreign = new Database(join(work, 'foreign.sqlite'));
  foreign.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES (\'hello\');');
  foreign.close();
  const other = await loadStudy(join(work, 'good.yaml'), { cwd: work, sets: ['seeds=2'] });
  openForStudy(other, join(work, 'other-setup.sqlite'), 'fresh', new Date(0)).close();
  mkdirSync(join(work, 'read-only'));
  openForStudy(other, join(work, 'read-only', 'results.sqlite'), 'fresh', new Date(0)).close();
  chmodSync(join(work, 'read-only'), 0o555);
  cpSync(join(work, 'other-setup.sqlite'), join(work, 'read-only-file.sqlite'));
  chmodSync(join(work, 'read-only-file.sqlite'), 0o444);
}

beforeAll(async () => {
  cpSync(corpus, work, { recursive: true });
  await generate();
});

const normalize = (text: string) =>
  text
    .replaceAll(work, '<work>')
    .replaceAll(root, '<root>')
    // The most threads a machine takes depends on its cores.
    .replace(/(per core: )\d+( on this machine's )\d+(; received "\d+"\. Example: --threads )\d+/, '$1<4 x cores>$2<cores>$3<cores>');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Cases that only a real process shows as a user sees them. */
const processOnly = (c: BadCase) => c.as === 'process' || (c.as === 'unprivileged' && isRoot);

async function runCase(c: BadCase, asProcess: boolean): Promise<Outcome> {
  if (!asProcess && !processOnly(c)) return cli(c.argv, work, { env: c.env ?? {} });
  const exit = await runHarness(c.argv, { cwd: work, env: c.env, withoutFileOverride: c.as === 'unprivileged' && isRoot });
  return { code: exit.code ?? -1, stdout: exit.stdout, stderr: exit.stderr };
}

describe('the bad-input corpus', () => {
  it(`has at least 40 cases (it has ${cases.length}), each named once`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it('refuses every case: exit 2, one clear message, nothing on stdout, no file created or changed', async () => {
    const transcript: string[] = [];
    for (const c of cases) {
      const before = treeSnapshot(work);
      const outcome = await runCase(c, false);
      expect({ case: c.name, code: outcome.code, stdout: outcome.stdout }).toEqual({ case: c.name, code: 2, stdout: '' });
      const message = outcome.stderr;
      expect(message.endsWith('\n') && message.trim().length > 0, c.name).toBe(true);
      expect(message, c.name).not.toMatch(/Internal error|^\s+at .+:\d+:\d+\)?$/m);
      for (const fragment of c.expect) expect(message, c.name).toContain(fragment);
      expect(treeSnapshot(work), c.name).toEqual(before);
      transcript.push(`## ${c.name}\n$ harness ${c.argv.join(' ')}\n${normalize(message)}`);
    }
    await expect(transcript.join('\n')).toMatchFileSnapshot(join(corpus, 'expected-messages.txt'));
  });

  it(`prints the same as a real process (${slow ? 'every case' : 'a sample of cases'})`, async () => {
    const sample = slow ? cases : cases.filter((_, i) => i % 12 === 5);
    for (const c of sample) {
      const before = treeSnapshot(work);
      const [real, inProcess] = [await runCase(c, true), processOnly(c) ? null : await runCase(c, false)];
      expect({ case: c.name, code: real.code, stdout: real.stdout }).toEqual({ case: c.name, code: 2, stdout: '' });
      if (inProcess) expect(real.stderr, c.name).toBe(inProcess.stderr);
      expect(treeSnapshot(work), c.name).toEqual(before);
    }
  }, slow ? 300_000 : 60_000);
});
