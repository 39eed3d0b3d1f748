/**
 * Entry point: `npx harness ...` (bin/harness.mjs) or `node --import tsx harness/cli/main.ts`.
 * Wires the process to the app: streams, environment, signals. The first SIGINT/SIGTERM asks
 * a running command to stop cleanly; a second one, or one while nothing listens, exits at once.
 */
import { tierForCommandLine } from './tiering.js';
import type { Io, StopSignal } from './io.js';

// First: it tunes V8 for everything loaded after it.
tierForCommandLine();
const [{ main }, { exitCodes }] = await Promise.all([import('./app.js'), import('./io.js')]);

const listeners = new Set<(signal: StopSignal) => void>();
let signalsSeen = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signalsSeen++;
    if (signalsSeen > 1 || listeners.size === 0) process.exit(exitCodes[signal]);
    for (const listener of listeners) listener(signal);
  });
}

// A closed pipe (`harness export db | head`) is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const io: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
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
