/**
 * The command-line application: yargs parses and validates (strict: unknown options and
 * commands are refused with a pointer to --help), then the chosen command runs. `main` is pure
 * of process globals — streams, environment, cwd and signals come in through `Io` — so tests
 * call it directly. Exit codes: 0 ok, 1 finished incomplete (failed trials, or shards missing), 2 bad input,
 * 130/143/138/129 interrupted by SIGINT/SIGTERM/SIGUSR1/SIGHUP, 70 internal error.
 */
import yargs from 'yargs';
import { InputError } from '../errors.js';
import { listInWords, nearest } from '../text.js';
import * as msg from '../messages.js';
import { renderCommand } from './commands/render.js';
import { slurmCommand } from '../cluster/slurm-command.js';
import { WriteError } from '../store/failures.js';
import { reportingDamage } from '../store/damage.js';
import type { Args, Command } from './commands/command.js';
import { exportCommand } from './commands/export.js';
import { listCommand } from './commands/list.js';
import { mergeCommand } from './commands/merge.js';
import { planCommand } from './commands/plan.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { exitCodes, println, type Io } from './io.js';
import { versionInfo, versionLine } from './version.js';

export const commands: readonly Command[] = [
  runCommand,
  planCommand,
  statusCommand,
  mergeCommand,
  exportCommand,
  reportCommand,
  renderCommand,
  listCommand,
  slurmCommand,
];

export async function main(given: readonly string[], io: Io): Promise<number> {
  const argv = helpAsOption(wordsAfterEndOfOptions(given));
  const version = versionAsked(argv);
  if (version) {
    const info = versionInfo();
    println(io.stdout, version.json ? JSON.stringify(info) : versionLine(info));
    return exitCodes.ok;
  }
  const asOption = argumentGivenAsOption(argv);
  if (asOption) return refuse(io, argv, asOption, exitCodes.badInput);
  const helpLetter = misspeltOptionsWithHelpLetter(argv);
  if (helpLetter) return refuse(io, argv, helpLetter, exitCodes.badInput);
  let chosen: { command: Command; args: Args } | null = null;
  const failures: string[] = [];
  let output = '';
  const tokens = withNegativeValuesJoined(argv);
  const parser = yargs(tokens)
    .scriptName('harness')
    .usage('$0 <command> [options]\n\nRun reproducible parameter studies on all cores, resumably, into SQLite.')
    .epilogue('Exit codes: 0 ok, 1 finished incomplete (failed trials, or shards missing), 2 bad input, 130/143/138/129 interrupted by SIGINT/SIGTERM/SIGUSR1/SIGHUP (rerun to resume), 70 internal error (please report it).')
    .exitProcess(false)
    // Options are read by their own names; camelCase copies would only double an unknown one in the message.
    .parserConfiguration({ 'camel-case-expansion': false })
    .strict()
    .demandCommand(1, 'Give a command')
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    // Answered above, before parsing; declared here so that --help lists it.
    .option('version', { type: 'boolean', describe: 'Show the version, the commit and Node\'s version (with --json: as JSON)', global: false })
    // A terminal that gives no width (0: a pty without a size) wraps at 100 columns, as a pipe does.
    .wrap(Math.min(110, io.stdout.columns || 100))
    .fail((message: string | undefined, error: Error | undefined) => {
      const text = message ?? error?.message ?? 'Invalid command line';
      if (!failures.includes(text)) failures.push(text);
    });
  for (const command of commands) {
    parser.command(command.command, command.describe, command.builder, (args) => {
      chosen = { command, args: args as Args };
    });
  }
  await new Promise<void>((resolveParse) => {
    parser.parse(tokens, {}, (_error, _args, text) => {
      output = text ?? '';
      resolveParse();
    });
  });
  if (failures.length) {
    const named = commands.find((c) => c.name === argv[0]);
    const unknown = named ? null : (unknownCommand(argv) ?? optionsWithoutCommand(argv));
    // yargs's "Did you mean" follows what it is about.
    const ordered = [...failures.filter((f) => !f.startsWith('Did you mean')), ...failures.filter((f) => f.startsWith('Did you mean'))];
    const explained = named ? explainFailures(failures, named, argv) : unknown ? [unknown] : ordered;
    return refuse(io, argv, msg.cliUsage(explained.map((f) => (/[.?!]$/.test(f) ? f : `${f}.`)).join(' '), named?.name), exitCodes.badInput);
  }
  if (output) {
    println(io.stdout, output);
    return exitCodes.ok;
  }
  const picked = chosen as { command: Command; args: Args } | null;
  if (!picked) return exitCodes.ok;
  const empty = emptyValue(picked.command, picked.args, argv) ?? dashedPath(picked.command, picked.args) ?? switchGivenValue(picked.args, argv);
  if (empty) return refuse(io, argv, empty, exitCodes.badInput);
  try {
    // A damaged database surfaces at whichever query first reads a bad page: named, exit 2.
    return await reportingDamage(() => picked.command.run(picked.args, io));
  } catch (thrown) {
    if (thrown instanceof InputError || thrown instanceof WriteError) return refuse(io, argv, thrown.message, exitCodes.badInput);
    return refuse(io, argv, `Internal error (please report it with this trace):\n${thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown)}`, exitCodes.internal);
  }
}

/**
 * `--version` alone or with `--json` (before or after it, in any form asksJson reads): whether it
 * asks for JSON; null for any other command line.
 */
function versionAsked(argv: readonly string[]): { json: boolean } | null {
  if (argv.filter((a) => a === '--version').length !== 1) return null;
  const jsonOnly = argv.every((token, i) => token === '--version' || /^--json(=(true|false))?$/.test(token) || (argv[i - 1] === '--json' && (token === 'true' || token === 'false')));
  return jsonOnly ? { json: asksJson(argv) } : null;
}

/** Whether a command line asks for --json, as yargs reads a boolean: `--json`, `--json=true` or `--json true`; not `--json false`. */
function asksJson(argv: readonly string[]): boolean {
  return argv.some((token, i) => token === '--json=true' || (token === '--json' && argv[i + 1] !== 'false'));
}

/**
 * Words after `--` are arguments, never options (the POSIX convention, and the way to name a
 * file that begins with a dash): each that begins with a dash is given as `./-name`, the same
 * path, which every later reading of the line (yargs's, and the checks here) takes for a word.
 * yargs itself sets the words after `--` apart, where no command's arguments are read from.
 */
function wordsAfterEndOfOptions(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  if (end < 0) return [...argv];
  return [...argv.slice(0, end), ...argv.slice(end + 1).map((word) => (word.startsWith('-') ? `./${word}` : word))];
}

/**
 * `harness run paper -thread 2`: yargs reads a word after one dash as single letters (-t -h -r
 * -e -a -d), and with `h` among them it printed the help and exited 0, so a misspelt option went
 * unnoticed in a script. Such words are refused here as the misspelt options they are, unless
 * the line asks for the help itself (`--help`, `-h`, `-help`). Null when there is none.
 */
function misspeltOptionsWithHelpLetter(argv: readonly string[]): string | null {
  if (argv.some((token) => token === '--help' || token === '-h' || token === '-help')) return null;
  const grouped = argv.filter((token) => /^-[^-\d]/.test(token) && token.split('=')[0]!.length > 2 && token.split('=')[0]!.includes('h'));
  if (grouped.length === 0) return null;
  const command = commands.find((c) => c.name === argv[0]);
  if (!command) return msg.cliUsage(`${optionsWithoutCommand(argv)}.`);
  const letters = new Set(grouped.flatMap((token) => [...token.split('=')[0]!.slice(1)]));
  return msg.cliUsage(`${unknownArguments([...letters], command, argv)}.`, command.name);
}

/**
 * `harness help <command> [more]`, as git and npm take it, as `harness <command> [more] --help`
 * (whatever follows, `--json` or another word, is passed over as --help passes over it); a
 * command misspelt there as that command, whose refusal names the commands there are. (yargs
 * answers a bare `harness help` with the program's help, and refused `help run` as an unknown
 * command.)
 */
function helpAsOption(argv: readonly string[]): string[] {
  if (argv[0] !== 'help' || argv.length < 2 || argv[1]!.startsWith('-')) return [...argv];
  const [, named, ...more] = argv as [string, string, ...string[]];
  return commands.some((c) => c.name === named) ? [named, ...more, '--help'] : [named];
}

/**
 * `--shard -1/3` as `--shard=-1/3`: yargs takes a value that starts with a dash and is not a
 * plain number for short flags ("Unknown argument: 1"), so the option's own check never saw
 * it and the message did not name the option. Likewise `--out -` as `--out=-`: yargs took the
 * lone dash for an extra argument.
 */
function withNegativeValuesJoined(argv: readonly string[]): string[] {
  const dashed = (token: string) => /^-[\d.]/.test(token) || token === '-';
  // Building a command's options takes a yargs of its own: only for a line that needs it.
  if (!argv.some(dashed)) return [...argv];
  const command = commands.find((c) => c.name === argv[0]);
  const valued = new Set(command ? optionsOf(command).string : []);
  const tokens: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([\w-]+)$/.exec(argv[i]!)?.[1];
    const next = argv[i + 1];
    if (name !== undefined && valued.has(name) && next !== undefined && dashed(next)) tokens.push(`${argv[i]}=${argv[++i]}`);
    else tokens.push(argv[i]!);
  }
  return tokens;
}

/** A command's options as yargs declares them: every name, and those that take a text value. */
function optionsOf(command: Command): YargsOptions {
  const builder = yargs([]);
  command.builder(builder);
  // getOptions is yargs's own, left out of its type declarations.
  return (builder as unknown as { getOptions(): YargsOptions }).getOptions();
}

interface YargsOptions {
  key: Record<string, unknown>;
  string: string[];
  choices: Record<string, unknown[]>;
}

/** An unknown `--name` that is a value of one of the command's options (`--json` for `--format json`), as that option. */
function asChoice(name: string, command: Command): string | null {
  const option = Object.entries(optionsOf(command).choices ?? {}).find(([, values]) => values.includes(name))?.[0];
  return option === undefined ? null : `--${option} ${name}`;
}

/**
 * yargs's failures of a command's line, said as the command's own messages: an option by the
 * name it was typed as, with the command's option nearest to it ("Unknown argument: --thread (did
 * you mean --threads?)"), `-out` as a misspelt `--out` (yargs reads it as -o -u -t), a stray word
 * as an extra argument, the arguments missing by name, and a value outside an option's choices as
 * that option's rule.
 */
function explainFailures(failures: readonly string[], command: Command, argv: readonly string[]): string[] {
  const missing = failures.some((f) => /^Not enough non-option arguments/.test(f));
  return failures.flatMap((failure) => {
    if (missing && /^Missing required argument/.test(failure)) return []; // said with the count
    const given = /^Not enough non-option arguments: got (\d+)/.exec(failure);
    if (given) return [missingArguments(command, Number(given[1]))];
    if (failure.startsWith('Invalid values:')) return invalidChoices(failure);
    const unknown = /^Unknown arguments?: (.+)$/.exec(failure);
    return unknown ? [unknownArguments(unknown[1]!.split(', '), command, argv)] : [failure];
  });
}

/** yargs's "Invalid values:" (a line per option given a value outside its choices), as each option's rule. */
function invalidChoices(failure: string): string[] {
  return failure.split('\n').flatMap((line) => {
    const choice = /^\s*Argument: ([\w-]+), Given: (.*), Choices: (.*)$/.exec(line);
    if (!choice) return [];
    const allowed = [...choice[3]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    // One value, or a list of them when the option was given more than once.
    let received: unknown = choice[2];
    try {
      const values = JSON.parse(`[${choice[2]}]`) as unknown[];
      received = values.length === 1 ? values[0] : values;
    } catch {
      // Not JSON after all: shown as yargs wrote it.
    }
    return [msg.optionInvalid(choice[1]!, `must be one of ${allowed.join(', ')}`, received, `Example: --${choice[1]} ${allowed[0]}`)];
  });
}

function unknownArguments(names: readonly string[], command: Command, argv: readonly string[]): string {
  const positionals = positionalsOf(command);
  // A command's arguments are yargs keys too, but not options to suggest (--dip is --dpi, not --db).
  const known = Object.keys(optionsOf(command).key).filter((key) => !positionals.has(key));
  const left = new Set(names);
  const said: string[] = [];
  // `--db -x.sqlite`: a value that begins with a dash, which yargs reads as options (letters).
  const valued = new Set(optionsOf(command).string);
  argv.forEach((token, i) => {
    const option = /^--([\w-]+)$/.exec(argv[i - 1] ?? '')?.[1];
    if (option === undefined || !valued.has(option) || !/^-[^-\d].*[./]/.test(token)) return;
    const letters = [...token.slice(1)].filter((letter) => left.has(letter));
    if (letters.length === 0) return;
    for (const letter of letters) left.delete(letter);
    said.push(`${token} (as the value of --${option}, write --${option}=${token}: after a space, a leading dash reads as an option)`);
  });
  // `-out`: one dash before a long name, which yargs splits into letters.
  // `-x`: an option of one letter no command has, named with its dash.
  for (const token of argv) {
    const name = /^-([A-Za-z][\w-]*)(=.*)?$/.exec(token)?.[1];
    if (name === undefined || ![...name].every((letter) => left.has(letter))) continue;
    for (const letter of name) left.delete(letter);
    const close = known.includes(name) ? name : name.length > 1 ? nearest(name, known) : undefined;
    const takenBy = close === name ? [] : commandsTaking(name, command);
    said.push(`-${name}${takenBy.length ? ` (${optionOfOthers(takenBy, command)})` : close ? ` (did you mean --${close}?)` : ''}`);
  }
  const extra: string[] = [];
  for (const name of left) {
    if (argv.some((token) => token === `--${name}` || token.startsWith(`--${name}=`))) {
      const close = nearest(name, known);
      const choice = asChoice(name, command);
      // A key every command knows but none takes: --version, harness's own.
      const takenBy = close === name ? [] : commandsTaking(name, command);
      if (close === name) said.push(`--${name} (an option of harness itself, without a command: harness --${name})`);
      else if (choice) said.push(`--${name} (did you mean ${choice}?)`);
      else if (takenBy.length) said.push(`--${name} (${optionOfOthers(takenBy, command)})`);
      else said.push(`--${name}${close ? ` (did you mean --${close}?)` : ''}`);
    } else if (argv.includes(name)) extra.push(name);
    else said.push(name);
  }
  const parts: string[] = [];
  if (said.length) parts.push(`Unknown argument${said.length > 1 ? 's' : ''}: ${said.join(', ')}`);
  if (extra.length) parts.push(`${command.name} takes ${usageArguments(command) || 'no argument'}; got ${extra.length > 1 ? 'extra arguments' : 'an extra argument'} ${extra.map((e) => JSON.stringify(e)).join(', ')}`);
  return parts.join('. ');
}

/** The commands other than `command` with an option `name` (`export --set`: run, plan and slurm). */
function commandsTaking(name: string, command: Command): Command[] {
  return commands.filter((other) => other !== command && Object.hasOwn(optionsOf(other).key, name) && !positionalsOf(other).has(name));
}

function optionOfOthers(others: readonly Command[], command: Command): string {
  return `an option of ${listInWords(others.map((other) => other.name))}, not of ${command.name}`;
}

/** The arguments of a command as its usage writes them (`<out> <shards..>`). */
function usageArguments(command: Command): string {
  return command.command.split(' ').slice(1).join(' ');
}

/** `merge a.sqlite`: which arguments are missing, by name (`given`: how many yargs found). */
function missingArguments(command: Command, given: number): string {
  const required = [...command.command.matchAll(/<([\w-]+)(\.\.)?>/g)].map((m) => `<${m[1]}${m[2] ?? ''}>`);
  const absent = required.slice(Math.min(given, required.length - 1));
  return `${command.name} needs ${absent.join(' and ')}: harness ${command.command}`;
}

/** `harness runn`: the command nearest to it, and the commands there are. */
function unknownCommand(argv: readonly string[]): string | null {
  const typed = argv[0];
  if (typed === undefined || typed.startsWith('-')) return null;
  const names = commands.map((c) => c.name);
  const close = nearest(typed, names);
  return `Unknown command ${JSON.stringify(typed)}.${close ? ` Did you mean ${close}?` : ''} Commands: ${names.join(', ')}`;
}

/**
 * `harness --verison`, `harness --json`: no command, and options harness itself does not take
 * (only --version and --help): each with the nearest of those, or the commands that take it.
 */
function optionsWithoutCommand(argv: readonly string[]): string | null {
  const own = ['version', 'help'];
  const typed = argv.flatMap((token) => {
    const [, dashes, name] = /^(--?)([A-Za-z][\w-]*)/.exec(token) ?? [];
    return name === undefined || own.includes(name) || name === 'h' ? [] : [{ dashes: dashes!, name }];
  });
  if (typed.length === 0) return null;
  const said = typed.map(({ dashes, name }) => {
    const close = nearest(name, own);
    const takers = commands.filter((c) => name in optionsOf(c).key && !positionalsOf(c).has(name)).map((c) => c.name);
    if (close) return `${dashes}${name} (did you mean --${close}?)`;
    return takers.length ? `${dashes}${name} (an option of ${takers.join(', ')}: harness <command> --${name})` : `${dashes}${name}`;
  });
  return `Unknown argument${said.length > 1 ? 's' : ''}: ${said.join(', ')}. Give a command: ${commands.map((c) => c.name).join(', ')}`;
}

/** The names of a command's arguments (`report <db>`: db). */
function positionalsOf(command: Command): Set<string> {
  return new Set([...command.command.matchAll(/[<[](\w[\w-]*)/g)].map((m) => m[1]!));
}

/**
 * The refusal of an argument given as an option (`report --db x.sqlite`): yargs takes any
 * argument by its name as an option too, so `report x.sqlite --db y.sqlite` would go on with x and
 * ignore y, and `report --db x.sqlite` would say that an argument is missing.
 */
function argumentGivenAsOption(argv: readonly string[]): string | null {
  const command = commands.find((c) => c.name === argv[0]);
  if (!command) return null;
  for (const name of positionalsOf(command)) {
    if (argv.some((token) => token === `--${name}` || token.startsWith(`--${name}=`))) return msg.argumentAsOption(name, command.command, command.name);
  }
  return null;
}

/**
 * The refusal of a switch given a value other than true or false (`--report=yes`, `--json=1`),
 * which yargs reads as false: the run would go on without the report it was asked for, an
 * export with the columns `--results-only` leaves out.
 */
function switchGivenValue(args: Args, argv: readonly string[]): string | null {
  for (const token of argv) {
    const given = /^--([^=]+)=(.*)$/s.exec(token);
    if (given && typeof args[given[1]!] === 'boolean' && given[2] !== 'true' && given[2] !== 'false') return msg.switchGivenValue(given[1]!, given[2]!);
  }
  return null;
}

/**
 * The refusal of a value given empty (`--db ""`, or `--db` with nothing after it), which yargs
 * reads as an empty string, or as the option's default where it has one: an unset variable in a
 * script (`--db "$DB"`) would otherwise send the work to the default, such as the study's main
 * database.
 */
function emptyValue(command: Command, args: Args, argv: readonly string[]): string | null {
  const positionals = positionalsOf(command);
  const isText = (value: unknown) => typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
  for (const [name, value] of Object.entries(args)) {
    if (name === '_' || name === '$0') continue;
    const givenEmpty = value === '' || (Array.isArray(value) && value.includes(''));
    const givenBare = isText(value) && argv.some((token, i) => token === `--${name}` && (i + 1 === argv.length || argv[i + 1]!.startsWith('--')));
    if (givenEmpty || givenBare) return positionals.has(name) ? msg.argumentEmpty(name, command.name) : msg.optionEmpty(name);
  }
  return null;
}

/**
 * The refusal of a path option given as `-` (`--db -`): standard input or output, which only
 * export's --out can write to; elsewhere it would name a file or folder "-" in the current folder.
 */
function dashedPath(command: Command, args: Args): string | null {
  const paths = ['db', 'out', 'experiment'].filter((name) => !(command.name === 'export' && name === 'out'));
  const dashed = paths.find((name) => args[name] === '-');
  return dashed === undefined ? null : msg.optionDash(dashed);
}

/**
 * Ends a command that failed: the message on stderr, for people; with --json, also one object
 * on stdout (`{"error": message, "exitCode": code}`), so that a script reading stdout learns
 * why instead of finding nothing.
 */
function refuse(io: Io, argv: readonly string[], message: string, code: number): number {
  println(io.stderr, message);
  if (asksJson(argv)) println(io.stdout, JSON.stringify({ error: message, exitCode: code }));
  return code;
}
