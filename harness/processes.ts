import { readdirSync, readFileSync, statSync } from 'node:fs';

/**
 * Whether process `pid` of this host is alive: signal 0 checks without sending anything. EPERM
 * means it exists but belongs to another user; only ESRCH means it is gone. A pid names a
 * process on its own host only: callers compare hosts first.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (thrown) {
    return (thrown as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * When process `pid` of this host started (ms since the epoch), from Linux's /proc; null where
 * that cannot be read (another system, the process gone). Good to about a second: /proc gives
 * the boot time in whole seconds, and a process's start in clock ticks (100 a second, Linux's
 * USER_HZ on every architecture) since then.
 */
export function processStartMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command, which is in parentheses and may hold spaces and parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22, starttime
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}

/**
 * Whether process `pid` of this host has the file at `path` open: whether a descriptor of it
 * (Linux's /proc/<pid>/fd) leads to the same file, by device and inode, whatever the path it
 * was opened by. Null where that cannot be read: another system, another user's process, the
 * file or the process gone.
 */
export function processHasOpen(pid: number, path: string): boolean | null {
  let file: { dev: number; ino: number };
  let descriptors: string[];
  try {
    file = statSync(path);
    descriptors = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  let read = false;
  for (const fd of descriptors) {
    try {
      const target = statSync(`/proc/${pid}/fd/${fd}`);
      if (target.dev === file.dev && target.ino === file.ino) return true;
      read = true;
    } catch {
      // Closed since it was listed, or not to be followed: the others still tell.
    }
  }
  return read ? false : null;
}
