/**
 * `npm run bench`: the performance suite. Runs every benchmark (or `--only` some), prints each
 * figure with its baseline, ratio, spread and target, and with `--json` writes the figures to
 * reports/bench/bench-<commit>.json (and latest.json) for comparison across commits.
 *
 *   npm run bench                       full suite (under five minutes on 2 cores)
 *   npm run bench -- --quick            smoke run: small sizes, one repetition
 *   npm run bench -- --only scaling     one benchmark (a comma list for several)
 *   npm run bench -- --threads 1,4,16   thread counts of the scaling curve
 *   npm run bench -- --json             also write the JSON report
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Json } from '../harness/experiment.js';
import { projectRoot } from '../harness/paths.js';
import { nearest } from '../harness/text.js';
import { crnBenchmark } from './benchmarks/crn.js';
import { kernelBenchmark } from './benchmarks/kernel.js';
import { memoryBenchmark } from './benchmarks/memory.js';
import { overheadBenchmark } from './benchmarks/overhead.js';
import { referenceBenchmark } from './benchmarks/reference.js';
import { reportBenchmark } from './benchmarks/report.js';
import { scalingBenchmark } from './benchmarks/scaling.js';
import { storeBenchmark } from './benchmarks/store.js';
import { BenchContext } from './context.js';
import { resultLines, summaryLines } from './format.js';
import { codeLabel, describeMachine, headerLines } from './machine.js';
import { threadCounts } from './measure.js';
import type { Benchmark, BenchResult } from './suite.js';

export const benchmarks: readonly Benchmark[] = [
  kernelBenchmark,
  crnBenchmark,
  scalingBenchmark,
  referenceBenchmark,
  overheadBenchmark,
  storeBenchmark,
  memoryBenchmark,
  reportBenchmark,
];

const usage = `Usage: npm run bench -- [--quick] [--only NAME[,NAME...]] [--threads N,N,...] [--json]
  --quick      small sizes and one repetition: a smoke test of the suite, not a measurement
  --only       run these benchmarks: ${benchmarks.map((b) => b.name).join(', ')}
  --threads    thread counts of the scaling curve [default: 1, 2, 4, ... up to the cores]
  --json       also write reports/bench/bench-<commit>.json and reports/bench/latest.json`;

class UsageError extends Error {}

interface CliOptions {
  quick: boolean;
  json: boolean;
  only: Benchmark[];
  threads: number[] | null;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        threads: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (thrown) {
    throw new UsageError(`${(thrown as Error).message}. See --help.`);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  const names = (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const only = names.map((name) => {
    const found = benchmarks.find((b) => b.name === name);
    if (found) return found;
    const known = benchmarks.map((b) => b.name);
    const guess = nearest(name, known);
    throw new UsageError(`--only: no benchmark named "${name}". Known: ${known.join(', ')}.${guess ? ` Did you mean "${guess}"?` : ''}`);
  });
  let threads: number[] | null = null;
  if (values.threads !== undefined) {
    threads = values.threads.split(',').map((t) => Number(t.trim()));
    if (threads.some((t) => !Number.isInteger(t) || t < 1)) {
      throw new UsageError(`--threads must be a comma list of whole numbers of at least 1, received "${values.threads}". Example: --threads 1,2,4,8,16.`);
    }
  }
  return { quick: values.quick === true, json: values.json === true, only, threads };
}

function failedResult(benchmark: Benchmark, thrown: unknown): BenchResult {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { name: benchmark.name, title: benchmark.title, settings: {}, figures: [], targets: [], notes: [`ERROR: ${message}`] };
}

async function main(argv: string[]): Promise<number> {
  const cli = parseCli(argv);
  if (cli === 'help') {
    console.log(usage);
    return 0;
  }
  const machine = describeMachine();
  const mode = cli.quick ? 'quick (small sizes, one repetition: a smoke test, not a measurement)' : 'full';
  const selected = cli.only.length ? cli.only : benchmarks;
  console.log('harness benchmarks');
  for (const line of headerLines(machine, mode)) console.log(line);
  const ctx = new BenchContext({
    quick: cli.quick,
    threadCounts: cli.threads ?? threadCounts(machine.cores),
    log: (line) => console.log(line),
  });
  const started = performance.now();
  /** Each result with how long its benchmark took and the load it ran under. */
  const results: (BenchResult & { seconds: number; loadAverage: number })[] = [];
  let errors = 0;
  try {
    for (const [i, benchmark] of selected.entries()) {
      console.log('');
      console.log(`[${i + 1}/${selected.length}] ${benchmark.name} ...`);
      const benchStart = performance.now();
      let result: BenchResult;
      try {
        result = await benchmark.run(ctx);
      } catch (thrown) {
        errors++;
        result = failedResult(benchmark, thrown);
      }
      const recorded = { ...result, seconds: (performance.now() - benchStart) / 1000, loadAverage: loadavg()[0]! };
      results.push(recorded);
      for (const line of resultLines(result, `[${i + 1}/${selected.length}]`)) console.log(line);
      console.log(`  (${recorded.seconds.toFixed(1)} s; 1-minute load average ${recorded.loadAverage.toFixed(2)} on ${machine.cores} cores)`);
    }
  } finally {
    ctx.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log('');
  for (const line of summaryLines(results)) console.log(line);
  console.log(`suite time: ${seconds.toFixed(1)} s${errors ? `; ${errors} benchmark(s) failed to run` : ''}`);
  if (cli.json) {
    const dir = join(projectRoot, 'reports', 'bench');
    const suffix = `${cli.quick ? '-quick' : ''}${cli.only.length ? `-only-${cli.only.map((b) => b.name).join('-')}` : ''}`;
    const file = join(dir, `bench-${codeLabel(machine)}${suffix}.json`);
    const report = {
      format: 'harness-bench/1',
      machine: machine as unknown as Json,
      mode: cli.quick ? 'quick' : 'full',
      benchmarks: selected.map((b) => b.name),
      suiteSeconds: seconds,
      results: results as unknown as Json,
    };
    const text = `${JSON.stringify(report, null, 1)}\n`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    writeFileSync(join(dir, 'latest.json'), text);
    console.log(`wrote ${file.slice(projectRoot.length + 1)} and reports/bench/latest.json`);
  }
  return errors ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (thrown) {
  if (!(thrown instanceof UsageError)) throw thrown;
  console.error(thrown.message);
  console.error(usage);
  process.exitCode = 2;
}
