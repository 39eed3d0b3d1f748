import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { shardFileName, shardPathAmong, shardPrefixAmong } from '../../cluster/layout.js';
import { shellQuote } from '../../cluster/shell.js';
import { shardFolderStatus } from '../../cluster/slurm-command.js';
import { InputError, errorMessage } from '../../errors.js';
import { errnoCode } from '../../folders.js';
import * as msg from '../../messages.js';
import { defaultResultsDir, displayPath, harnessCall } from '../../paths.js';
import { databaseStatus, databasesIn, incompleteCuts, otherSqliteFilesIn, type DbStatus, type IncompleteCut } from '../../run/status.js';
import { parseShard, rerunShard } from '../../run/shard.js';
import { exitCodes, println } from '../io.js';
import { options } from '../options.js';
import { formatStatus } from '../format.js';
import type { Command } from './command.js';

/** A file of the folder that is not a readable results database, and why (the whole message). */
interface Unreadable {
  db: string;
  error: string;
}

export const statusCommand: Command = {
  name: 'status',
  command: 'status [db]',
  describe: 'What a results database, a folder of them, or a Slurm shard folder holds [default: results/]; exits 1 while trials are missing or failed, or shards missing (a Slurm shard folder: missing or unfinished; failed trials are results there)',
  builder: (y) => y.positional('db', { type: 'string', describe: 'A database or a folder of them' }).options(options('json')),
  async run(args, io) {
    const json = args['json'] === true;
    const target = args['db'] === undefined ? defaultResultsDir(io.cwd) : resolve(io.cwd, String(args['db']));
    const isFolder = existsSync(target) ? statSync(target).isDirectory() : args['db'] === undefined;
    if (!isFolder) {
      // One database named: its status, or the reason it has none (exit 2).
      const status = { ...databaseStatus(target, new Date(), io.cwd), db: displayPath(target, io.cwd) };
      println(io.stdout, json ? JSON.stringify(status) : formatStatus(status, status.db));
      // As for a folder: 0 once every trial it is meant to hold is stored ok, so a script can wait on it.
      return status.missing > 0 || status.failed > 0 ? exitCodes.incomplete : exitCodes.ok;
    }
    if (existsSync(target)) {
      const shardCode = shardFolderStatus(target, json, io);
      if (shardCode !== null) return shardCode;
    }
    const paths = databasesIn(target);
    const others = otherSqliteFilesIn(target).map((p) => displayPath(p, io.cwd));
    const noteOthers = () => others.length && println(io.stderr, msg.statusOtherSqliteFiles(others));
    // A folder's --json is always the list, so an empty folder is [] and parses like a full one.
    if (paths.length === 0) {
      println(io.stderr, msg.statusNoDatabases(displayPath(target, io.cwd), existsSync(target), dirname(target), harnessCall(io.cwd)));
      noteOthers();
      if (json) println(io.stdout, '[]');
      return exitCodes.ok;
    }
    const entries: (DbStatus | Unreadable)[] = paths.map((p) => readStatus(p, io.cwd));
    const statuses = entries.filter((e): e is DbStatus => !('error' in e));
    const unreadable = entries.filter((e): e is Unreadable => 'error' in e);
    // Shards of a study that the folder holds in part, each listed as a database of its own.
    const dir = displayPath(target, io.cwd);
    const byPath = new Map(statuses.map((st) => [st.db, st]));
    const cuts = incompleteCuts(statuses).map((cut) => {
      const paths = cut.missing.map((shard) => missingShardPath(shard, cut, dir));
      // A missing shard's database name taken: by another setup's shard of the study (the two
      // setups cannot be merged), or by other results. A command to run it there would be refused.
      const taken = paths.flatMap((path) => byPath.get(path) ?? []);
      const conflict =
        taken.length === 0
          ? null
          : taken.some((st) => st.study === cut.study && st.shards.length > 0)
            ? msg.statusShardSetupsMixed(cut.study, setupsOf(cut.study, statuses))
            : msg.statusShardPathTaken(cut.study, taken.map((st) => st.db));
      const missing = conflict
        ? { count: cut.count, missing: cut.missing, run: [], merge: null, conflict }
        : { count: cut.count, missing: cut.missing, run: cut.missing.map((shard, i) => rerunShard(shard, cut.commands, paths[i]!, io.cwd)), merge: `${harnessCall(io.cwd)} merge ${mergeArguments(cut, dir, statuses)}` };
      return { cut, missing };
    });
    if (json) {
      // Under --json, on each database of such a cut, so that a script before a merge sees what is missing.
      const missingOf = new Map(cuts.flatMap(({ cut, missing }) => cut.dbs.map((db) => [db, missing] as const)));
      println(io.stdout, JSON.stringify(entries.map((e) => (missingOf.has(e.db) ? { ...e, missingShards: missingOf.get(e.db) } : e))));
    } else if (statuses.length) println(io.stdout, statuses.map((s) => formatStatus(s, s.db)).join('\n'));
    for (const u of unreadable) println(io.stderr, u.error);
    noteOthers();
    const notes = new Set(
      cuts.map(({ cut, missing }) =>
        missing.merge === null
          ? missing.conflict!
          : msg.statusShardsMissing(cut.study, cut.count, cut.missing.map((shard, i) => ({ shard, command: missing.run[i]! })), dir, missing.merge),
      ),
    );
    for (const note of notes) println(json ? io.stderr : io.stdout, `\n${note}`);
    // Every good database is reported, but a file that is not one exits 2, as grep, du or find
    // exit non-zero when some of their files could not be read. A script that checks a
    // folder's progress (`status --json` in CI, before a merge) must not take a truncated copy,
    // a shard file overwritten by mistake, or a half-synced database for "no database here";
    // and `status bad.sqlite` alone already exits 2 for the same file. Shards missing from a
    // cut exit 1, as a Slurm shard folder's do (the merge would refuse them), and so do trials
    // missing or failed in a database, as `status` of that database alone exits.
    const unfinished = statuses.some((st) => st.missing > 0 || st.failed > 0);
    return unreadable.length ? exitCodes.badInput : cuts.length || unfinished ? exitCodes.incomplete : exitCodes.ok;
  },
};

/** The shard databases of each setup (manifest) of a study, in the order the folder lists them. */
function setupsOf(study: string, statuses: readonly DbStatus[]): string[][] {
  const setups = new Map<string, string[]>();
  for (const st of statuses) if (st.study === study && st.shards.length) setups.set(st.manifestHash, [...(setups.get(st.manifestHash) ?? []), st.db]);
  return [...setups.values()];
}

/** Where a missing shard's database goes: beside its cut's others, named alike, else `<dir>/<study>.shard-<i>-of-<N>.sqlite`. */
function missingShardPath(shard: string, cut: IncompleteCut, dir: string): string {
  const { index, count } = parseShard(shard);
  return shardPathAmong(index, count, cut.dbs) ?? join(dir, `${cut.study}.${shardFileName(index, count)}`);
}

/**
 * The merge of a cut's shards: into `<dir>/<study>.sqlite` unless the folder has a database of
 * that name; its shards as one pattern when their files are named alike (`paper.shard-*-of-3.sqlite`).
 */
function mergeArguments(cut: IncompleteCut, dir: string, statuses: readonly DbStatus[]): string {
  const target = join(dir, `${cut.study}.sqlite`);
  const into = statuses.some((s) => s.db === target) ? '<merged.sqlite>' : target;
  const prefix = shardPrefixAmong(cut.count, cut.dbs);
  // Quoted for a shell, the * left bare for it to expand.
  const [head, tail] = shardFileName('*', cut.count).split('*') as [string, string];
  const shards = prefix !== null ? `${shellQuote(prefix + head)}*${shellQuote(tail)}` : `<the ${cut.count} shard databases>`;
  return `${into === target ? shellQuote(into) : into} ${shards}`;
}

/**
 * One database of a folder: its status, or why it cannot be read (not SQLite, not a results
 * database, no study yet, damaged). Errors that are not about the file are bugs and propagate.
 */
function readStatus(path: string, cwd: string): DbStatus | Unreadable {
  const db = displayPath(path, cwd);
  try {
    return { ...databaseStatus(path, new Date(), cwd), db };
  } catch (thrown) {
    if (thrown instanceof InputError) return { db, error: thrown.message };
    if (errnoCode(thrown)?.startsWith('SQLITE_')) return { db, error: msg.statusDatabaseUnreadable(db, errorMessage(thrown)) };
    throw thrown;
  }
}
