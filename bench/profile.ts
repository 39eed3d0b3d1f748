/**
 * Summaries of V8 CPU profiles (`node --cpu-prof`): where the samples of a process (and of each
 * of its worker threads, one file each) went, by function and by source file. Self time only:
 * a function's samples are those taken while it was on top of the stack.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface Hotspot {
  /** `function (file:line)` or a V8 category such as `(garbage collector)`. */
  name: string;
  /** Share of the profile's samples, 0..1. */
  share: number;
}

export interface ProfileSummary {
  /** The profile file, relative to the folder. */
  file: string;
  /** Node's thread id from the file name (0: the main thread). */
  thread: number;
  /** Wall time the profile covers, seconds. */
  seconds: number;
  /** Share of samples spent waiting (on I/O, other threads, timers or the next task). */
  idle: number;
  functions: Hotspot[];
  files: Hotspot[];
}

/**
 * Samples that are waiting, not working: V8's idle state, and piscina's worker blocked in
 * Atomics.wait for its next task (V8 samples that as running JavaScript).
 */
const WAITING = new Set(['(idle)', 'atomicsWaitLoop']);

function shortUrl(url: string, root: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel;
}

function top(counts: Map<string, number>, total: number, limit: number): Hotspot[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([name, n]) => ({ name, share: n / total }));
}

/** Self-time hotspots of one `.cpuprofile`; paths are shown relative to `root`. */
export function summarizeProfile(path: string, root: string, limit = 8): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    const { functionName, url } = node.callFrame;
    if (WAITING.has(functionName)) {
      idle += hits;
      continue;
    }
    const file = shortUrl(url, root);
    const name = file ? `${functionName || "(anonymous)"} (${file})` : functionName || '(anonymous)';
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    const fileKey = file ? file.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+).*$/, 'node_modules/$1') : functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + hits);
  }
  const busy = Math.max(1, total - idle);
  return {
    file: relative(root, path),
    thread: Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(path)?.[1] ?? -1),
    seconds: (profile.endTime - profile.startTime) / 1e6,
    idle: total > 0 ? idle / total : 0,
    functions: top(byFunction, busy, limit),
    files: top(byFile, busy, limit),
  };
}

const busySeconds = (s: ProfileSummary) => s.seconds * (1 - s.idle);

/**
 * The profiles in a folder, main thread first, then the other threads by busy time; threads
 * busy for less than `minShare` of the busiest one's time (loader threads, idle workers) are
 * left out.
 */
export function summarizeProfiles(dir: string, root: string, limit = 8, minShare = 0.2): ProfileSummary[] {
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => summarizeProfile(join(dir, f), root, limit));
  const busiest = Math.max(0, ...all.map(busySeconds));
  return all
    .filter((s) => s.thread === 0 || busySeconds(s) >= minShare * busiest)
    .sort((a, b) => (a.thread === 0 ? -1 : b.thread === 0 ? 1 : busySeconds(b) - busySeconds(a)));
}

/** Plain-text lines for a report. Shares are of the thread's busy (non-idle) samples. */
export function formatProfiles(summaries: readonly ProfileSummary[], limit = 6): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(0).padStart(3)}%`;
  const lines: string[] = [];
  for (const s of summaries) {
    const name = s.thread === 0 ? 'main thread' : `worker thread ${s.thread}`;
    lines.push(`${name}: ${s.seconds.toFixed(1)} s profiled, ${busySeconds(s).toFixed(1)} s busy; busy time by file:`);
    for (const h of s.files.slice(0, limit)) lines.push(`  ${pct(h.share)}  ${h.name}`);
    lines.push('  by function:');
    for (const h of s.functions.slice(0, limit)) lines.push(`  ${pct(h.share)}  ${h.name}`);
  }
  return lines;
}
