/**
 * The command line, in process: every command's output and exit code, and every message it
 * prints for bad input (compared against the message catalogue).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../harness/cli/app.js';
import { rerunShard } from '../../harness/run/shard.js';

/** rerunShard of command lines recorded without their folder (as in a database before schema level 3). */
const rerunLines = (shard: string, lines: Readonly<Record<string, string>>, db?: string) =>
  rerunShard(shard, Object.fromEntries(Object.entries(lines).map(([s, commandLine]) => [s, { commandLine }])), db);
import { shardPathAmong } from '../../harness/cluster/layout.js';
import { resumeCommand } from '../../harness/cli/io.js';
import * as msg from '../../harness/messages.js';
import { harnessCall } from '../../harness/paths.js';
import { versionLine, type VersionInfo } from '../../harness/cli/version.js';
import { gitState } from '../../harness/run/provenance.js';
import { runHarness, runOnTerminal, terminalScreen } from '../reliability/helpers.js';
import { formatList } from '../../harness/cli/format.js';
import { faultMessage } from '../fixtures/experiments/faulty.js';
import { cli, faultyModule, fixtures, harnessOutside, noopModule, noopStudy, query, root, tempDir, writeStudy } from './helpers.js';

/** Trials committed so far (0 while the database does not exist yet). */
function savedTrials(db: string): number {
  try {
    return query<{ n: number }>(db, 'SELECT count(*) AS n FROM trial')[0]!.n;
  } catch {
    return 0;
  }
}

const dir = tempDir();
const study = 'noop.yaml';

beforeAll(() => {
  writeStudy(dir, study, noopStudy({ name: 'clinoop' }));
  writeStudy(dir, 'faulty.yaml', { name: 'clifaulty', experiment: faultyModule, seeds: 2, axes: { behavior: ['ok', 'throw'], variant: ['a'] } });
});

describe('usage', () => {
  it('prints help for the program and every command', async () => {
    const top = await cli(['--help'], dir);
    expect(top.code).toBe(0);
    for (const c of commands) expect(top.stdout).toContain(`harness ${c.command}`);
    for (const c of commands) {
      const help = await cli([c.name, '--help'], dir);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`harness ${c.command}`);
      // As git and npm take it: `harness help <command>`.
      expect(await cli(['help', c.name], dir)).toEqual(help);
      // What follows the command is passed over, as --help passes over it.
      expect(await cli(['help', c.name, '--json'], dir)).toEqual(help);
      expect(await cli(['help', c.name, 'more'], dir)).toEqual(help);
      // One dash before "help" asks for it too, as -h does, also with a misspelt option beside it.
      expect(await cli([c.name, '-help'], dir)).toEqual(help);
      expect(await cli([c.name, '-h'], dir)).toEqual(help);
      expect(await cli([c.name, '-thread', '2', '--help'], dir)).toEqual(help);
    }
    expect(await cli(['help'], dir)).toEqual(top);
    // Wrapped to a terminal's width, or to 100 columns where it gives none (a pty without a size says 0).
    for (const [columns, width] of [[60, 60], [0, 100], [undefined, 100]] as const) {
      const lines = (await cli(['run', '--help'], dir, columns === undefined ? {} : { terminal: columns })).stdout.split('\n');
      expect(Math.max(...lines.map((line) => line.length)), `${columns} columns`).toBeLessThanOrEqual(width);
    }
    // A command misspelt there: the commands there are, as anywhere else.
    const misspelt = await cli(['help', 'runn'], dir);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('Unknown command "runn". Did you mean run?');
  });

  it('prints the version, the commit and Node, as a line or as JSON', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const json = await cli(['--version', '--json'], dir);
    expect(json.code).toBe(0);
    const info = JSON.parse(json.stdout) as VersionInfo;
    expect(info).toEqual({ name: 'harness', version: pkg.version, commit: gitState().commit, modified: expect.any(Boolean), node: process.version });
    expect(info.commit).toMatch(/^[0-9a-f]{40}$/);
    // Its options in either order, as everywhere else.
    expect(await cli(['--json', '--version'], dir)).toEqual(json);
    const line = await cli(['--version'], dir);
    expect(line).toEqual({ code: 0, stdout: `${versionLine(info)}\n`, stderr: '' });
    expect(line.stdout).toMatch(new RegExp(`^harness ${pkg.version.replace(/\./g, '\\.')} \\(commit ${info.commit!.slice(0, 7)}(, with local changes)?; Node v\\d+`));
    // --json as yargs reads a boolean: =true and a following true or false too.
    expect(await cli(['--version', '--json=true'], dir)).toEqual(json);
    expect(await cli(['--version', '--json', 'false'], dir)).toEqual(line);
    // Only on its own: not an option of the commands.
    expect((await cli(['run', study, '--version'], dir)).code).toBe(2);
    // A checkout git will not read (another user's: "dubious ownership") says why, not that there is none.
    const refused = { ...info, commit: null, modified: null, gitProblem: "fatal: detected dubious ownership in repository at '/repo'" };
    expect(versionLine(refused)).toBe(`harness ${pkg.version} (commit unknown: fatal: detected dubious ownership in repository at '/repo'; Node ${process.version})`);
    expect(versionLine({ ...refused, gitProblem: undefined })).toBe(`harness ${pkg.version} (not a git checkout; Node ${process.version})`);
  });

  it('writes the command to resume as a shell reads it back: quoted where it must be, without --fresh', () => {
    expect(resumeCommand(['run', "it's here.yaml", '--fresh', '--set', 'sim.M=300,1000', '--db', 'r/a@b+c%d.sqlite'], null, root)).toBe(
      `npx harness run 'it'\\''s here.yaml' --set sim.M=300,1000 --db r/a@b+c%d.sqlite`,
    );
    // yargs reads the word after a boolean flag as its value: it goes with the flag, not left as a study.
    for (const fresh of [['--fresh', 'true'], ['--fresh', 'false'], ['--fresh=true']]) {
      expect(resumeCommand(['run', 'paper', ...fresh, '--db', 'x.sqlite'], null, root)).toBe('npx harness run paper --db x.sqlite');
    }
    // A shard a job array's variables gave is written out, in place of the --shard-count that went with them.
    expect(resumeCommand(['run', 'paper', '--fresh', '--shard-count', '8', '--db', 'x.sqlite'], '3/8', root)).toBe('npx harness run paper --db x.sqlite --shard 3/8');
    expect(resumeCommand(['run', 'paper', '--shard-count=8'], '3/8', root)).toBe('npx harness run paper --shard 3/8');
    expect(resumeCommand(['run', '--db', 'x.sqlite', '--', '--odd.yaml'], '1/2', root)).toBe('npx harness run --db x.sqlite --shard 1/2 -- --odd.yaml');
    // Outside the project npx would look for another package named harness: the project's entry point instead.
    expect(resumeCommand(['run', 'paper', '--db', 'x.sqlite'], null, join(root, 'test'))).toBe('npx harness run paper --db x.sqlite');
    expect(resumeCommand(['run', 'paper', '--db', 'x.sqlite'], null, tmpdir())).toBe(`${harnessOutside} run paper --db x.sqlite`);
  });

  it('refuses unknown commands, unknown options, missing arguments and bad choices, pointing to --help', async () => {
    const cases: [string[], string][] = [
      [[], msg.cliUsage('Give a command.')],
      [['runn', 'x'], msg.cliUsage('Unknown command "runn". Did you mean run? Commands: run, plan, status, merge, export, report, render, list, slurm.')],
      [['run', study, '--thread', '2'], msg.cliUsage('Unknown argument: --thread (did you mean --threads?).', 'run')],
      [['run', study, '--thread=2', '--bogus', 'x'], msg.cliUsage('Unknown arguments: --thread (did you mean --threads?), --bogus.', 'run')],
      [['export', 'x.sqlite', '--fromat', 'json'], msg.cliUsage('Unknown argument: --fromat (did you mean --format?).', 'export')],
      // A value that begins with a dash, which yargs reads as single letters ("Unknown argument: x").
      [['run', study, '--db', '-x.sqlite'], msg.cliUsage('Unknown argument: -x.sqlite (as the value of --db, write --db=-x.sqlite: after a space, a leading dash reads as an option).', 'run')],
      // Two letters swapped is one slip: --dpi, not --db, which two edits also reach.
      [['run', study, '--dip', '300', '--report'], msg.cliUsage('Unknown argument: --dip (did you mean --dpi?).', 'run')],
      // One dash before a long name, which yargs would read as single letters (-o -u -t).
      [['report', 'x.sqlite', '-out', 'dir'], msg.cliUsage('Unknown argument: -out (did you mean --out?).', 'report')],
      // Letters with an h among them (-t -h -r -e -a -d), which yargs answered with the help and exit code 0.
      [['run', study, '-thread', '2'], msg.cliUsage('Unknown argument: -thread (did you mean --threads?).', 'run')],
      [['report', 'x.sqlite', '-shard', '1/2'], msg.cliUsage('Unknown argument: -shard (an option of run and plan, not of report).', 'report')],
      [['run', study, '--db', '-hx.sqlite'], msg.cliUsage('Unknown argument: -hx.sqlite (as the value of --db, write --db=-hx.sqlite: after a space, a leading dash reads as an option).', 'run')],
      [['-thread', '2'], msg.cliUsage('Unknown argument: -thread. Give a command: run, plan, status, merge, export, report, render, list, slurm.')],
      // harness's own option after a command: said where it goes, never suggested as itself.
      [['run', study, '--version'], msg.cliUsage('Unknown argument: --version (an option of harness itself, without a command: harness --version).', 'run')],
      [['report', 'x.sqlite', 'y.sqlite'], msg.cliUsage('report takes <db>; got an extra argument "y.sqlite".', 'report')],
      [['run'], msg.cliUsage('run needs <study>: harness run <study>.', 'run')],
      [['merge', 'm.sqlite'], msg.cliUsage('merge needs <shards..>: harness merge <out> <shards..>.', 'merge')],
      [['export', 'x.sqlite', '--format', 'xml'], msg.cliUsage('--format: must be one of csv, json; received "xml". Example: --format csv.', 'export')],
      // Two options outside their choices, and one given twice: each said, none a crash.
      [
        ['export', 'x.sqlite', '--table', 'nope', '--format', 'xml'],
        msg.cliUsage('--table: must be one of trials, curves, failures, runs, columns; received "nope". Example: --table trials. --format: must be one of csv, json; received "xml". Example: --format csv.', 'export'),
      ],
      [['export', 'x.sqlite', '--format', 'xml', '--format', 'yaml'], msg.cliUsage('--format: must be one of csv, json; received ["xml","yaml"]. Example: --format csv.', 'export')],
      // An option's value is not the missing argument.
      [['report', '--out', 'dir'], msg.cliUsage('report needs <db>: harness report <db>.', 'report')],
      [['--bogus'], msg.cliUsage('Unknown argument: --bogus. Give a command: run, plan, status, merge, export, report, render, list, slurm.')],
    ];
    for (const [argv, expected] of cases) {
      const result = await cli(argv, dir);
      expect({ argv, code: result.code, stderr: result.stderr }).toEqual({ argv, code: 2, stderr: `${expected}\n` });
    }
    // An option with choices refuses an empty one among them.
    const format = await cli(['export', 'results/cli.sqlite', '--format', '', '--out', 'x.csv'], dir);
    expect(format).toMatchObject({ code: 2, stdout: '' });
    expect(format.stderr).toContain('--format: must be one of csv, json; received "".');
  });

  it('with --json, also says why it refused as one object on stdout, for a script to read', async () => {
    const cases: [string[], string][] = [
      [['run', study, '--json', '--bogus'], msg.cliUsage('Unknown argument: --bogus.', 'run')],
      [['status', 'nosuch.sqlite', '--json'], msg.dbNotFound('nosuch.sqlite')],
      [['status', 'nosuch.sqlite', '--json', 'true'], msg.dbNotFound('nosuch.sqlite')],
    ];
    for (const [argv, expected] of cases) {
      const result = await cli(argv, dir);
      expect({ argv, ...result }).toEqual({ argv, code: 2, stdout: `${JSON.stringify({ error: expected, exitCode: 2 })}\n`, stderr: `${expected}\n` });
    }
    // Read as yargs reads it: --json false asks for text, so a refusal is text alone, as a success would be.
    for (const off of [['--json', 'false'], ['--json=false']]) {
      const argv = ['status', 'nosuch.sqlite', ...off];
      expect({ argv, ...(await cli(argv, dir)) }).toEqual({ argv, code: 2, stdout: '', stderr: `${msg.dbNotFound('nosuch.sqlite')}\n` });
    }
  });

  it('checks option values by name', async () => {
    const cases: [string[], string][] = [
      [['run', study, '--threads', '0'], msg.optionInvalid('threads', 'must be a whole number of at least 1', '0', 'Example: --threads 2.')],
      [['run', study, '--threads', 'abc'], msg.optionInvalid('threads', 'must be a whole number of at least 1', 'abc', 'Example: --threads 2.')],
      [['run', study, '--threads', '1', '--threads', '2'], msg.optionInvalid('threads', 'may be given once', ['1', '2'], 'Keep one --threads.')],
      [['run', study, '--task-timeout', '0'], msg.optionInvalid('task-timeout', 'must be a number of seconds greater than 0', '0', 'Example: --task-timeout 60.')],
      [['run', study, '--max-failures', '0'], msg.optionInvalid('max-failures', 'must be a whole number of at least 1', '0', 'Example: --max-failures 2.')],
      [['run', study, '--shard-count', 'x'], msg.optionInvalid('shard-count', 'must be a whole number of at least 1', 'x', 'Example: --shard-count 2.')],
      [['plan', study, '--shards', '0'], msg.optionInvalid('shards', 'must be a whole number of at least 1', '0', 'Example: --shards 2.')],
      [['plan', study, '--pilot', '-1'], msg.optionInvalid('pilot', 'must be a whole number of at least 0', '-1', 'Example: --pilot 2.')],
      [['run', study, '--shard', '3/2'], msg.shardInvalid('--shard', '3/2', 'i must be less than N (shards count from 0)')],
      [['run', study, '--shard', 'first'], msg.shardInvalid('--shard', 'first', 'must be "i/N" with whole numbers')],
      // A value starting with a dash is the option's, not a cluster of short flags.
      [['run', study, '--shard', '-1/3'], msg.shardInvalid('--shard', '-1/3', 'must be "i/N" with whole numbers')],
      [['run', study, '--task-timeout', '-.5'], msg.optionInvalid('task-timeout', 'must be a number of seconds greater than 0', '-.5', 'Example: --task-timeout 60.')],
      // Past what a number holds: read as Infinity, or as 0, and refused by the rule each breaks.
      [['run', study, '--task-timeout', '1e400'], msg.optionInvalid('task-timeout', 'must be at most 2147483 seconds (24 days)', '1e400', 'Leave --task-timeout out for no limit.')],
      [['run', study, '--task-timeout', '1e-400'], msg.optionInvalid('task-timeout', 'must be at least 0.001 seconds (timers count milliseconds)', '1e-400', 'Example: --task-timeout 60.')],
      [['run', study, '--max-failures', '99999999999999999999'], msg.optionInvalid('max-failures', 'must be at most 9007199254740991', '99999999999999999999', 'Example: --max-failures 2.')],
      [['run', study, '--worker-memory', '99999999999999999999'], msg.optionInvalid('worker-memory', 'must be at most 9007199254740991', '99999999999999999999', 'Example: --worker-memory 32.')],
      [['run', study, '--shard', '0/0'], msg.shardInvalid('--shard', '0/0', 'N must be at least 1')],
      [['run', study, '--set', 'seeds'], msg.setSyntax('seeds')],
      // Empty, as an unset variable in a script gives it (--db "$DB"), or bare: never the default.
      [['run', study, '--db', ''], msg.optionEmpty('db')],
      [['run', study, '--threads', '1', '--db'], msg.optionEmpty('db')],
      [['run', study, '--db', '--threads', '1'], msg.optionEmpty('db')],
      [['run', study, '--set', ''], msg.optionEmpty('set')],
      [['report', 'results/cli.sqlite', '--out', ''], msg.optionEmpty('out')],
      [['export', 'results/cli.sqlite', '--table'], msg.optionEmpty('table')],
      [['export', ''], msg.argumentEmpty('db', 'export')],
      // A lone dash, standard input or output, where a file or folder is named (export's --out alone writes to stdout).
      [['run', study, '--db', '-'], msg.optionDash('db')],
      [['report', 'results/cli.sqlite', '--out=-'], msg.optionDash('out')],
      [['report', 'results/cli.sqlite', '--experiment', '-'], msg.optionDash('experiment')],
      // A switch given another value than true or false, which yargs would read as false.
      [['run', study, '--report=yes'], msg.switchGivenValue('report', 'yes')],
      [['export', 'results/cli.sqlite', '--results-only=1'], msg.switchGivenValue('results-only', '1')],
      [['status', 'results/cli.sqlite', '--json=on'], msg.switchGivenValue('json', 'on')],
    ];
    for (const [argv, expected] of cases) {
      const result = await cli(argv, dir);
      expect({ argv, code: result.code, stderr: result.stderr }).toEqual({ argv, code: 2, stderr: `${expected}\n` });
    }
    // Also an option of one command's own.
    const time = await cli(['slurm', study, '--time', '-1:30'], dir);
    expect(time.code).toBe(2);
    expect(time.stderr).toMatch(/^--time: .*received "-1:30"/);
  });

  it('reads the shard from Slurm and Kubernetes variables, and checks them', async () => {
    const env = (vars: Record<string, string>) => cli(['plan', study, '--pilot', '0'], dir, { env: vars });
    expect((await env({ SLURM_ARRAY_TASK_ID: '2' })).stderr).toBe(
      `${msg.shardInvalid('SLURM_ARRAY_TASK_COUNT', '', 'must be set with SLURM_ARRAY_TASK_ID')}\n`,
    );
    expect((await env({ SLURM_ARRAY_TASK_ID: 'two', SLURM_ARRAY_TASK_COUNT: '3' })).stderr).toBe(
      `${msg.shardInvalid('SLURM_ARRAY_TASK_ID', 'two', 'must be a whole number')}\n`,
    );
    expect((await env({ JOB_COMPLETION_INDEX: '1' })).stderr).toBe(
      `${msg.shardInvalid('JOB_COMPLETION_INDEX', '1', 'needs the shard count from --shard-count or JOB_COMPLETION_COUNT')}\n`,
    );
    // A rerun of one task (`--array=1`) is an array of one: its count is not the shard count.
    expect((await env({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '1', SLURM_ARRAY_TASK_COUNT: '1' })).stderr).toBe(
      `${msg.shardInvalid('SLURM_ARRAY_TASK_ID', '1', 'the array 1-1 is not the whole range 0-0, so its task count is not the shard count; pass --shard-count N (or --shard 1/N)')}\n`,
    );
    const slurm = await env({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '2', SLURM_ARRAY_TASK_COUNT: '3' });
    expect(slurm.stdout).toContain('Trials (shard 1/3): 9 in all');
    expect(slurm.stdout).toContain('Database results/clinoop.shard-1-of-3.sqlite: new');
    const rerun = await cli(['plan', study, '--pilot', '0', '--shard-count', '3'], dir, {
      env: { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '1', SLURM_ARRAY_TASK_COUNT: '1' },
    });
    expect(rerun.stdout).toContain('Trials (shard 1/3): 9 in all');
    const k8s = await cli(['plan', study, '--pilot', '0', '--shard-count', '3'], dir, { env: { JOB_COMPLETION_INDEX: '2' } });
    expect(k8s.stdout).toContain('Trials (shard 2/3): 9 in all');
    // A count with nothing to count (no index), or beside a shard that gives its own: refused, nothing run.
    for (const [argv, expected] of [
      [['--shard-count', '3'], msg.shardCountWithoutIndex(3)],
      [['--shard', '0/3', '--shard-count', '4'], msg.shardCountWithShard('0/3', 4)],
    ] as const) {
      const refused = await cli(['run', study, '--threads', '1', '--db', 'refused.sqlite', ...argv], dir);
      expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: 2, stderr: `${expected}\n` });
      expect(existsSync(join(dir, 'refused.sqlite'))).toBe(false);
    }
    const slurmEnv = { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '3' };
    const run = await cli(['run', study, '--threads', '1', '--db', 'slurm.sqlite'], dir, { env: slurmEnv });
    expect(run.stdout.split('\n')[0]).toBe(msg.runShardSource('SLURM_ARRAY_TASK_ID', '0/3'));
    // The command it gives names the shard: pasted where the variables are not set, it runs the same one.
    const changed = await cli(['run', study, '--threads', '1', '--db', 'slurm.sqlite', '--set', 'seeds=2'], dir, { env: slurmEnv });
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain(`${harnessOutside} run noop.yaml --threads 1 --db slurm.sqlite --set seeds=2 --shard 0/3 --fresh`);
    // So does the command that goes on with the stored setup, its last run's.
    expect(changed.stderr).toContain(`its last run was "${harnessOutside} run noop.yaml --threads 1 --db slurm.sqlite --shard 0/3"`);
  });
});

describe('run, status, export, report', () => {
  it('runs, resumes, and refuses a changed setup with the command that starts over', async () => {
    const first = await cli(['run', study, '--threads', '2', '--json'], dir);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as { ok: number; failed: number; seconds: number; trialsPerSecond: number };
    expect(first.stderr).toContain(msg.runStarting('clinoop', 27, 27, 0, 2, null, 'results/clinoop.sqlite'));
    expect(first.stderr).toContain(msg.runFinished({ ok: 27, failed: 0, seconds: summary.seconds, rate: summary.trialsPerSecond, db: 'results/clinoop.sqlite', common: null, retry: '' }));
    const again = await cli(['run', study, '--threads', '2'], dir);
    expect(again).toMatchObject({ code: 0, stdout: `${msg.runNothingToDo(27, 'results/clinoop.sqlite', null)}\n` });
    const changed = await cli(['run', study, '--set', 'seeds=2'], dir);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toBe(
      `${msg.dbManifestMismatch(
        'results/clinoop.sqlite',
        [
          { path: 'cells', stored: 27, current: 18 },
          { path: 'seeds', stored: 3, current: 2 },
        ],
        `${harnessOutside} run noop.yaml --set seeds=2 --fresh`,
        // The stored setup's own command, as its last run recorded it, to go on with it instead.
        `${harnessOutside} run noop.yaml --threads 2 --db results/clinoop.sqlite`,
      )}\n`,
    );
    const fresh = await cli(['run', study, '--set', 'seeds=2', '--fresh', '--json'], dir);
    expect(fresh.code).toBe(0);
    const moved = readdirSync(join(dir, 'results')).find((f) => /^clinoop\.\d{4}.*\.sqlite$/.test(f))!;
    expect(fresh.stderr).toContain(msg.freshMovedAside('results/clinoop.sqlite', `results/${moved}`));
    expect(JSON.parse(fresh.stdout)).toMatchObject({ study: 'clinoop', db: 'results/clinoop.sqlite', status: 'done', ok: 18, exitCode: 0 });
  });

  it('on a terminal, colours its progress unless NO_COLOR, FORCE_COLOR=0 or TERM=dumb asks for none; FORCE_COLOR=1 asks for colour even beside NO_COLOR; TERM=dumb gets plain lines', async () => {
    // The environment, whether the progress is coloured, and whether it is a line redrawn in place.
    const cases: [Record<string, string>, boolean, boolean][] = [
      [{}, true, true],
      [{ NO_COLOR: '' }, true, true],
      [{ NO_COLOR: '1' }, false, true],
      [{ TERM: 'dumb' }, false, false],
      [{ FORCE_COLOR: '0' }, false, true],
      [{ FORCE_COLOR: 'false' }, false, true],
      [{ FORCE_COLOR: '1', NO_COLOR: '1' }, true, true],
      [{ FORCE_COLOR: '1', TERM: 'dumb' }, true, true],
    ];
    for (const [i, [env, coloured, live]] of cases.entries()) {
      const run = await cli(['run', study, '--threads', '1', '--db', `colour-${i}.sqlite`], dir, { env, terminal: 100 });
      expect(run.code).toBe(0);
      const report = await cli(['report', `colour-${i}.sqlite`, '--out', `colour-${i}`], dir, { env, terminal: 100 });
      expect(report.code).toBe(0);
      for (const stderr of [run.stderr, report.stderr]) {
        // The bar redrawn in place, escape codes only in colour; on a dumb terminal, whole lines alone.
        if (live) expect(stderr, JSON.stringify(env)).toMatch(/\r[\w -]+ \[/);
        else expect(stderr, JSON.stringify(env)).not.toMatch(/[\r[]/);
        expect(stderr.includes('\x1b'), JSON.stringify(env)).toBe(coloured);
      }
      // The report's stages as plain lines.
      if (!live) expect(report.stderr).toMatch(/^load trials: \d+\/\d+\n/);
    }
  });

  it("sends what an experiment prints as its groups run to stderr, so that stdout holds only the run's, or the plan's, --json", async () => {
    writeStudy(dir, 'chatty.yaml', noopStudy({ name: 'clichatty', experiment: join(fixtures, 'experiments', 'chatty.ts'), seeds: 1, axes: { color: ['red', 'green'], size: ['s'] } }));
    const run = await runHarness(['run', 'chatty.yaml', '--db', 'chatty.sqlite', '--threads', '1', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ study: 'clichatty', ok: 2 });
    expect(run.stderr).toContain('chatty: running group');
    expect(run.stderr).toContain('chatty: and once more');
    const plan = await runHarness(['plan', 'chatty.yaml', '--db', 'chatty-plan.sqlite', '--json'], { cwd: dir });
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ study: 'clichatty' });
    expect(plan.stderr).toContain('chatty: running group');
  });

  it("sends what an experiment's report() prints to stderr, so that stdout holds only the report's --json", async () => {
    // chatty.sqlite: the run of the test before.
    const report = await runHarness(['report', 'chatty.sqlite', '--out', 'chatty-report', '--json'], { cwd: dir });
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ db: 'chatty.sqlite', files: ['trials.txt'] });
    expect(report.stderr).toContain('chatty: reporting 2 trials');
    expect(report.stderr).toContain('chatty: and the report once more');
  });

  it('on a terminal, writes what an experiment prints on lines of its own, above the progress line, in colour or not', async () => {
    writeStudy(dir, 'chatty-terminal.yaml', noopStudy({ name: 'onterminal', experiment: join(fixtures, 'experiments', 'chatty.ts'), seeds: 1, axes: { color: ['red', 'green'], size: ['s'] } }));
    for (const color of ['1', '0']) {
      const run = await runOnTerminal(['run', 'chatty-terminal.yaml', '--db', `chatty-terminal-${color}.sqlite`, '--threads', '1', '--report', '--out', `chatty-terminal-${color}`], {
        cwd: dir,
        env: { FORCE_COLOR: color },
      });
      expect(run.code).toBe(0);
      const screen = terminalScreen(run.output);
      const printed = screen.filter((line) => line.includes('chatty:'));
      // Each whole, alone on its line: none run into the progress line, nor overwritten by it.
      expect(printed.sort()).toEqual([
        'chatty: and once more',
        'chatty: and once more',
        'chatty: and the report once more',
        'chatty: reporting 2 trials',
        expect.stringMatching(/^chatty: running group \S+$/),
        expect.stringMatching(/^chatty: running group \S+$/),
      ]);
      expect(screen.filter((line) => /^onterminal \[#+\] 2\/2 done, 0 failed/.test(line))).toHaveLength(1);
    }
  });

  it("warns when git gives no commit for the checkout, in git's words, and records the run without one", async () => {
    const gitless = tempDir();
    writeStudy(gitless, 'noop.yaml', noopStudy({ name: 'gitless' }));
    // git cannot read the repository it is pointed at, as it refuses a checkout another user owns.
    const run = await runHarness(['run', 'noop.yaml', '--db', 'g.sqlite'], { cwd: gitless, env: { GIT_DIR: join(gitless, 'no-repository') } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(msg.runWithoutCommit(`fatal: not a git repository: '${join(gitless, 'no-repository')}'`));
    expect(query(join(gitless, 'g.sqlite'), 'SELECT git_commit FROM run')).toEqual([{ git_commit: null }]);
    // Left to itself, a warning only if git cannot read this checkout here either; its commit recorded.
    const plain = await runHarness(['run', 'noop.yaml', '--db', 'h.sqlite'], { cwd: gitless });
    expect(plain.stdout.includes('records no git commit')).toBe(gitState().commit === null);
    expect(query(join(gitless, 'h.sqlite'), 'SELECT git_commit FROM run')).toEqual([{ git_commit: gitState().commit }]);
  });

  it('exits 1 when trials failed, and stops at --max-failures with a resume hint', async () => {
    const failed = await cli(['run', 'faulty.yaml', '--threads', '1'], dir);
    expect(failed.code).toBe(1);
    // The summary quotes the error, so that a run whose every trial fails says why.
    expect(failed.stdout).toMatch(
      /Finished: 2 trials ok, 2 failed \(each with: "fixture: deliberate failure"\) in [\d.]+ s \(\d+ trials\/s\) -> results\/clifaulty\.sqlite\. Fix the cause, then run the study again, which retries failed trials: (.*)\n/,
    );
    expect(failed.stdout).toContain(`which retries failed trials: ${harnessOutside} run faulty.yaml --threads 1\n`);
    const stopped = await cli(['run', 'faulty.yaml', '--threads', '1', '--max-failures', '1', '--db', 'stop.sqlite'], dir);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain(msg.runStoppedAtMaxFailures(1, 1, resumeCommand(['run', 'faulty.yaml', '--threads', '1', '--max-failures', '1', '--db', 'stop.sqlite'], null, dir), 'stop.sqlite', { error: faultMessage, trials: 1 }));
    expect(stopped.stderr).toContain(`Fix the cause, then run the study again, which retries failed trials: ${harnessOutside} run faulty.yaml --threads 1 --max-failures 1 --db stop.sqlite\n`);
    // Its shard from a Job's variables, written out in the command: a shell without them would run the whole study.
    const k8s = await cli(['run', 'faulty.yaml', '--threads', '1', '--max-failures', '1', '--shard-count', '1', '--db', 'k8s.sqlite'], dir, { env: { JOB_COMPLETION_INDEX: '0' } });
    expect(k8s.stderr).toContain(msg.runStoppedAtMaxFailures(1, 1, `${harnessOutside} run faulty.yaml --threads 1 --max-failures 1 --db k8s.sqlite --shard 0/1`, 'k8s.sqlite', { error: faultMessage, trials: 1 }));
  });

  it('gives the command that retries trials stopped at --task-timeout without that limit, which would stop them again', async () => {
    writeStudy(dir, 'hangs.yaml', { name: 'hangs', experiment: faultyModule, seeds: 1, axes: { behavior: ['ok', 'hang'], variant: ['a'] } });
    const retry = `${harnessOutside} run hangs.yaml --threads 1 --db hangs.sqlite`;
    const finished = await cli(['run', 'hangs.yaml', '--threads', '1', '--task-timeout', '0.5', '--db', 'hangs.sqlite'], dir);
    expect(finished.code).toBe(1);
    expect(finished.stdout).toContain(`They hit the time limit --task-timeout set: run the study again with a larger one (or none), which retries failed trials: ${retry}\n`);
    const stopped = await cli(['run', 'hangs.yaml', '--threads', '1', '--task-timeout=0.5', '--max-failures', '1', '--db', 'hangs-stop.sqlite'], dir);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain(`which retries failed trials: ${harnessOutside} run hangs.yaml --threads 1 --max-failures 1 --db hangs-stop.sqlite\n`);
    // So does status of the database, which ends with the command that completes it.
    const status = await cli(['status', 'hangs.sqlite'], dir);
    expect(status.stdout.endsWith(`\n  ${msg.statusNext(0, 1, retry)}\n`)).toBe(true);
    expect(JSON.parse((await cli(['status', 'hangs-stop.sqlite', '--json'], dir)).stdout).next).toBe(`${harnessOutside} run hangs.yaml --threads 1 --max-failures 1 --db hangs-stop.sqlite`);
  });

  it('says so when a shard was dealt only excluded groups: nothing to run, exit 0', async () => {
    // Three groups (one per color; size is shared), shard 1 of 3 dealt the green one, excluded.
    writeStudy(dir, 'excluded.yaml', noopStudy({ name: 'excluded', seeds: 1, exclude: [{ color: 'green' }] }));
    const shard = await cli(['run', 'excluded.yaml', '--shard', '1/3', '--db', 'excluded-1.sqlite'], dir);
    expect(shard).toMatchObject({ code: 0, stdout: `${msg.runNothingToDo(0, 'excluded-1.sqlite', '1/3')}\n` });
    expect(msg.runNothingToDo(0, 'excluded-1.sqlite', '1/3')).toContain('shard 1/3 was dealt only simulation groups whose every cell the study excludes');
    // The plan counts such a shard's groups as none.
    const plan = JSON.parse((await cli(['plan', 'excluded.yaml', '--shards', '3', '--pilot', '0', '--json'], dir)).stdout) as { shardMap: { shard: string; cells: number; groups: number }[] };
    expect(plan.shardMap).toEqual([
      { shard: '0/3', cells: 3, groups: 1 },
      { shard: '1/3', cells: 0, groups: 0 },
      { shard: '2/3', cells: 3, groups: 1 },
    ]);
  });

  it('stopped while trials fail, says how many failed trials it stored beside the saved ones', async () => {
    // Three groups throw, then one hangs: stopped there, the three failures are stored.
    writeStudy(dir, 'fails-then-hangs.yaml', { name: 'fails-then-hangs', experiment: faultyModule, seeds: 3, axes: { behavior: ['ok', 'throw', 'hang'], variant: ['a'] } });
    const db = join(dir, 'results', 'fails-then-hangs.sqlite');
    const failedTrials = () => (existsSync(db) ? (query(db, "SELECT count(*) AS n FROM trial WHERE status = 'failed'")[0] as { n: number }).n : 0);
    const result = await cli(['run', 'fails-then-hangs.yaml', '--threads', '1'], dir, {
      onListen: (send) => {
        const poll = setInterval(() => {
          if (failedTrials() >= 3) {
            clearInterval(poll);
            send('SIGINT');
          }
        }, 20);
      },
    });
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(msg.runInterrupted('SIGINT', 3, 3, 9, 'results/fails-then-hangs.sqlite', `${harnessOutside} run fails-then-hangs.yaml --threads 1`, { error: faultMessage, trials: 3 }));
  }, 60_000);

  it('stops on SIGTERM with exit 143 and a message saying how to resume', async () => {
    writeStudy(dir, 'slow.yaml', noopStudy({ name: 'slow', seeds: 30, params: { n: 2, delay_ms: 30 } }));
    const argv = ['run', 'slow.yaml', '--threads', '1', '--fresh'];
    const db = join(dir, 'results', 'slow.sqlite');
    const result = await cli(argv, dir, {
      onListen: (send) => {
        const poll = setInterval(() => {
          if (savedTrials(db) >= 10) {
            clearInterval(poll);
            send('SIGTERM');
          }
        }, 20);
      },
    });
    expect(result.code).toBe(143);
    const saved = Number(/: (\d+) of 270 trials are saved/.exec(result.stderr)?.[1]);
    expect(saved).toBeGreaterThanOrEqual(10);
    expect(saved).toBeLessThan(270);
    expect(savedTrials(db)).toBe(saved);
    expect(result.stderr).toContain(msg.runInterrupted('SIGTERM', saved, 0, 270, 'results/slow.sqlite', `${harnessOutside} run slow.yaml --threads 1`, null));
  });

  it('reads the words after -- as arguments, never options, and --json=true as --json', async () => {
    const plain = await cli(['status', 'results/clinoop.sqlite'], dir);
    expect(await cli(['status', '--', 'results/clinoop.sqlite'], dir)).toEqual(plain);
    // A file whose name begins with a dash is a file, not an unknown option.
    expect(await cli(['status', '--', '-weird.sqlite'], dir)).toEqual({ code: 2, stdout: '', stderr: `${msg.dbNotFound('-weird.sqlite')}\n` });
    // Never dropped: one too many is refused as it is without --.
    const extra = await cli(['run', study, '--', 'extra'], dir);
    expect(extra).toMatchObject({ code: 2, stdout: '' });
    expect(extra.stderr).toBe((await cli(['run', study, 'extra'], dir)).stderr);
    // --json after -- is a word; --json=true asks for JSON, on a failure too.
    const word = await cli(['run', study, '--threads', 'abc', '--', '--json'], dir);
    expect(word).toMatchObject({ code: 2, stdout: '' });
    const failed = await cli(['status', 'nope.sqlite', '--json=true'], dir);
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.stdout)).toEqual({ error: msg.dbNotFound('nope.sqlite'), exitCode: 2 });
  });

  it('describes databases with status, as text and JSON', async () => {
    const empty = tempDir();
    expect(await cli(['status'], empty)).toMatchObject({ code: 0, stderr: `${msg.statusNoDatabases('results', false, empty, harnessCall(empty))}\n` });
    const text = await cli(['status', 'results/clinoop.sqlite'], dir);
    expect(text.stdout).toContain('results/clinoop.sqlite: study clinoop (experiment noop v1, manifest ');
    expect(text.stdout).toContain('  trials: 18 in all, 18 ok, 0 failed, 0 missing');
    const json = JSON.parse((await cli(['status', 'results/clinoop.sqlite', '--json'], dir)).stdout) as { ok: number; runs: unknown[] };
    expect(json.ok).toBe(18);
    expect(json.runs).toHaveLength(1);
    const folder = await cli(['status'], dir);
    expect(folder.stdout).toContain('results/clifaulty.sqlite: study clifaulty');
    expect(folder.stdout).toContain('  trials: 4 in all, 2 ok, 2 failed, 0 missing');
    expect((await cli(['status', 'nope.sqlite'], dir)).stderr).toBe(`${msg.dbNotFound('nope.sqlite')}\n`);
    writeFileSync(join(dir, 'text.sqlite'), 'not a database at all, not even close to one');
    expect((await cli(['status', 'text.sqlite'], dir)).stderr).toBe(`${msg.dbNotSqlite('text.sqlite')}\n`);
  });

  it('exports every table as CSV or JSON, the same bytes every time', async () => {
    const csv = await cli(['export', 'results/clinoop.sqlite'], dir);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('cell_index,key,group_key,replicate,color,size,status,value,label,rank,diagnostics,error,duration_ms,run_id');
    expect(lines).toHaveLength(19);
    expect(lines[1]).toMatch(/^0,[0-9a-f]{32},[0-9a-f]{32},0,red,s,ok,[\d.]+,red-s,1,"{""mode"":""plain""}",,/);
    // --out -: standard output, as POSIX utilities read it, never a file named "-".
    for (const dash of [['--out', '-'], ['--out=-']]) expect(await cli(['export', 'results/clinoop.sqlite', ...dash], dir)).toEqual(csv);
    expect(existsSync(join(dir, '-'))).toBe(false);
    const out = await cli(['export', 'results/clinoop.sqlite', '--table', 'curves', '--format', 'json', '--out', 'curves.json'], dir);
    expect(out.stderr).toBe(`${msg.exportWritten(18 / 3 * 4, 'curves', 'curves.json')}\n`);
    const curves = JSON.parse(readFileSync(join(dir, 'curves.json'), 'utf8')) as { group_key: string; idx: number; x: number; y: number }[];
    expect(curves).toHaveLength(24);
    expect(Object.keys(curves[0]!)).toEqual(['group_key', 'idx', 'x', 'y']);
    await cli(['export', 'results/clinoop.sqlite', '--table', 'curves', '--format', 'json', '--out', 'curves2.json'], dir);
    expect(readFileSync(join(dir, 'curves2.json'), 'utf8')).toBe(readFileSync(join(dir, 'curves.json'), 'utf8'));
    const failures = await cli(['export', 'results/clifaulty.sqlite', '--table', 'failures', '--format', 'json'], dir);
    expect((JSON.parse(failures.stdout) as { message: string }[]).map((f) => f.message)).toEqual(['fixture: deliberate failure', 'fixture: deliberate failure']);
    const runs = await cli(['export', 'results/clifaulty.sqlite', '--table', 'runs'], dir);
    expect(runs.stdout.split('\n')[0]).toContain('id,started_at,ended_at,heartbeat_at,status,git_commit');
  });

  it('writes the report atomically under reports/<study>, or says why not', async () => {
    const written = await cli(['report', 'results/clinoop.sqlite'], dir);
    expect(written).toMatchObject({ code: 0, stdout: `${msg.reportWritten(2, 'reports/clinoop')}\n` });
    expect(readFileSync(join(dir, 'reports', 'clinoop', 'notes', 'summary.txt'), 'utf8')).toBe('clinoop: 18 ok of 18\n');
    expect(readdirSync(join(dir, 'reports', 'clinoop')).sort()).toEqual(['notes', 'trials.csv']);
    const custom = await cli(['report', 'results/clinoop.sqlite', '--out', 'elsewhere'], dir);
    expect(custom.stdout).toBe(`${msg.reportWritten(2, 'elsewhere')}\n`);
    const none = await cli(['report', 'results/clifaulty.sqlite'], dir);
    // Asked for a report, none written: not a success a script could go on from.
    expect(none).toMatchObject({ code: 2, stderr: `${msg.reportNone('faulty')}\n` });
    const noneJson = await cli(['report', 'results/clifaulty.sqlite', '--json'], dir);
    expect(noneJson.code).toBe(2);
    expect(JSON.parse(noneJson.stdout)).toEqual({ error: msg.reportNone('faulty'), exitCode: 2 });
    // run --report the same, before the study runs.
    const runNone = await cli(['run', 'faulty.yaml', '--db', 'results/never-run.sqlite', '--report'], dir);
    expect(runNone).toEqual({ code: 2, stdout: '', stderr: `${msg.reportNone('faulty')}\n` });
    expect(existsSync(join(dir, 'results', 'never-run.sqlite'))).toBe(false);
    // --experiment takes a name, as a study file's experiment field does, or a path.
    const named = await cli(['report', 'results/clinoop.sqlite', '--experiment', 'inference-scaling'], dir);
    const inferenceModule = join(root, 'experiments', 'inference-scaling', 'experiment.ts');
    expect(named).toMatchObject({ code: 2, stderr: `${msg.reportExperimentMismatch(inferenceModule, 'inference-scaling', 'noop')}\n` });
    const misspelt = await cli(['report', 'results/clinoop.sqlite', '--experiment', 'inference-scalling'], dir);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('--experiment: "inference-scalling" not found');
    expect(misspelt.stderr).toContain('Did you mean "inference-scaling"?');
    // Or the path of the experiment's folder, which means the experiment.ts in it; a folder without one is named with what was looked for.
    const folder = await cli(['report', 'results/clinoop.sqlite', '--experiment', dirname(inferenceModule)], dir);
    expect(folder).toMatchObject({ code: 2, stderr: `${msg.reportExperimentMismatch(inferenceModule, 'inference-scaling', 'noop')}\n` });
    const empty = await cli(['report', 'results/clinoop.sqlite', '--experiment', './results'], dir);
    expect(empty).toMatchObject({ code: 2, stderr: `${msg.experimentNotFound('--experiment', './results', join(dir, 'results', 'experiment.ts'), ['inference-scaling'], undefined, 'the current folder')}\n` });
    const wrong = await cli(['report', 'results/clinoop.sqlite', '--experiment', faultyModule], dir);
    expect(wrong).toMatchObject({ code: 2, stderr: `${msg.reportExperimentMismatch(faultyModule, 'faulty', 'noop')}\n` });
    const variantModule = noopModule.replace('noop.ts', 'noop-variant.ts');
    const variant = await cli(['report', 'results/clinoop.sqlite', '--experiment', variantModule], dir);
    expect(variant.code).toBe(2);
    expect(variant.stderr.startsWith(`${msg.reportVersionMismatch('noop', '2', '1')}\n`)).toBe(true);
    expect(variant.stderr.endsWith(`\n${msg.reportBadPath('noop', variantModule, '../escaped.txt')}\n`)).toBe(true);
    const after = await cli(['run', study, '--set', 'seeds=2', '--report'], dir);
    expect(after.stdout).toContain(msg.reportWritten(2, 'reports/clinoop'));
  });

  it('merges shard databases, reporting missing shards with exit 1 until all are there', async () => {
    for (const i of [0, 1]) expect((await cli(['run', study, '--threads', '1', '--shard', `${i}/2`], dir)).code).toBe(0);
    // Shard 1's database not there (moved aside): it is to be run.
    const second = join(dir, 'results', 'clinoop.shard-1-of-2.sqlite');
    renameSync(second, `${second}.aside`);
    const partial = await cli(['merge', 'merged.sqlite', 'results/clinoop.shard-0-of-2.sqlite'], dir);
    expect(partial.code).toBe(1);
    // The missing shard's command: the other shard's, with its shard, into a database beside the input's.
    expect(partial.stdout).toBe(
      `${msg.mergeSummary({ out: 'merged.sqlite', inputs: 1, ok: 15, failed: 0, added: 15, duplicates: 0, cells: 27 })}\n` +
        `${msg.mergeMissing(12, [{ shard: '1/2', cells: 12 }], ['1/2'], (shard) => `${harnessOutside} run ${study} --threads 1 --shard ${shard} --db results/clinoop.shard-1-of-2.sqlite`)}\n` +
        `${msg.mergeAgain(`${harnessOutside} merge merged.sqlite results/clinoop.shard-0-of-2.sqlite results/clinoop.shard-1-of-2.sqlite`)}\n`,
    );
    // Under --json, the object alone on stdout, and the same words for people on stderr, after the progress.
    const partialJson = await cli(['merge', 'merged-json.sqlite', 'results/clinoop.shard-0-of-2.sqlite', '--json'], dir);
    expect(partialJson.code).toBe(1);
    expect(JSON.parse(partialJson.stdout)).toMatchObject({ out: 'merged-json.sqlite', ok: 15, missing: 12, missingShards: ['1/2'] });
    expect(partialJson.stderr).toBe(`merge shards: 0/1\nmerge shards: 1/1\n${partial.stdout.replaceAll('merged.sqlite', 'merged-json.sqlite')}`);
    expect(JSON.parse(partialJson.stdout).next).toEqual({
      rerun: { '1/2': `${harnessOutside} run ${study} --threads 1 --shard 1/2 --db results/clinoop.shard-1-of-2.sqlite` },
      merge: `${harnessOutside} merge merged-json.sqlite results/clinoop.shard-0-of-2.sqlite results/clinoop.shard-1-of-2.sqlite`,
    });
    // There, but not among the inputs: said so, with no advice to run it again; the merge that adds it.
    renameSync(`${second}.aside`, second);
    const left = await cli(['merge', 'merged-left.sqlite', 'results/clinoop.shard-0-of-2.sqlite', '--json'], dir);
    expect(left.code).toBe(1);
    const notGiven = msg.mergeMissing(12, [{ shard: '1/2', cells: 12 }], ['1/2'], () => 'never', new Map([['1/2', 'results/clinoop.shard-1-of-2.sqlite']]));
    expect(notGiven).toBe('12 trials are missing.\nShards not among the inputs, whose databases are there: 1/2 (results/clinoop.shard-1-of-2.sqlite); the merge below adds them.');
    expect(left.stderr).toContain(`${notGiven}\n${msg.mergeAgain(`${harnessOutside} merge merged-left.sqlite results/clinoop.shard-0-of-2.sqlite results/clinoop.shard-1-of-2.sqlite`)}\n`);
    expect(left.stderr).not.toContain('rerun it with');
    expect(JSON.parse(left.stdout).next).toEqual({ rerun: {}, merge: `${harnessOutside} merge merged-left.sqlite results/clinoop.shard-0-of-2.sqlite results/clinoop.shard-1-of-2.sqlite` });
    const complete = await cli(['merge', 'merged.sqlite', 'results/clinoop.shard-1-of-2.sqlite', '--json'], dir);
    expect(complete.code).toBe(0);
    expect(JSON.parse(complete.stdout)).toMatchObject({ out: 'merged.sqlite', ok: 27, missing: 0, missingShards: [], next: null });
  });

  it('gives a missing shard of inputs not named as shards a database beside them, and the merge that then completes the output, which run as given', async () => {
    const here = join(dir, 'unnamed');
    mkdirSync(here);
    writeStudy(here, 'tiny.yaml', noopStudy({ name: 'tiny', axes: { color: ['red', 'green'], size: ['s'] } }));
    for (const [i, db] of [[0, 'a.sqlite'], [1, 'b.sqlite']] as const) expect((await cli(['run', 'tiny.yaml', '--threads', '1', '--shard', `${i}/3`, '--db', db], here)).code).toBe(0);
    const partial = await cli(['merge', 'out.sqlite', 'a.sqlite', 'b.sqlite'], here);
    expect(partial.code).toBe(1);
    const rerun = `${harnessOutside} run tiny.yaml --threads 1 --shard 2/3 --db tiny.shard-2-of-3.sqlite`;
    const again = `${harnessOutside} merge out.sqlite a.sqlite b.sqlite tiny.shard-2-of-3.sqlite`;
    expect(partial.stdout).toContain(`rerun it with: ${rerun}\n${msg.mergeAgain(again)}\n`);
    // Pasted into a shell in that folder, as given: the shard runs where the merge then finds it, and the output is whole.
    for (const command of [rerun, again]) execFileSync('sh', ['-c', command], { cwd: here, stdio: 'pipe' });
    const whole = await cli(['merge', 'out.sqlite', 'a.sqlite', '--json'], here);
    expect(JSON.parse(whole.stdout)).toMatchObject({ ok: 6, missing: 0, next: null });
  });

  it('merging shards of two cuts, which no shard completes, gives the study run into the output, which completes it as given', async () => {
    const here = join(dir, 'two-cuts');
    mkdirSync(here);
    writeStudy(here, 'tiny.yaml', noopStudy({ name: 'tiny', axes: { color: ['red', 'green'], size: ['s'] } }));
    for (const shard of ['0/3', '0/2']) expect((await cli(['run', 'tiny.yaml', '--threads', '1', '--shard', shard, '--db', `cut-${shard[2]}.sqlite`], here)).code).toBe(0);
    const partial = await cli(['merge', 'out.sqlite', 'cut-3.sqlite', 'cut-2.sqlite', '--json'], here);
    expect(partial.code).toBe(1);
    const run = `${harnessOutside} run tiny.yaml --threads 1 --db out.sqlite`;
    expect(JSON.parse(partial.stdout)).toMatchObject({ missingByShard: [], next: { run } });
    expect(partial.stderr).toContain(`\n${msg.mergeFill(run)}\n`);
    execFileSync('sh', ['-c', run], { cwd: here, stdio: 'pipe' });
    expect(JSON.parse((await cli(['status', 'out.sqlite', '--json'], here)).stdout)).toMatchObject({ ok: 6, failed: 0, missing: 0 });
  });

  it('names the command that computes what a shard lacks: its own, else another shard\'s with the shard swapped, and its --db when it names the shard', () => {
    const recorded = {
      '0/3': "harness run paper --shard 0/3 --set seeds=60 --db 'my results/s0.sqlite'",
      '1/3': 'harness run paper --shard=1/3 --set seeds=60',
    };
    expect(rerunLines('1/3', recorded)).toBe('npx harness run paper --shard=1/3 --set seeds=60');
    expect(rerunLines('2/3', recorded)).toBe('npx harness run paper --shard 2/3 --set seeds=60');
    // Given its shard by a Slurm array's or a Job's variables: that command, with --shard written out.
    expect(rerunLines('2/3', { '0/3': 'harness run paper --set seeds=60' })).toBe('npx harness run paper --set seeds=60 --shard 2/3');
    expect(rerunLines('2/3', { '0/3': 'harness run paper --shard-count 3 --set seeds=60' })).toBe('npx harness run paper --set seeds=60 --shard 2/3');
    // A rerun resumes: never --fresh, which would set the shard's stored trials aside.
    expect(rerunLines('1/3', { '1/3': 'harness run paper --shard 1/3 --fresh --db s1.sqlite' })).toBe('npx harness run paper --shard 1/3 --db s1.sqlite');
    expect(rerunLines('2/3', { '1/3': 'harness run paper --fresh --shard 1/3' })).toBe('npx harness run paper --shard 2/3');
    expect(rerunLines('1/3', { '1/3': 'harness run paper --shard 1/3 --fresh=true --set seeds=2' })).toBe('npx harness run paper --shard 1/3 --set seeds=2');
    expect(rerunLines('1/3', { '1/3': 'harness run paper --shard 1/3 --fresh true --set seeds=2' })).toBe('npx harness run paper --shard 1/3 --set seeds=2');
    // With another shard count: nothing to reuse.
    expect(rerunLines('2/3', { '0/4': 'harness run paper --shard 0/4' })).toBe('npx harness run <study> --shard 2/3');
    // A --db named for its shard is named for the shard to run.
    expect(rerunLines('2/3', { '0/3': "harness run paper --shard 0/3 --db '/scratch/my runs/shard-0-of-3.sqlite'" })).toBe(
      "npx harness run paper --shard 2/3 --db '/scratch/my runs/shard-2-of-3.sqlite'",
    );
    expect(rerunLines('2/3', { '0/3': 'harness run paper --shard=0/3 --db=results/paper.shard-0-of-3.sqlite' })).toBe('npx harness run paper --shard=2/3 --db=results/paper.shard-2-of-3.sqlite');
    // Where the caller knows the database (the folder the user looks at): that one, in place of any recorded, or added.
    expect(rerunLines('2/3', recorded, 'my results/s2.sqlite')).toBe("npx harness run paper --shard 2/3 --set seeds=60 --db 'my results/s2.sqlite'");
    expect(rerunLines('1/3', recorded, 'copied/paper.shard-1-of-3.sqlite')).toBe('npx harness run paper --shard=1/3 --set seeds=60 --db copied/paper.shard-1-of-3.sqlite');
    expect(rerunLines('0/3', recorded, 'elsewhere/s0.sqlite')).toBe('npx harness run paper --shard 0/3 --set seeds=60 --db elsewhere/s0.sqlite');
    expect(rerunLines('2/3', {}, 'x/paper.shard-2-of-3.sqlite')).toBe('npx harness run <study> --shard 2/3 --db x/paper.shard-2-of-3.sqlite');
    // Options before a --, after which words are arguments.
    expect(rerunLines('1/3', { '0/3': 'harness run --shard 0/3 -- my.yaml' }, 'r/my.shard-1-of-3.sqlite')).toBe('npx harness run --shard 1/3 --db r/my.shard-1-of-3.sqlite -- my.yaml');
    // A shard that Slurm's variables gave (no --shard on its line): written out, the count's option gone with them.
    expect(rerunLines('1/2', { '1/2': 'harness run paper --shard-count 2' }, 's.sqlite')).toBe('npx harness run paper --shard 1/2 --db s.sqlite');
    expect(rerunLines('1/2', { '1/2': 'harness run paper' })).toBe('npx harness run paper --shard 1/2');
  });

  it('finds where a shard\'s database is, or goes, among databases named as shards', () => {
    const paths = ['cut/paper.shard-0-of-3.sqlite', 'cut/paper.shard-2-of-3.sqlite'];
    expect(shardPathAmong(2, 3, paths)).toBe('cut/paper.shard-2-of-3.sqlite');
    expect(shardPathAmong(1, 3, paths)).toBe('cut/paper.shard-1-of-3.sqlite');
    // Named for another cut, or not alike: nowhere to tell.
    expect(shardPathAmong(1, 4, paths)).toBeNull();
    expect(shardPathAmong(1, 3, [...paths, 'other/paper.shard-1-of-3x.sqlite', 'b/shard-0-of-3.sqlite'])).toBeNull();
    expect(shardPathAmong(1, 3, ['s0.sqlite'])).toBeNull();
  });

  it('refuses more shards than the study has simulation groups, creating no database', async () => {
    // 27 cells in groups of 3: 9 groups, so shard 9/10 and --shards 10 would have nothing to do.
    const rule = "N must be at most the study's 9 simulation groups (a group is never split), or some shards would have nothing to do; cut it into 9 shards or fewer";
    const cases: [string[], string][] = [
      [['run', study, '--shard', '9/10', '--db', 'results/toomany.sqlite'], msg.shardInvalid('--shard', '9/10', rule)],
      [['plan', study, '--shard', '0/10', '--db', 'results/toomany.sqlite'], msg.shardInvalid('--shard', '0/10', rule)],
      [['plan', study, '--shards', '10'], msg.shardsExceedGroups(10, 9)],
    ];
    for (const [argv, expected] of cases) expect(await cli(argv, dir)).toEqual({ code: 2, stdout: '', stderr: `${expected}\n` });
    const fromSlurm = await cli(['run', study, '--db', 'results/toomany.sqlite'], dir, { env: { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '10' } });
    expect(fromSlurm).toEqual({ code: 2, stdout: '', stderr: `${msg.shardInvalid('SLURM_ARRAY_TASK_ID', '3/10', rule)}\n` });
    expect(existsSync(join(dir, 'results/toomany.sqlite'))).toBe(false);
    // Exactly as many shards as groups is fine.
    expect((await cli(['plan', study, '--shards', '9', '--pilot', '0'], dir)).code).toBe(0);
  });

  it('plans: grid, counts, shard map, a changed setup, an estimate', async () => {
    const plan = await cli(['plan', study, '--shards', '2', '--pilot', '2', '--threads', '2'], dir);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Study clinoop: experiment noop v1');
    expect(plan.stdout).toContain('  = 27 cells in 9 groups of 3');
    // Exclusions that leave some groups fewer cells: "up to".
    writeStudy(dir, 'uneven.yaml', noopStudy({ name: 'uneven', seeds: 1, exclude: [{ color: 'green', size: 's' }] }));
    const uneven = await cli(['plan', 'uneven.yaml', '--pilot', '0'], dir);
    expect(uneven.stdout).toContain('  = 8 cells in 3 groups of up to 3\n');
    // A count of one in the singular.
    writeStudy(dir, 'single.yaml', noopStudy({ name: 'single', seeds: 1, axes: { color: ['red'], size: ['s'] } }));
    expect((await cli(['plan', 'single.yaml', '--pilot', '0'], dir)).stdout).toContain('  = 1 cell in 1 group of 1\n');
    expect(JSON.parse((await cli(['plan', 'uneven.yaml', '--pilot', '0', '--json'], dir)).stdout)).toMatchObject({ cells: 8, groups: 3, cellsPerGroup: 3 });
    expect(plan.stdout).toContain('Database results/clinoop.sqlite: holds a different setup (a run would refuse it):\n  - cells: 18 in the database, 27 now');
    expect(plan.stdout).toContain('  0/2            15 cells       5 groups\n  1/2            12 cells       4 groups');
    // Another study's database: the studies' names, not a list of every difference.
    const other = await cli(['plan', 'single.yaml', '--pilot', '0', '--db', 'results/clinoop.sqlite'], dir);
    expect(other.stdout).toContain('Database results/clinoop.sqlite: holds study "clinoop", not "single" (a run would refuse it; give single a database of its own with --db)\nTrials');
    // Not "about 0s": a run shorter than a second is given in milliseconds.
    expect(plan.stdout).toMatch(/Estimate: [\d.]+ ms per trial \(pilot of 2 groups\), 27 to run on 2 threads: about \d+ ms\n/);
    const json = JSON.parse((await cli(['plan', study, '--set', 'seeds=2', '--json', '--pilot', '0'], dir)).stdout) as {
      database: string;
      scope: Record<string, number>;
    };
    expect(json.database).toBe('matches');
    expect(json.scope).toEqual({ cells: 18, done: 18, failed: 0, missing: 0 });
  });

  it('lists experiments and studies', async () => {
    const list = await cli(['list'], dir);
    expect(list.stdout).toContain('Experiments:\n  inference-scaling v');
    expect(list.stdout).toContain('    axis selector (shared): ');
    // An axis a study may extend lists the catalog's values too, and what a study that leaves it out runs.
    expect(list.stdout).toContain('    axis scenario: balanced, accuracy-critical, cost-constrained, or any the study defines; without it in the study: balanced, accuracy-critical, cost-constrained\n');
    // A closed axis whose defaults are all its values says so.
    expect(list.stdout).toMatch(/ {4}axis selector \(shared\): [^\n]*; without it in the study: all of them\n/);
    expect(list.stdout).toMatch(/Studies:\n(.|\n)*  paper \(experiments\/inference-scaling\/paper\.yaml, experiment inference-scaling\)/);
    const json = JSON.parse((await cli(['list', '--json'], dir)).stdout) as { studies: { name: string }[] };
    expect(json.studies.map((s) => s.name)).toContain('paper');
    // An experiment that cannot load shows its whole message, each line under its entry.
    const broken = formatList([{ name: 'q', module: 'experiments/q/experiment.ts', error: msg.experimentInvalid('experiments/q/experiment.ts', ['"version" must be a non-empty string']) }], []);
    expect(broken).toContain('  q (experiments/q/experiment.ts): cannot load: experiments/q/experiment.ts does not implement the Experiment contract of harness/experiment.ts:\n      - "version" must be a non-empty string\n');
  });

  it('refuses to write a database where a folder or a file blocks the path', async () => {
    mkdirSync(join(dir, 'adir.sqlite'));
    expect((await cli(['run', study, '--db', 'adir.sqlite'], dir)).stderr).toBe(`${msg.dbIsDirectory('adir.sqlite')}\n`);
    writeFileSync(join(dir, 'blocker'), '');
    expect((await cli(['run', study, '--db', 'blocker/x.sqlite'], dir)).stderr).toMatch(/^Cannot open the database blocker\/x\.sqlite: E[A-Z]+: /);
  });

  it('refuses a --db ending in "/" where no folder is, which names a folder, creating nothing', async () => {
    for (const command of ['run', 'plan']) {
      const result = await cli([command, study, '--db', 'new-folder/'], dir);
      expect({ command, ...result }).toEqual({ command, code: 2, stdout: '', stderr: `${msg.dbOptionNamesFolder('new-folder/', 'new-folder/clinoop.sqlite')}\n` });
      expect(existsSync(join(dir, 'new-folder'))).toBe(false);
    }
  });
});
