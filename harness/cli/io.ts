/** What a command may touch of its process: output streams, environment, cwd, signals. */
import { shellCommand } from '../cluster/shell.js';
import { pasteable } from '../paths.js';
import { withShardOption } from '../run/shard.js';
import { withoutFresh } from '../text.js';

export interface Output {
  /** False when the text is queued for a reader that has not caught up (then wait for `drained`). */
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  /** Resolves once everything written has been handed on to the reader (or the reader left). */
  drained?(): Promise<void>;
  /** True once the reader has left (a closed pipe): what is written is dropped. */
  gone?(): boolean;
}

/**
 * SIGUSR1 too: Slurm sends it before a job's time limit (`--signal=USR1@60`), asking it to stop
 * cleanly. SIGHUP only where the process writes to a terminal: its terminal went away (main.ts).
 */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGUSR1' | 'SIGHUP';

export interface Io {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The arguments as typed (for provenance and the resume hint). */
  argv: readonly string[];
  /** Subscribes to SIGINT/SIGTERM/SIGUSR1 (and SIGHUP on a terminal); returns the unsubscribe function. */
  onSignal?(handler: (signal: StopSignal) => void): () => void;
  /** Where output that is not the command's goes (see StrayOutput); absent: straight to stderr. */
  strayOutput?: StrayOutput;
}

/**
 * Output that is not the command's own: what an experiment prints (its console, process.stdout or
 * process.stderr, in the main thread or a group worker) and Node's warnings. It goes to stderr,
 * by way of a writer a progress sets on a terminal for as long as it may draw a live line there,
 * which writes the text on lines of its own above that line (progress.ts).
 */
export interface StrayOutput {
  /** Sends such output, as text, to `writer` from now on; null: straight to stderr again. */
  route(writer: ((text: string) => void) | null): void;
}

/** 1: the work ended incomplete (failed trials, or shards missing from a merge or a shard folder). */
export const exitCodes = { ok: 0, incomplete: 1, badInput: 2, internal: 70, SIGINT: 130, SIGTERM: 143, SIGUSR1: 138, SIGHUP: 129 } as const;

export function println(out: Output, text: string): void {
  out.write(`${text}\n`);
}

export function commandLine(argv: readonly string[]): string {
  return shellCommand(['harness', ...argv]);
}

/**
 * The command that resumes a run: the same arguments without --fresh, in any form (`--fresh true`
 * too). `shard` (`i/N`) is the shard a job array's variables gave, written out as --shard: pasted
 * where they are not set (a login node), the command would otherwise run the whole study. To
 * paste in `cwd` (pasteable).
 */
export function resumeCommand(argv: readonly string[], shard: string | null, cwd: string): string {
  const command = pasteable(withoutFresh(commandLine(argv)), cwd);
  return shard === null ? command : withShardOption(command, shard);
}
