import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellCommand } from '../../harness/cluster/shell.js';
import { relocatedCommand, shellWords } from '../../harness/run/recorded-command.js';
import { rerunShard } from '../../harness/run/shard.js';
import { harnessOutside, tempDir } from './helpers.js';

// A project folder: the study in studies/, the user later in deep/er/ or in studies/.
const root = tempDir();
for (const folder of ['studies', 'deep/er', 'out']) mkdirSync(join(root, folder), { recursive: true });
writeFileSync(join(root, 'studies', 's.yaml'), 'name: s\n');
const from = (commandLine: string, cwd: string | null = root) => ({ commandLine, cwd });

describe('a recorded command line pasted in another folder', () => {
  it('names the study file, --db, --out and --experiment it named where it was typed', () => {
    const line = "harness run studies/s.yaml --db=out/s.sqlite --report --out 'my report' --set seeds=2 --experiment lib/exp.ts";
    expect(relocatedCommand(from(line), join(root, 'deep', 'er'))).toBe(
      shellCommand(['harness', 'run', join(root, 'studies/s.yaml'), `--db=${join(root, 'out/s.sqlite')}`, '--report', '--out', join(root, 'my report'), '--set', 'seeds=2', '--experiment', join(root, 'lib/exp.ts')]),
    );
    // Inside the folder asked from: relative to it.
    expect(relocatedCommand(from('harness run studies/s.yaml --db out/s.sqlite'), join(root, 'studies'))).toBe(`harness run s.yaml --db ${join(root, 'out/s.sqlite')}`);
    expect(relocatedCommand(from('harness run ../studies/s.yaml', join(root, 'deep')), join(root, 'studies'))).toBe('harness run s.yaml');
  });

  it('reads switches as taking no value, and the study after -- or after options with values', () => {
    const here = join(root, 'deep');
    const study = join(root, 'studies/s.yaml');
    expect(relocatedCommand(from('harness run --threads 2 --json --no-report studies/s.yaml'), here)).toBe(`harness run --threads 2 --json --no-report ${study}`);
    expect(relocatedCommand(from('harness run --shard 0/3 -- studies/s.yaml'), here)).toBe(`harness run --shard 0/3 -- ${study}`);
    expect(relocatedCommand(from('harness run --set=seeds=2 studies/s.yaml --fresh'), here)).toBe(`harness run --set=seeds=2 ${study} --fresh`);
  });

  it('leaves what needs no change: a study named, absolute paths, the same folder, an unknown one, other commands', () => {
    const here = join(root, 'deep');
    // A study's name (no such file where it was typed) is found from any folder.
    expect(relocatedCommand(from('harness run paper --db out/p.sqlite'), here)).toBe(`harness run paper --db ${join(root, 'out/p.sqlite')}`);
    const absolute = shellCommand(['harness', 'run', join(root, 'studies/s.yaml'), '--db', '/scratch/s.sqlite']);
    expect(relocatedCommand(from(absolute), here)).toBe(absolute);
    const line = 'harness run studies/s.yaml --db out/s.sqlite';
    expect(relocatedCommand(from(line), root)).toBe(line);
    // Recorded before the folder was (schema level 2), or on another machine.
    expect(relocatedCommand(from(line, null), here)).toBe(line);
    expect(relocatedCommand(from(line, join(root, 'gone')), here)).toBe(line);
    expect(relocatedCommand(from('harness merge out/m.sqlite out/s.sqlite'), here)).toBe('harness merge out/m.sqlite out/s.sqlite');
  });
});

describe('the commands that complete a cut into shards, asked in another folder', () => {
  it("relocate the shard's own recorded command, and another shard's for a shard never run", () => {
    const recorded = { '0/2': from('harness run studies/s.yaml --shard 0/2 --db out/s.shard-0-of-2.sqlite --fresh') };
    const here = join(root, 'deep');
    const command = (shard: number) => `${harnessOutside} run ${join(root, 'studies/s.yaml')} --shard ${shard}/2 --db ${join(root, `out/s.shard-${shard}-of-2.sqlite`)}`;
    expect(rerunShard('0/2', recorded, null, here)).toBe(command(0));
    expect(rerunShard('1/2', recorded, null, here)).toBe(command(1));
  });
});

describe('shellWords', () => {
  it('reads back what shellCommand wrote, and refuses other text', () => {
    const words = ['harness', 'run', "it's here/s.yaml", '--set', 'name=a b', ''];
    expect(shellWords(shellCommand(words))).toEqual(words);
    expect(shellWords('harness run "quoted by hand.yaml"')).toBeNull();
  });
});
