/**
 * A `harness run` command line as a run recorded it, made to work where it is pasted: its
 * relative paths were typed in one folder, and the command that resumes the run may be printed
 * (by `status`, `merge`, a report's advice) to a user in another.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { shellCommand } from '../cluster/shell.js';
import { optionTable } from '../cli/options.js';
import { statOrNull } from '../folders.js';
import { displayPath, realPath } from '../paths.js';

/** A run's command line as typed, and the folder it was typed in (null or absent in a database before schema level 3). */
export interface RecordedCommand {
  commandLine: string;
  cwd?: string | null;
}

/** The options whose values are paths, read from the folder the command runs in. */
const PATH_OPTIONS: ReadonlySet<string> = new Set(['db', 'out', 'experiment']);

/**
 * The recorded command with its relative paths (the study file, --db, --out, --experiment)
 * spelt to name the same files from `here` (as displayPath spells them: relative inside `here`,
 * else absolute). It is the line as recorded where that already holds (the same folder), where
 * the folder it was typed in is unknown (an older database) or not on this machine (a database
 * copied from another), and for anything but `harness run`. A study given by name (`paper`)
 * stays a name, which is found from any folder.
 */
export function relocatedCommand(recorded: RecordedCommand, here = process.cwd()): string {
  const from = recorded.cwd;
  const line = recorded.commandLine;
  if (!from || !statOrNull(from)?.isDirectory() || realPath(resolve(from)) === realPath(resolve(here))) return line;
  const words = shellWords(line);
  if (words === null || words[0] !== 'harness' || words[1] !== 'run') return line;
  const moved = (path: string, mustExist: boolean) => {
    if (isAbsolute(path)) return path;
    const target = resolve(from, path);
    return mustExist && !existsSync(target) ? path : displayPath(target, here) || '.';
  };
  let optionsEnded = false;
  let studySeen = false;
  for (let i = 2; i < words.length; i++) {
    const word = words[i]!;
    if (!optionsEnded && word === '--') {
      optionsEnded = true;
    } else if (!optionsEnded && word.startsWith('-')) {
      const equals = word.indexOf('=');
      const name = word.slice(0, equals < 0 ? undefined : equals).replace(/^--?/, '');
      if (equals >= 0) {
        if (PATH_OPTIONS.has(name)) words[i] = `${word.slice(0, equals + 1)}${moved(word.slice(equals + 1), false)}`;
      } else if (!isSwitch(name)) {
        i++;
        if (PATH_OPTIONS.has(name) && i < words.length) words[i] = moved(words[i]!, false);
      }
    } else if (!studySeen) {
      studySeen = true;
      // Only a path that named a file there: `paper` is a study's name unless a file was called so.
      words[i] = moved(word, true);
    }
  }
  return shellCommand(words);
}

/** The latest `harness run` of each shard among `runs`, by shard (`i/N`). */
export function shardRunsOf<R extends RecordedCommand & { shard: string | null }>(runs: readonly R[]): Record<string, R> {
  const byShard: Record<string, R> = {};
  for (const run of runs) if (run.shard !== null && run.commandLine.startsWith('harness run ')) byShard[run.shard] = run;
  return byShard;
}

/** An option that takes no value: a switch, or one negated (`--no-report`). */
function isSwitch(name: string): boolean {
  const base = name.startsWith('no-') ? name.slice(3) : name;
  const spec = (optionTable as Record<string, { type: string } | undefined>)[base];
  return base === 'help' || base === 'version' || spec?.type === 'boolean';
}

/**
 * The words of a line that shellCommand wrote (bare words and single-quoted ones, `'\''` for a
 * quote); null for any other text, which is left as it is.
 */
export function shellWords(line: string): string[] | null {
  const words = (line.match(/(?:[^\s'\\]+|'[^']*'|\\')+/g) ?? []).map((word) => word.replace(/'([^']*)'|\\(')/g, (_, quoted: string | undefined, escaped: string | undefined) => quoted ?? escaped ?? ''));
  return shellCommand(words) === line ? words : null;
}
