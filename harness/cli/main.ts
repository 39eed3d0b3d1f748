/**
 * Entry point: `npx harness ...` (bin/harness.mjs) or `node --import tsx harness/cli/main.ts`.
 * Wires the process to the app: streams, environment, signals. The first SIGINT/SIGTERM asks
 * a running command to stop cleanly; a second one, or one while nothing listens, exits at once.
 */
import { interrupted } from '../messages.js';
import { exitCodes, println, type Io, type StopSignal } from './io.js';
import { tierForCommandLine } from './tiering.js';

// First: it tunes V8 for everything run after it.
tierForCommandLine();

// Before the commands load, so that a signal at any moment ends the process the same way.
const listeners = new Set<(signal: StopSignal) => void>();
let signalsSeen = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signalsSeen++;
    if (signalsSeen > 1) process.exit(exitCodes[signal]);
    if (listeners.size === 0) exitInterrupted(signal);
    for (const listener of listeners) listener(signal);
  });
}

/**
 * Ends a command that does not stop cleanly on a signal of its own: said on stderr, and with
 * --json as the object a refusal prints, so that a script reading stdout learns why.
 */
function exitInterrupted(signal: StopSignal): never {
  const message = interrupted(signal);
  println(process.stderr, message);
  if (process.argv.slice(2).includes('--json')) println(process.stdout, JSON.stringify({ error: message, exitCode: exitCodes[signal] }));
  process.exit(exitCodes[signal]);
}

const { main } = await import('./app.js');

/**
 * A reader that left (`harness ... | head`) is not an error of ours. Export's rows then have no
 * reader: it ends, exit 0. Any other command goes on with its work (a run keeps computing and
 * storing, then writes its report), its output to that stream dropped, and exits with the code
 * the work earns: stopping a run because its log's reader left would lose the night's work.
 */
const closed = new Set<NodeJS.WriteStream>();
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed.add(stream);
    if (stream === process.stdout && process.argv[2] === 'export') process.exit(process.exitCode ?? 0);
  });
}

/** A stream as commands write to it: nothing once its reader has left. */
function outputOf(stream: NodeJS.WriteStream): Io['stdout'] {
  return {
    write: (text: string) => closed.has(stream) || stream.write(text),
    isTTY: stream.isTTY,
    get columns() {
      return stream.columns;
    },
  };
}

const io: Io = {
  stdout: outputOf(process.stdout),
  stderr: outputOf(process.stderr),
  env: process.env,
  cwd: process.cwd(),
  argv: process.argv.slice(2),
  onSignal(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

const code = await main(io.argv, io);
process.exitCode = code;
// Everything is committed and closed by now; do not let a stray handle keep the process alive.
setTimeout(() => process.exit(code), 2000).unref();
