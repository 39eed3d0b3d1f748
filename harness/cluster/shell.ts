/** Shell quoting for the commands the cluster layer writes into scripts and prints for users. */

const SAFE = /^[A-Za-z0-9_\/.:=,@%+-]+$/;

/** One argument as POSIX shell text: bare when that is unambiguous, else single-quoted. */
export function shellQuote(arg: string): string {
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}
