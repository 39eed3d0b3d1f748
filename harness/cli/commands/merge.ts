import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { shardFileName, shardPathAmong } from '../../cluster/layout.js';
import { shellCommand } from '../../cluster/shell.js';
import * as msg from '../../messages.js';
import { InputError } from '../../errors.js';
import { namesFolderNotThere } from '../../folders.js';
import { displayPath, fileInFolder, harnessCall } from '../../paths.js';
import { collectProvenance } from '../../run/provenance.js';
import { byShardIndex, parseShard, rerunRecorded, rerunShard } from '../../run/shard.js';
import { mergeDatabases, type MergeResult } from '../../store/merge.js';
import { timedOutShards } from '../../store/reader.js';
import { Store } from '../../store/store.js';
import { withoutOption } from '../../text.js';
import { commandLine, exitCodes, println } from '../io.js';
import { options } from '../options.js';
import { createStageProgress, progressSettings } from '../progress.js';
import type { Command } from './command.js';
import type { RecordedCommand } from '../../run/recorded-command.js';

export const mergeCommand: Command = {
  name: 'merge',
  command: 'merge <out> <shards..>',
  describe: 'Combine shard databases of one study into one database',
  builder: (y) =>
    y
      .positional('out', { type: 'string', describe: 'Database to write (created, or extended when it holds the same study)' })
      // A variadic positional defaults to [] in yargs, which --help would show beside [required].
      .positional('shards', { type: 'string', array: true, describe: 'Shard databases (one or more)', default: undefined })
      .options(options('json')),
  async run(args, io) {
    const typed = String(args['out']);
    const out = resolve(io.cwd, typed);
    // A folder's name, where no folder is, would become the merged file's (an existing folder is refused as a database).
    if (namesFolderNotThere(typed, out)) throw new InputError(msg.mergeOutNamesFolder(typed, fileInFolder(typed, 'merged.sqlite')));
    const inputs = (args['shards'] as string[]).map((p) => resolve(io.cwd, p));
    const provenance = collectProvenance({ threads: 0, shard: null, commandLine: commandLine(io.argv), cwd: io.cwd });
    // On stderr, so that stdout under --json holds the object alone.
    const progress = createStageProgress(io.stderr, progressSettings(io));
    let result: MergeResult;
    try {
      result = mergeDatabases(out, inputs, provenance, () => new Date(), io.cwd, progress);
    } finally {
      progress.end();
    }
    const complete = result.missing === 0 && result.failed === 0;
    const shownOut = displayPath(out, io.cwd);
    if (result.code.length > 1) println(io.stderr, msg.mergeMixedCode(shownOut, result.code));
    // Under --json, what is said for people goes to stderr, and stdout holds the object alone.
    const json = args['json'] === true;
    const say = json ? io.stderr : io.stdout;
    println(say, msg.mergeSummary({ ...result, out: shownOut, cells: result.cells }));
    // The shards' databases as named here: a missing one goes beside them, or, where they are not
    // named alike, beside the first under its default name (`<study>.shard-<i>-of-<N>.sqlite`).
    // Null for an input not named as its shard: its recorded command names it.
    const shownInputs = inputs.map((p) => displayPath(p, io.cwd));
    const shardDb = (shard: string) => {
      const { index, count } = parseShard(shard);
      const named = shardPathAmong(index, count, shownInputs);
      if (named !== null || !result.missingShards.includes(shard)) return named;
      return join(dirname(shownInputs[0]!), `${result.study}.${shardFileName(index, count)}`);
    };
    // A shard whose trials hit the time limit is retried without it, as the advice says; so is a
    // missing one, whose command may be another shard's, limit and all.
    const timedOut = result.failed > 0 ? shardsThatTimedOut(out).filter((shard) => result.failedByShard.some((s) => s.shard === shard)) : [];
    const rerun = (shard: string) => {
      const command = rerunShard(shard, result.shardCommands, shardDb(shard), io.cwd);
      return timedOut.length && (timedOut.includes(shard) || result.missingShards.includes(shard)) ? withoutOption(command, '--task-timeout') : command;
    };
    // A missing shard whose database is there, named as the inputs are, was left out of them: merged in, not run again.
    const notGiven = new Map(result.missingShards.map((shard) => [shard, shardDb(shard)!] as const).filter(([, db]) => existsSync(resolve(io.cwd, db))));
    const shards = [...new Set([...result.missingByShard, ...result.failedByShard].map((s) => s.shard))].sort(byShardIndex);
    const toRun = shards.filter((shard) => !notGiven.has(shard));
    // Then the same merge with the missing shards' databases added: the output is extended.
    const again = shards.length === 0 ? null : `${harnessCall(io.cwd)} merge ${shellCommand([shownOut, ...new Set([...shownInputs, ...result.missingShards.map((shard) => shardDb(shard)!)])])}`;
    if (result.missing > 0) println(say, msg.mergeMissing(result.missing, result.missingByShard, result.missingShards, rerun, notGiven));
    if (result.failed > 0) println(say, msg.mergeFailed(result.failed, result.failedByShard, rerun, timedOut));
    if (again) println(say, msg.mergeAgain(again));
    // Inputs of no one cut (0/2 beside 1/3): no shard's run completes the output, the study run into it does.
    const fill = result.missing > 0 && shards.length === 0 ? fillCommand(result.shardCommands, shownOut, io.cwd) : null;
    if (fill) println(say, msg.mergeFill(fill));
    const next = again ? { rerun: Object.fromEntries(toRun.map((shard) => [shard, rerun(shard)])), merge: again } : fill ? { run: fill } : null;
    // Each shard's command line as recorded: where it was typed is the database's provenance, not this output's.
    const shardCommands = Object.fromEntries(Object.entries(result.shardCommands).map(([shard, run]) => [shard, run.commandLine]));
    if (json) println(io.stdout, JSON.stringify({ ...result, shardCommands, out: shownOut, next }));
    return complete ? exitCodes.ok : exitCodes.incomplete;
  },
};

/** The study run into the merged database `out`, which computes what it lacks: a shard's recorded command, less its shard; null where none is recorded. */
function fillCommand(recorded: Readonly<Record<string, RecordedCommand>>, out: string, cwd: string): string | null {
  const run = Object.keys(recorded).sort(byShardIndex).map((shard) => recorded[shard]!).find((r) => r.commandLine.startsWith('harness run '));
  return run === undefined ? null : rerunRecorded({ ...run, commandLine: withoutOption(withoutOption(run.commandLine, '--shard'), '--shard-count') }, null, out, cwd);
}

/** The shards of the merged database some of whose failed trials hit the time limit --task-timeout set, in order. */
function shardsThatTimedOut(db: string): string[] {
  const store = Store.open(db, 'read');
  try {
    return [...timedOutShards(store)].sort(byShardIndex);
  } finally {
    store.close();
  }
}

