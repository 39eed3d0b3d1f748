/**
 * V8's tiering for a command-line run. V8 hands a function to its optimizing compiler after a
 * fixed budget of interpreted work; a harness command lives for seconds and runs a great deal of
 * code only a few times per figure or trial (Vega-Lite's compiler, Vega's parser and dataflow,
 * the CLI itself), and optimizing that code costs more compiler time, on threads that compete
 * with ours for the cores, than it ever gives back. A budget about four times V8's default
 * (67,584 on Node 20) still optimizes what is hot (the trial kernels, the bootstrap). On the
 * paper study (2 cores) it made `harness report` with every figure drawn 9% faster (2.90 s to
 * 2.66 s, its background compiler threads busy 1.1 s instead of 2.0 s) and `harness run` 2%
 * faster.
 *
 * The flag is read whenever V8 sets a function's budget, so it applies from then on, to every
 * worker thread started later too. Tests that call the CLI in-process run with V8's default:
 * only the entry point (main.ts) calls tierForCommandLine.
 */
import { setFlagsFromString } from 'node:v8';

let commandLine = false;

/** Called first thing by the command-line entry, before the commands are loaded. */
export function tierForCommandLine(): void {
  commandLine = true;
  setFlagsFromString('--interrupt-budget=300000');
}

/**
 * A report spends its time in code that runs a few times per figure (Vega-Lite's compiler,
 * Vega's parser and dataflow, in the drawing threads) and in a few hot loops (the bootstrap):
 * a budget of 1,000,000 before optimizing still optimizes the loops, and cuts the compiler's
 * work further: the paper report with every figure drawn took 2.10 s against 2.19 s at 300,000
 * (median of 7 runs each; 3.65 against 3.86 CPU seconds). Called as a report starts, before its
 * threads do.
 */
export function tierForReport(): void {
  if (commandLine) setFlagsFromString('--interrupt-budget=1000000');
}
