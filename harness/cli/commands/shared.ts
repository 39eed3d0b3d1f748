/** Helpers several commands share: the study, shard and database a command line names. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { InputError } from '../../errors.js';
import * as msg from '../../messages.js';
import { namesFolderNotThere } from '../../folders.js';
import { defaultDbPath, fileInFolder } from '../../paths.js';
import { chooseShard, type ShardChoice } from '../../run/shard.js';
import { loadStudy, type Study } from '../../study/study.js';
import type { Io } from '../io.js';
import { list, text, wholeNumber } from '../options.js';
import type { Args } from './command.js';

/**
 * Threads per core at most: more only compete for the cores, and each holds its own heap, so a
 * slip like --threads 5000 would exhaust the memory before the first trial.
 */
const MAX_THREADS_PER_CORE = 4;

export function threadsOf(args: Args): number {
  const cores = availableParallelism();
  const threads = wholeNumber('threads', args['threads'], 1);
  if (threads === undefined) return cores;
  const most = MAX_THREADS_PER_CORE * cores;
  if (threads > most) {
    throw new InputError(msg.optionInvalid('threads', `must be at most ${MAX_THREADS_PER_CORE} per core: ${most} on this machine's ${cores}`, String(args['threads']), `Example: --threads ${cores}.`));
  }
  return threads;
}

export function shardOf(args: Args, io: Io): ShardChoice {
  return chooseShard(text('shard', args['shard']), wholeNumber('shard-count', args['shard-count'], 1), io.env);
}

export function studyOf(args: Args, io: Io): Promise<Study> {
  return loadStudy(String(args['study']), { sets: list(args['set']), cwd: io.cwd });
}

/**
 * The database --db names, else the default. A --db ending in "/" where no folder is, is refused
 * (before anything is created): it names a folder, and would otherwise become a file of that name.
 * An existing folder is Store.open's to refuse.
 */
export function dbPathOf(args: Args, io: Io, study: string, shard: ShardChoice): string {
  const given = text('db', args['db']);
  if (!given) return defaultDbPath(study, shard.shard, io.cwd);
  const path = resolve(io.cwd, given);
  if (namesFolderNotThere(given, path)) throw new InputError(msg.dbOptionNamesFolder(given, fileInFolder(given, `${study}.sqlite`)));
  return path;
}
