/**
 * Entry point: `npx harness ...` (bin/harness.mjs) or `node --import tsx harness/cli/main.ts`.
 * Wires the process to the app: streams, environment, signals. While a command listens for
 * SIGINT/SIGTERM/SIGUSR1, and SIGHUP on a terminal (a run, to stop cleanly), the first one goes to it
 * and a second one exits at once; otherwise a signal ends the process at once, by its default action.
 */
import { Console } from 'node:console';
import { closeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { isatty } from 'node:tty';
import { exitCodes, type Io, type StopSignal } from './io.js';
import { tierForCommandLine } from './tiering.js';

// First: it tunes V8 for everything run after it.
tierForCommandLine();

/**
 * The command writes its output through `io`, by these two functions, the streams' own. Anything
 * else written to stdout or stderr in this process is not the command's (Io.strayOutput): an
 * experiment's console.log, process.stdout.write or process.stderr.write, in this thread or in a
 * group worker (Node writes a worker's output here), or Node's warnings. It is for people, as the
 * harness's messages are: it goes to stderr, so that stdout holds only the command's results
 * (--json, an export's rows), and a live progress line on a terminal keeps it on lines of its own.
 */
const ownWrite = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
let strayWriter: ((text: string) => void) | null = null;
// A character whose bytes a worker's output splits over two chunks is decoded whole.
const strayText = new StringDecoder('utf8');
/**
 * Always true: it never asks a writer to wait, as a worker's output piped into stdout would wait
 * for stdout to drain, and what it wrote queues on stderr.
 */
function writeStray(chunk: string | Uint8Array, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): true {
  const done = typeof encoding === 'function' ? encoding : callback;
  if (strayWriter) {
    strayWriter(typeof chunk === 'string' ? chunk : strayText.write(chunk));
    if (done) process.nextTick(done);
  } else if (typeof encoding === 'function') ownWrite.stderr(chunk, encoding);
  else ownWrite.stderr(chunk, encoding, callback);
  return true;
}
type WriteCallback = (error?: Error | null) => void;
process.stdout.write = writeStray as typeof process.stdout.write;
process.stderr.write = writeStray as typeof process.stderr.write;
// console.log's colours follow the stream it writes to, stderr; its writes go through writeStray.
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

/**
 * SIGHUP says the terminal went away (a closed window, a dropped ssh connection, whose shell passes
 * it on to its jobs). Where the process writes to a terminal, a run stops on it cleanly, as on
 * Ctrl-C, and any other command ends. Where it writes to none (started under nohup, or with its
 * output sent to a log), it has no terminal to lose: SIGHUP is ignored, as nohup asks. nohup alone
 * cannot ask it of Node, which resets an ignored SIGHUP to its default action (ending the process).
 */
const writesToTerminal = Boolean(process.stdout.isTTY || process.stderr.isTTY);

/**
 * Node 20 aborts as it exits (code 134, and a core file) where it cannot restore the settings of a
 * terminal that has hung up (nodejs/node#51519; later Node ignores the failure). So a descriptor
 * that was a terminal and is one no more (a closed window, a dropped connection, whether or not a
 * SIGHUP came) is closed as the process exits: Node then restores nothing there, and there is no
 * terminal left to restore.
 */
const terminalDescriptors = [0, 1, 2].filter((fd) => isatty(fd));
process.on('exit', () => {
  for (const fd of terminalDescriptors) {
    if (isatty(fd)) continue;
    try {
      closeSync(fd);
    } catch {
      // Closed already.
    }
  }
});

/**
 * A JavaScript signal handler runs only when this thread returns to its event loop, so it is
 * installed only while a command listens: a command that computes for seconds without returning
 * (a report's statistics, an export's rows) would otherwise take Ctrl-C only when done, or
 * never (a process ending with the signal still pending exits 0). Without a handler the system
 * ends the process the moment the signal comes, and a shell reports 130 or 143. Such a command
 * has nothing to save: its files are written aside and renamed into place.
 */
const STOP_SIGNALS: readonly StopSignal[] = writesToTerminal ? ['SIGINT', 'SIGTERM', 'SIGUSR1', 'SIGHUP'] : ['SIGINT', 'SIGTERM', 'SIGUSR1'];
const listeners = new Set<(signal: StopSignal) => void>();
let signalsSeen = 0;
function onStopSignal(signal: StopSignal): void {
  signalsSeen++;
  if (signalsSeen > 1) process.exit(exitCodes[signal]);
  for (const listener of listeners) listener(signal);
}

/**
 * Without a listener, Node answers SIGUSR1 by opening its debugger, on a port any user of the
 * machine may reach, and goes on. With this one, a command that does not listen for a stop ends
 * at SIGUSR1, as the signal's default action would end it, once it returns to its event loop.
 */
process.on('SIGUSR1', () => {
  if (listeners.size === 0) process.exit(exitCodes.SIGUSR1);
});

if (!writesToTerminal) process.on('SIGHUP', () => void import('../messages.js').then((msg) => ownWrite.stderr(`${msg.hangupIgnored(process.pid)}\n`)));

const { main } = await import('./app.js');

/**
 * A reader that left (`harness ... | head`) is not an error of ours. Export's rows then have no
 * reader: it ends at the next row (see `gone`), exit 0. Any other command goes on with its work (a run keeps computing and
 * storing, then writes its report), its output to that stream dropped, and exits with the code
 * the work earns: stopping a run because its log's reader left would lose the night's work.
 */
const closed = new Set<NodeJS.WriteStream>();
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // EIO: a terminal that hung up (its run may still be stopping cleanly).
    if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
    closed.add(stream);
  });
}

/** A stream as commands write to it: nothing once its reader has left. */
function outputOf(stream: NodeJS.WriteStream, write: (text: string, callback?: WriteCallback) => boolean): Io['stdout'] {
  return {
    write: (text: string) => closed.has(stream) || write(text),
    // An empty write's callback comes once everything queued before it is written.
    drained: () => new Promise<void>((resolve) => (closed.has(stream) || stream.writableLength === 0 ? resolve() : write('', () => resolve()))),
    gone: () => closed.has(stream),
    isTTY: stream.isTTY,
    get columns() {
      return stream.columns;
    },
  };
}

const io: Io = {
  stdout: outputOf(process.stdout, ownWrite.stdout),
  stderr: outputOf(process.stderr, ownWrite.stderr),
  env: process.env,
  cwd: process.cwd(),
  argv: process.argv.slice(2),
  onSignal(listener) {
    if (listeners.size === 0) for (const signal of STOP_SIGNALS) process.on(signal, onStopSignal);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) for (const signal of STOP_SIGNALS) process.off(signal, onStopSignal);
    };
  },
  strayOutput: {
    route(writer) {
      strayWriter = writer;
    },
  },
};

const code = await main(io.argv, io);
process.exitCode = code;
// Output still queued for a reader slower than the command (an export into gzip) is written first.
await Promise.all([io.stdout.drained?.(), io.stderr.drained?.()]);
// Everything is committed and closed by now; do not let a stray handle keep the process alive.
setTimeout(() => process.exit(code), 2000).unref();
