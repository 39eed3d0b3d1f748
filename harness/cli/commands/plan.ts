import { displayPath } from '../../paths.js';
import { InputError } from '../../errors.js';
import * as msg from '../../messages.js';
import { PILOT_GROUP_LIMIT_MS, planStudy } from '../../run/plan.js';
import { checkShardFits } from '../../run/shard.js';
import { println } from '../io.js';
import { options, optionTable, pilotOption, seconds, SHARD_FROM_ENVIRONMENT, wholeNumber } from '../options.js';
import { formatPlan } from '../format.js';
import type { Command } from './command.js';
import { dbPathOf, shardOf, studyOf, threadsOf } from './shared.js';

/** Groups the plan times by default: its estimate is all it is for. */
const PILOT_GROUPS = 10;

export const planCommand: Command = {
  name: 'plan',
  command: 'plan <study>',
  describe: 'Dry run: grid, done/missing/failed counts, shard map and a time estimate',
  builder: (y) =>
    y
      .positional('study', { type: 'string', describe: 'Study file, or a study name from "harness list"' })
      .options({
        ...options('set', 'threads', 'db', 'shard', 'shard-count', 'shards', 'task-timeout', 'json'),
        ...pilotOption(PILOT_GROUPS),
        // plan runs nothing but the pilot: say what these mean here.
        threads: { ...optionTable.threads, describe: 'Worker threads the run would use, which the time estimate divides by [default: available cores]' },
        'task-timeout': {
          ...optionTable['task-timeout'],
          describe: `Seconds one simulation of the pilot may run, as the run's --task-timeout; a group stopped there ends the pilot [default: ${PILOT_GROUP_LIMIT_MS / 1000}]`,
        },
        shard: { ...optionTable.shard, describe: `Plan slice i/N of the grid (0-based): its counts and estimate. ${SHARD_FROM_ENVIRONMENT}` },
      }),
  async run(args, io) {
    const threads = threadsOf(args);
    const shards = wholeNumber('shards', args['shards'], 1);
    const pilotGroups = wholeNumber('pilot', args['pilot'], 0) ?? PILOT_GROUPS;
    const taskTimeoutMs = seconds('task-timeout', args['task-timeout']);
    const shard = shardOf(args, io);
    const study = await studyOf(args, io);
    checkShardFits(shard, study.grid.blockCount);
    if (shards !== undefined && shards > study.grid.blockCount) throw new InputError(msg.shardsExceedGroups(shards, study.grid.blockCount));
    const dbPath = dbPathOf(args, io, study.name, shard);
    const report = await planStudy({ study, dbPath, shard: shard.shard, shards, pilotGroups, taskTimeoutMs, threads, cwd: io.cwd });
    const db = displayPath(dbPath, io.cwd);
    println(io.stdout, args['json'] === true ? JSON.stringify({ ...report, db }) : formatPlan(report, db));
    return 0;
  },
};
