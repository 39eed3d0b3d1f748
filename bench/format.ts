/** Benchmark results as plain text for a terminal or a log. */
import type { Json } from '../harness/experiment.js';
import type { BenchResult, Figure, Target } from './suite.js';

/** A number at a precision that suits its size: 0.693, 12.4, 1,234, 52.10 M. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1e7) return `${(x / 1e6).toFixed(1)} M`;
  if (abs >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toPrecision(4);
  if (abs === 0) return '0';
  return x.toPrecision(3);
}

const withUnit = (x: number, unit: string) => (unit ? `${formatNumber(x)} ${unit}` : formatNumber(x));

const LABEL = 56;
const pad = (text: string, width: number) => (text.length >= width ? `${text} ` : text.padEnd(width));

function spread(f: Figure): string {
  if (f.samples.length < 2) return `1 run`;
  const lo = Math.min(...f.samples);
  const hi = Math.max(...f.samples);
  return `median of ${f.samples.length} (${formatNumber(lo)} .. ${formatNumber(hi)})`;
}

function figureLines(f: Figure): string[] {
  const lines = [`  ${pad(f.label, LABEL)}${pad(withUnit(f.median, f.unit), 22)}${spread(f)}`];
  if (f.baseline) {
    const b = f.baseline;
    lines.push(`    ${pad(`baseline: ${b.label}`, LABEL - 2)}${pad(withUnit(b.median, b.unit), 22)}${spread(b)}`);
    lines.push(`    ${pad('ratio', LABEL - 2)}${formatNumber(f.ratio ?? Number.NaN)}`);
  }
  return lines;
}

export function targetLine(t: Target): string {
  const verdict = t.met ? 'MET' : 'NOT MET';
  return `  target: ${t.label} ${t.op} ${withUnit(t.bound, t.unit)}: measured ${withUnit(t.value, t.unit)}  ${verdict}`;
}

function settingsText(settings: Record<string, Json>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

export function resultLines(result: BenchResult, position: string): string[] {
  return [
    `${position} ${result.name}: ${result.title}`,
    `  settings: ${settingsText(result.settings)}`,
    ...result.figures.flatMap(figureLines),
    ...result.targets.map(targetLine),
    ...result.notes.flatMap((note) => note.split('\n').map((line, i) => `  ${i === 0 ? 'note: ' : '      '}${line}`)),
  ];
}

/** The closing table: every target of the run and whether it was met. */
export function summaryLines(results: readonly BenchResult[]): string[] {
  const rows = results.flatMap((r) => r.targets.map((t) => ({ bench: r.name, t })));
  if (rows.length === 0) return ['no targets checked'];
  const met = rows.filter((row) => row.t.met).length;
  return [
    `targets: ${met} of ${rows.length} met`,
    ...rows.map(({ bench, t }) => `  ${t.met ? 'MET    ' : 'NOT MET'}  ${pad(bench, 10)}${t.label} ${t.op} ${withUnit(t.bound, t.unit)} (measured ${withUnit(t.value, t.unit)})`),
  ];
}
