import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/errors.js';
import * as msg from '../../harness/cluster/messages.js';
import * as globalMsg from '../../harness/messages.js';
import {
  arrayScript,
  formatPlan,
  mergeScript,
  parseMaxArraySize,
  parseSlurmTime,
  largestWithoutIdle,
  liveLoads,
  planArray,
  withoutIdleTasks,
  planFile,
  type SlurmOptions,
  type StudyWork,
} from '../../harness/cluster/slurm.js';
import { studyWork } from '../../harness/cluster/study-work.js';
import { noopStudy, tempDir, writeStudy } from '../harness/helpers.js';

const golden = (name: string) => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');

/**
 * A study of `groups` groups, alternately `trialsPerGroup` and one more trials, dealt round robin;
 * then `excluded` groups whose every cell the study excludes.
 */
function work(groups: number, trialsPerGroup = 4, pilot: number | null = 2.5, excluded = 0): StudyWork {
  const groupTrials = [...Array.from({ length: groups }, (_, g) => trialsPerGroup + (g % 2)), ...Array<number>(excluded).fill(0)];
  return {
    study: 'tiny',
    studyFile: '/repo/test/fixtures/cluster/tiny.yaml',
    overrides: ['sim.M=100', "label=it's mine"],
    manifestHash: 'manifest-of-tiny',
    groups,
    blocks: groups + excluded,
    trials: groupTrials.reduce((a, b) => a + b, 0),
    shardLoads: (count) => {
      const loads = Array.from({ length: count }, () => ({ groups: 0, trials: 0 }));
      groupTrials.forEach((trials, g) => {
        loads[g % count]!.groups += trials > 0 ? 1 : 0;
        loads[g % count]!.trials += trials;
      });
      return loads;
    },
    liveBlocks: groupTrials.map((trials) => trials > 0),
    pilotSecondsPerGroup: pilot,
  };
}

function options(over: Partial<SlurmOptions> = {}): SlurmOptions {
  return {
    out: '/shared/results/tiny',
    arraySize: 4,
    parallel: 2,
    partition: 'debug',
    time: '0:10:00',
    cpusPerTask: 2,
    maxArraySize: 1001,
    maxRequeues: 3,
    runOptions: [],
    node: '/usr/bin/node',
    harness: '/repo/bin/harness.mjs',
    workdir: '/repo',
    ...over,
  };
}

function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(InputError);
    return (thrown as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('sbatch scripts', () => {
  const plan = planArray(work(10), options());

  it('match the golden array, merge and plan files', () => {
    expect(arrayScript(plan)).toBe(golden('array.sbatch'));
    expect(mergeScript(plan)).toBe(golden('merge.sbatch'));
    expect(planFile(plan, { array: '12', merge: '13' })).toBe(golden('cluster-plan.json'));
    expect(formatPlan(plan)).toBe(golden('plan.txt'));
  });

  it('are valid bash, also with one task, no throttle and paths that need quoting', () => {
    const odd = planArray(work(3), options({ arraySize: 1, parallel: undefined, time: undefined, partition: undefined, out: "/shared/my results/it's" }));
    for (const p of [plan, odd]) {
      for (const text of [arrayScript(p), mergeScript(p)]) execFileSync('bash', ['-n'], { input: text });
    }
    expect(arrayScript(odd)).toContain('#SBATCH --array=0\n');
    expect(arrayScript(odd)).toContain(`--db "/shared/my results/it's/shard-$task-of-1.sqlite"`);
    expect(arrayScript(odd)).not.toContain('--time');
  });

  it('run outside an array, exit 1 naming the whole command that runs a shard by hand, as its task runs it', () => {
    const odd = planArray(work(3), options({ arraySize: 3, out: "/shared/my results/it's", runOptions: ['--task-timeout', '30'] }));
    const { SLURM_ARRAY_TASK_ID: _, ...env } = process.env;
    const outside = spawnSync('bash', ['-c', arrayScript(odd)], { env, encoding: 'utf8' });
    expect(outside.status).toBe(1);
    const byHand = /^ {2}(npx harness run .*)$/m.exec(outside.stderr)![1]!;
    expect(outside.stderr).toContain(`${msg.arrayScriptOutsideArray(byHand, '/repo')}\n`);
    // The words bash reads from it, shard 2 put in place of <i>: the task's own run, less its --threads.
    const words = execFileSync('bash', ['-c', `printf '%s\\n' ${byHand.replaceAll('<i>', '2')}`], { encoding: 'utf8' }).trimEnd().split('\n');
    expect(words).toEqual([
      ...['npx', 'harness', 'run', '/repo/test/fixtures/cluster/tiny.yaml', '--shard', '2/3', '--db', "/shared/my results/it's/shard-2-of-3.sqlite"],
      ...['--set', 'sim.M=100', '--set', "label=it's mine", '--task-timeout', '30'],
    ]);
  });
});

describe('planArray', () => {
  it('packs groups into MaxArraySize tasks and keeps every trial', () => {
    const w = work(5000, 3, null);
    const plan = planArray(w, options({ arraySize: undefined }));
    expect(plan.tasks).toBe(1001);
    expect(new Set(plan.shards.map((s) => s.groups))).toEqual(new Set([4, 5]));
    expect(plan.shards.reduce((a, s) => a + s.trials, 0)).toBe(w.trials);
  });

  it('follows a smaller site MaxArraySize', () => {
    expect(planArray(work(50, 3, null), options({ arraySize: undefined, maxArraySize: 8 })).tasks).toBe(8);
  });

  it('with a pilot, makes tasks of at least five minutes', () => {
    // 100 groups x 6 s on 1 CPU = 600 s of work: two tasks of 300 s.
    const plan = planArray(work(100, 1, 6), options({ arraySize: undefined, cpusPerTask: 1 }));
    expect(plan.tasks).toBe(2);
    expect(plan.shards.map((s) => s.estimatedSeconds)).toEqual([300, 300]);
  });

  it('estimates a task as rounds of groups over its CPUs', () => {
    // 10 groups over 4 tasks: shards of 3, 3, 2, 2 groups; on 2 CPUs that is 2, 2, 1, 1 rounds of 2.5 s.
    expect(planArray(work(10), options()).shards.map((s) => s.estimatedSeconds)).toEqual([5, 5, 2.5, 2.5]);
  });

  it("says a pilot's stopped group, and that a task's time is then a lower bound", async () => {
    const dir = tempDir();
    const study = writeStudy(dir, 'hangs.yaml', {
      name: 'hangs',
      experiment: new URL('../fixtures/experiments/faulty.ts', import.meta.url).pathname,
      axes: { behavior: ['ok', 'hang'], variant: ['a', 'b'] },
      seeds: 3,
    });
    const measured = await studyWork(study, [], { pilotGroups: 10, cwd: dir, pilotGroupLimitMs: 300 });
    const warning = globalMsg.pilotGroupStopped({ behavior: 'hang', replicate: 1, variant: 'a' }, 0.3, false);
    expect(measured).toMatchObject({ pilotWarnings: [warning], pilotLowerBound: true });
    const plan = planArray(measured, options({ arraySize: 2, time: undefined }));
    expect(plan.warnings[0]).toBe(warning);
    expect(formatPlan(plan)).toMatch(/^Per task: 3 groups, 6 trials, at least [\d.]+ m?s \(pilot: /m);
    // The tasks' --task-timeout holds the pilot where it is the shorter limit; a longer one is the tasks' alone.
    const held = await studyWork(study, [], { pilotGroups: 10, cwd: dir, pilotGroupLimitMs: 300, taskTimeoutMs: 200 });
    expect(held).toMatchObject({ pilotWarnings: [globalMsg.pilotGroupStopped({ behavior: 'hang', replicate: 1, variant: 'a' }, 0.2, true)], pilotLowerBound: false });
    const longer = await studyWork(study, [], { pilotGroups: 10, cwd: dir, pilotGroupLimitMs: 300, taskTimeoutMs: 600_000 });
    const capped = globalMsg.pilotGroupStopped({ behavior: 'hang', replicate: 1, variant: 'a' }, 0.3, false, 600);
    expect(capped).toContain('In a task, --task-timeout stops such a group at 600 s.');
    expect(longer).toMatchObject({ pilotWarnings: [capped], pilotLowerBound: true });
  });

  it('warns when the estimate exceeds the time limit less its warning (60 s, sent up to 60 s early), and refuses a limit within it', () => {
    const plan = planArray(work(10, 4, 700), options({ time: '10' }));
    expect(plan.warnings).toEqual([msg.beyondTimeLimit(1400, '10', 3, 120)]);
    // 2 rounds of 250 s: within 10 minutes, not within the 480 s before the earliest warning.
    expect(planArray(work(10, 4, 250), options({ time: '10' })).warnings).toEqual([msg.beyondTimeLimit(500, '10', 3, 120)]);
    expect(planArray(work(10, 4, 235), options({ time: '10' })).warnings).toEqual([]);
    expect(inputError(() => planArray(work(10), options({ time: '2' })))).toBe(msg.timeWithinWarning('2', 120));
    expect(inputError(() => planArray(work(10), options({ time: '1:30' })))).toBe(msg.timeWithinWarning('1:30', 120));
    expect(planArray(work(10), options({ time: '2:01' })).tasks).toBeGreaterThan(0);
  });

  it('refuses bad options with the option, the rule and the value', () => {
    expect(inputError(() => planArray(work(5000), options({ arraySize: 2000 })))).toBe(msg.arrayTooLarge(2000, 1001, 5000));
    expect(inputError(() => planArray(work(3), options({ arraySize: 4 })))).toBe(msg.arrayLargerThanGrid(4, 3, 3));
    expect(inputError(() => planArray(work(3), options({ partition: 'a b' })))).toBe(msg.badPartition('a b'));
    expect(inputError(() => planArray(work(3), options({ time: '1h' })))).toBe(msg.badTime('1h'));
    expect(inputError(() => planArray(work(0), options()))).toBe(msg.emptyStudy('/repo/test/fixtures/cluster/tiny.yaml'));
  });
});

describe('a study that excludes whole groups', () => {
  it('is said to run its groups with cells, and sized by them, while tasks may be dealt every group', () => {
    // 100 groups x 6 s on 1 CPU = 600 s of work: two tasks of 300 s, however many more are excluded.
    const plan = planArray(work(100, 1, 6, 50), options({ arraySize: undefined, cpusPerTask: 1 }));
    expect(plan.tasks).toBe(2);
    expect(formatPlan(plan).split('\n')[0]).toBe('Study tiny: 150 trials in 100 simulation groups (and 50 more whose every cell the study excludes, which tasks are dealt too)');
    expect(formatPlan(planArray(work(10), options())).split('\n')[0]).toBe('Study tiny: 45 trials in 10 simulation groups');
    // One of each per task: in the singular.
    expect(formatPlan(planArray(work(1, 1, null), options({ arraySize: 1 }))).split('\n')[2]).toBe('Per task: 1 group, 1 trial, time unknown (no pilot)');
    expect(formatPlan(planArray(work(1, 1, null), options({ arraySize: 1 }))).split('\n')[0]).toBe('Study tiny: 1 trial in 1 simulation group');
    // Without a pilot, one task per group as shards deal them, less as many as it takes for no
    // task to be dealt excluded groups alone: 5 and 4 would (tasks 3 and 4, task 3).
    const fewer = planArray(work(3, 1, null, 2), options({ arraySize: undefined }));
    expect([fewer.tasks, fewer.warnings]).toEqual([3, []]);
    const five = planArray(work(3, 1, null, 2), options({ arraySize: 5 }));
    expect(five.tasks).toBe(5);
    // The excluded groups, last, are dealt to tasks 3 and 4: said, with what to do.
    expect(five.warnings).toEqual([msg.idleTasks([3, 4], 5, 3, 1, 1)]);
    expect(formatPlan(five)).toContain('Warning: tasks 3, 4 of 5 are dealt only simulation groups whose every cell the study excludes, and will end at once with nothing to run; --array-size 3 leaves none idle.');
    expect(planArray(work(3, 1, null, 2), options({ arraySize: 3 })).warnings).toEqual([]);
    const refused = inputError(() => planArray(work(3, 1, null, 2), options({ arraySize: 6 })));
    expect(refused).toBe(msg.arrayLargerThanGrid(6, 5, 3));
    expect(refused).toContain('at most the number of simulation groups (5, counting the 2 whose every cell the study excludes): tasks are dealt whole groups');
  });

  it('lowers the default to leave no task idle only where that takes no longer, and names the size that does', () => {
    // The paper's 810 groups (scenario x model x seed) without cost-constrained GPT-5's 30: with
    // more than 540 tasks those 30 groups are some tasks' only ones, but 540 tasks run two groups
    // where 810 run one: the 30 idle tasks cost less than doubling the array's time.
    const live = Array.from({ length: 810 }, (_, block) => block < 540 || block >= 570);
    expect(largestWithoutIdle(live, 810)).toBe(540);
    expect(withoutIdleTasks(live, 810)).toBe(810);
    expect(withoutIdleTasks(live, 300)).toBe(300);
    // Excluded groups at the end, as in work(3, 1, null, 2): three tasks of one group each.
    expect(withoutIdleTasks([true, true, true, false, false], 5)).toBe(3);
    expect(largestWithoutIdle([false, false, true], 3)).toBe(1);
    const plan = planArray({ ...work(540, 1, null, 0), blocks: 810, liveBlocks: live, shardLoads: (count) => liveLoads(live, count).map((groups) => ({ groups, trials: groups })) }, options({ arraySize: undefined }));
    expect(plan.tasks).toBe(810);
    expect(plan.warnings).toEqual([msg.idleTasks(Array.from({ length: 30 }, (_, i) => 540 + i), 810, 540, 2, 1)]);
    expect(plan.warnings[0]).toContain('--array-size 540 leaves none idle, though a task then runs up to 2 groups where now it runs 1, which takes the array longer.');
  });

  it('is counted so from the study file', async () => {
    // Three groups (one per color; size is shared), the green one excluded.
    const dir = tempDir();
    writeStudy(dir, 'excluded.yaml', noopStudy({ name: 'excluded', seeds: 1, exclude: [{ color: 'green' }] }));
    const w = await studyWork('excluded.yaml', [], { pilotGroups: 0, cwd: dir });
    expect({ groups: w.groups, blocks: w.blocks, trials: w.trials, live: w.liveBlocks }).toEqual({ groups: 2, blocks: 3, trials: 6, live: [true, false, true] });
    expect(w.shardLoads(3)).toEqual([
      { groups: 1, trials: 3 },
      { groups: 0, trials: 0 },
      { groups: 1, trials: 3 },
    ]);
  });
});

describe('Slurm settings', () => {
  it('parses every Slurm time format', () => {
    expect(parseSlurmTime('90')).toBe(5400);
    expect(parseSlurmTime('10:30')).toBe(630);
    expect(parseSlurmTime('1:30:00')).toBe(5400);
    expect(parseSlurmTime('2-0')).toBe(172800);
    expect(parseSlurmTime('1-02:03')).toBe(93780);
    expect(parseSlurmTime('1-02:03:04')).toBe(93784);
    for (const bad of ['', '0', '1:2:3:4', '-5', 'x', '1-']) expect(inputError(() => parseSlurmTime(bad))).toBe(msg.badTime(bad));
  });

  it('reads MaxArraySize from scontrol show config', () => {
    expect(parseMaxArraySize('JobRequeue              = 1\nMaxArraySize            = 40001\nMaxJobCount = 10000\n')).toBe(40001);
    expect(parseMaxArraySize('MaxJobCount = 10000\n')).toBeNull();
  });
});

/**
 * The array script's signal handling, outside Slurm: a stand-in harness that records its
 * arguments and the signal it gets, and a stand-in scontrol that records the requeue.
 */
describe('array task signals', () => {
  function runTask(signal: 'USR1' | 'TERM', restartCount: number) {
    const dir = tempDir('slurm-task-');
    const fakeNode = join(dir, 'node');
    writeFileSync(
      fakeNode,
      `#!/bin/bash\necho "$@" > ${dir}/args\ntrap 'echo TERM > ${dir}/signal; exit 143' TERM\necho started > ${dir}/started\nwhile true; do sleep 0.05; done\n`,
    );
    writeFileSync(join(dir, 'scontrol'), `#!/bin/bash\necho "$@" > ${dir}/requeued\n`);
    chmodSync(fakeNode, 0o755);
    chmodSync(join(dir, 'scontrol'), 0o755);
    const plan = planArray(work(10), options({ node: fakeNode, out: dir }));
    writeFileSync(join(dir, 'task.sh'), arrayScript(plan));
    const env = {
      ...process.env,
      PATH: `${dir}:${process.env.PATH}`,
      SLURM_ARRAY_TASK_ID: '3',
      SLURM_ARRAY_JOB_ID: '41',
      SLURM_CPUS_PER_TASK: '2',
      SLURM_RESTART_COUNT: String(restartCount),
    };
    return new Promise<{ code: number | null; dir: string }>((done, fail) => {
      const child = spawn('bash', [join(dir, 'task.sh')], { env, stdio: 'ignore' });
      child.on('error', fail);
      child.on('exit', (code) => done({ code, dir }));
      const poll = setInterval(() => {
        try {
          readFileSync(join(dir, 'started'));
        } catch {
          return;
        }
        clearInterval(poll);
        child.kill(`SIG${signal}`);
      }, 20);
    });
  }

  const read = (dir: string, name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8').trim();
    } catch {
      return null;
    }
  };

  it('runs its shard, and near the time limit stops the harness and requeues itself', async () => {
    const { code, dir } = await runTask('USR1', 0);
    expect(read(dir, 'args')).toBe(
      `/repo/bin/harness.mjs run /repo/test/fixtures/cluster/tiny.yaml --shard 3/4 --db ${dir}/shard-3-of-4.sqlite --threads 2 --set sim.M=100 --set label=it's mine`,
    );
    expect(read(dir, 'signal')).toBe('TERM');
    expect(read(dir, 'requeued')).toBe('requeue 41_3');
    expect(code).toBe(143);
  });

  it('stops requeueing after max-requeues', async () => {
    const { dir } = await runTask('USR1', 3);
    expect(read(dir, 'signal')).toBe('TERM');
    expect(read(dir, 'requeued')).toBeNull();
  });

  it('on SIGTERM (scancel, preemption) stops the harness without requeueing itself', async () => {
    const { code, dir } = await runTask('TERM', 0);
    expect(read(dir, 'signal')).toBe('TERM');
    expect(read(dir, 'requeued')).toBeNull();
    expect(code).toBe(143);
  });
});
