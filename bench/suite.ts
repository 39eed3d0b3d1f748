/**
 * What a benchmark is and what it hands back. A benchmark measures figures (each a median over
 * repetitions, with every repetition kept), compares some of them with a baseline measured in
 * the same run, and checks targets. Results are plain data: main.ts prints them and writes them
 * as JSON.
 */
import type { Json } from '../harness/experiment.js';
import type { BenchContext } from './context.js';
import { median } from './measure.js';

export interface Figure {
  /** Stable snake-case key (JSON readers compare it across commits). */
  id: string;
  label: string;
  unit: string;
  /** One value per repetition, in the order measured. */
  samples: number[];
  median: number;
  /** The same quantity for the baseline, measured in the same run. */
  baseline?: Figure;
  /** median / baseline.median. */
  ratio?: number;
}

export type Comparison = '>=' | '<=';

export interface Target {
  id: string;
  /** What is compared, e.g. "kernel rate / raw rate". */
  label: string;
  value: number;
  unit: string;
  op: Comparison;
  bound: number;
  met: boolean;
}

export interface BenchResult {
  name: string;
  title: string;
  /** What was run: sizes, repetitions, thread counts. */
  settings: Record<string, Json>;
  figures: Figure[];
  targets: Target[];
  /** Findings in words: what bounds a figure, caveats of the measurement. */
  notes: string[];
}

export interface Benchmark {
  /** The name `--only` takes. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

export function figure(id: string, label: string, unit: string, samples: readonly number[], baseline?: Figure): Figure {
  const value = median(samples);
  return {
    id,
    label,
    unit,
    samples: [...samples],
    median: value,
    ...(baseline ? { baseline, ratio: value / baseline.median } : {}),
  };
}

export function target(id: string, label: string, value: number, unit: string, op: Comparison, bound: number): Target {
  return { id, label, value, unit, op, bound, met: op === '>=' ? value >= bound : value <= bound };
}
