/**
 * V8's tiering, set for a command-line run before anything else is loaded. V8 hands a function
 * to its optimizing compiler after a fixed budget of interpreted work; a harness command lives
 * for seconds and runs a great deal of code only a few times per figure or trial (Vega-Lite's
 * compiler, Vega's parser and dataflow, the CLI itself), and optimizing that code costs more
 * compiler time, on threads that compete with ours for the cores, than it ever gives back.
 * A budget about four times V8's default (67,584 on Node 20) still optimizes what is hot (the
 * trial kernels, the bootstrap). On the paper study (2 cores) it made `harness report` with
 * every figure drawn 9% faster (2.90 s to 2.66 s, its background compiler threads busy 1.1 s
 * instead of 2.0 s) and `harness run` 2% faster.
 *
 * The flag is read whenever V8 sets a function's budget, so it applies from here on, to every
 * worker thread started later too. Tests that call the CLI in-process run with V8's default.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--interrupt-budget=300000');
