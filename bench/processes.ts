/**
 * Benchmarked work in child processes: the real `harness` command line, or a bench probe script,
 * each in a fresh Node process so that its timing, JIT state and peak memory are its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../harness/paths.js';

const cliMain = join(projectRoot, 'harness', 'cli', 'main.ts');
const usageProbe = fileURLToPath(new URL('./probe/usage.mjs', import.meta.url));

export interface ProcessRun {
  args: string[];
  /** From spawn to exit, seconds. */
  wallSeconds: number;
  /** Peak resident set size of the whole process (every thread), MB (10^6 bytes). */
  peakRssMb: number;
  /** User plus system CPU time of the whole process (every thread), seconds. */
  cpuSeconds: number;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Write V8 CPU profiles (one per thread) into this folder. */
  cpuProfileDir?: string;
  /** Kill the process (SIGINT, then SIGKILL 5 s later) after this many seconds. */
  timeoutSeconds?: number;
  /** Extra Node flags, e.g. a heap limit. */
  nodeFlags?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export class ProcessError extends Error {
  override name = 'ProcessError';
  constructor(
    message: string,
    readonly run: ProcessRun,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

/** Runs a TypeScript entry point under tsx; rejects with a ProcessError unless it exits with 0. */
export async function runScript(entry: string, args: readonly string[], options: SpawnOptions = {}): Promise<ProcessRun> {
  const probeDir = mkdtempSync(join(tmpdir(), 'bench-usage-'));
  const usageFile = join(probeDir, 'usage.json');
  const flags = [
    ...(options.nodeFlags ?? []),
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    '--import',
    'tsx',
    '--import',
    usageProbe,
  ];
  const child = spawn(process.execPath, [...flags, entry, ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...options.env, BENCH_USAGE_FILE: usageFile, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const start = performance.now();
  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  if (options.timeoutSeconds) {
    timers.push(
      setTimeout(() => {
        timedOut = true;
        child.kill('SIGINT');
        timers.push(setTimeout(() => child.kill('SIGKILL'), 5000));
      }, options.timeoutSeconds * 1000),
    );
  }
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
  });
  timers.forEach(clearTimeout);
  const wallSeconds = (performance.now() - start) / 1000;
  let peakRssMb = Number.NaN;
  let cpuSeconds = Number.NaN;
  try {
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRSS: number; cpuMicros: number };
    peakRssMb = (usage.maxRSS * 1024) / 1e6;
    cpuSeconds = usage.cpuMicros / 1e6;
  } catch {
    // The process died before its exit handler ran (killed, or out of memory).
  }
  rmSync(probeDir, { recursive: true, force: true });
  const run: ProcessRun = { args: [entry, ...args], wallSeconds, peakRssMb, cpuSeconds, stdout, stderr };
  if (code !== 0) {
    // A process the system killed (the OOM killer's SIGKILL) has no exit code: its signal says why.
    const why = timedOut ? `ran past ${options.timeoutSeconds} s and was stopped` : signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
    throw new ProcessError(`${[entry, ...args].join(' ')} ${why}:\n${stderr.trim().split('\n').slice(-12).join('\n')}`, run, timedOut);
  }
  return run;
}

/** `harness <args>`, exactly as a user runs it (minus the npm wrapper). */
export function runHarness(args: readonly string[], options: SpawnOptions = {}): Promise<ProcessRun> {
  return runScript(cliMain, args, options);
}

/** The fields of `harness run --json` that benchmarks read. */
export interface RunSummaryJson {
  cells: number;
  ok: number;
  failed: number;
  /** The engine's own clock: from opening the database to the last commit. */
  seconds: number;
  trialsPerSecond: number;
}

/** The JSON summary `harness run --json` prints as its last stdout line. */
export function runSummaryOf(run: ProcessRun): RunSummaryJson {
  const last = run.stdout.trim().split('\n').pop() ?? '';
  const summary = JSON.parse(last) as RunSummaryJson;
  if (summary.failed > 0) throw new Error(`${run.args.join(' ')}: ${summary.failed} trials failed; a benchmark needs a clean run`);
  return summary;
}
