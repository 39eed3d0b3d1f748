import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { shardFolderStatus } from '../../cluster/slurm-command.js';
import * as msg from '../../messages.js';
import { displayPath } from '../../paths.js';
import { databaseStatus, databasesIn } from '../../run/status.js';
import { println } from '../io.js';
import { options } from '../options.js';
import { formatStatus } from '../format.js';
import type { Command } from './command.js';

export const statusCommand: Command = {
  name: 'status',
  command: 'status [db]',
  describe: 'What a results database, a folder of them, or a Slurm shard folder holds [default: results/]',
  builder: (y) => y.positional('db', { type: 'string', describe: 'A database or a folder of them' }).options(options('json')),
  async run(args, io) {
    const target = args['db'] === undefined ? join(io.cwd, 'results') : resolve(io.cwd, String(args['db']));
    const isFolder = existsSync(target) ? statSync(target).isDirectory() : args['db'] === undefined;
    if (isFolder && existsSync(target)) {
      const shardCode = shardFolderStatus(target, args['json'] === true, io);
      if (shardCode !== null) return shardCode;
    }
    const paths = isFolder ? databasesIn(target) : [target];
    if (paths.length === 0) {
      println(io.stderr, msg.statusNoDatabases(displayPath(target, io.cwd)));
      return 0;
    }
    const statuses = paths.map((p) => ({ ...databaseStatus(p, new Date(), io.cwd), db: displayPath(p, io.cwd) }));
    if (args['json'] === true) println(io.stdout, JSON.stringify(statuses.length === 1 && paths[0] === target ? statuses[0] : statuses));
    else println(io.stdout, statuses.map((s) => formatStatus(s, s.db)).join('\n'));
    return 0;
  },
};
