#!/usr/bin/env node
// Entry for `npx harness`: runs the TypeScript CLI through tsx's loader, so no build step is needed.
// First of all (an import statement would load before it): without a SIGUSR1 listener Node opens
// its debugger on that signal. Until the command line's own handler is in place
// (harness/cli/main.ts), the signal ends the process.
process.on('SIGUSR1', () => {
  if (process.listenerCount('SIGUSR1') === 1) process.exit(138);
});
// Likewise SIGHUP, where neither output is a terminal: ignored from the start (see main.ts).
if (!process.stdout.isTTY && !process.stderr.isTTY) process.on('SIGHUP', () => {});
const { register } = await import('tsx/esm/api');
register();
await import('../harness/cli/main.ts');
