/** Helpers several commands share: the study, shard and database a command line names. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defaultDbPath } from '../../paths.js';
import { chooseShard, type ShardChoice } from '../../run/shard.js';
import { loadStudy, type Study } from '../../study/study.js';
import type { Io } from '../io.js';
import { list, text, wholeNumber } from '../options.js';
import type { Args } from './command.js';

export function threadsOf(args: Args): number {
  return wholeNumber('threads', args['threads'], 1) ?? availableParallelism();
}

export function shardOf(args: Args, io: Io): ShardChoice {
  return chooseShard(text('shard', args['shard']), wholeNumber('shard-count', args['shard-count'], 1), io.env);
}

export function studyOf(args: Args, io: Io): Promise<Study> {
  return loadStudy(String(args['study']), { sets: list(args['set']), cwd: io.cwd });
}

export function dbPathOf(args: Args, io: Io, study: string, shard: ShardChoice): string {
  const given = text('db', args['db']);
  return given ? resolve(io.cwd, given) : defaultDbPath(study, shard.shard, io.cwd);
}
