/** The shape of one CLI command: its yargs declaration and its handler. */
import type { Argv } from 'yargs';
import type { Io } from '../io.js';

export type Args = Record<string, unknown>;

export interface Command {
  name: string;
  /** yargs command string, e.g. `run <study>`. */
  command: string;
  describe: string;
  builder(yargs: Argv): Argv;
  /** Returns the exit code; throws InputError for bad input. */
  run(args: Args, io: Io): Promise<number>;
}
