// Preloaded into a benchmarked process (`node --import`): when it exits, writes its peak resident
// set size in kilobytes (all threads; getrusage's ru_maxrss) to the file named by
// BENCH_PEAK_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
