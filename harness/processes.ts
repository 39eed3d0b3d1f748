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
