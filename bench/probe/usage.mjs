// Preloaded into a benchmarked process (`node --import`): when it exits, writes to the file named
// by BENCH_USAGE_FILE what the process used, as JSON, each over all its threads (getrusage):
// `maxRSS`, the peak resident set size in kilobytes, and `cpuMicros`, user plus system CPU time.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRSS: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime }));
  });
}
