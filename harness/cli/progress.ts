/**
 * Progress display. On a terminal: one live line (bar, done/failed/total, trials per second,
 * ETA), redrawn at most every `redrawMs`; colour unless NO_COLOR is set. Elsewhere (a log
 * file, CI): one plain line every `lineEveryMs`. Progress goes to stderr so stdout stays clean
 * for results and --json.
 */
import type { ProgressSink } from '../run/run.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  label: string;
  noColor?: boolean;
  redrawMs?: number;
  lineEveryMs?: number;
  /** Milliseconds clock (injectable for tests). */
  clock?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The numbers of a progress line (pure; shared by the bar and the plain lines). */
export function progressText(p: { done: number; failed: number; total: number; startDone: number; elapsedMs: number }): string {
  const finishedNow = p.done - p.startDone + p.failed;
  const rate = p.elapsedMs > 0 ? (finishedNow * 1000) / p.elapsedMs : 0;
  const remaining = Math.max(0, p.total - p.done - p.failed);
  const eta = rate > 0 ? formatDuration(remaining / rate) : '?';
  return `${p.done}/${p.total} done, ${p.failed} failed, ${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} trials/s, ETA ${eta}`;
}

export function createProgress(stream: ProgressStream, options: ProgressOptions): ProgressSink {
  const clock = options.clock ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const color = tty && !options.noColor;
  const redrawMs = options.redrawMs ?? 100;
  const lineEveryMs = options.lineEveryMs ?? 5000;
  let total = 0;
  let startDone = 0;
  let done = 0;
  let failed = 0;
  let started = 0;
  let lastShown = -Infinity;
  let active = false;

  const text = () => progressText({ done, failed, total, startDone, elapsedMs: clock() - started });
  const draw = () => {
    const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 70));
    const filled = total > 0 ? Math.round((width * (done + failed)) / total) : width;
    const bar = '#'.repeat(filled) + '-'.repeat(Math.max(0, width - filled));
    const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
    const line = `${options.label} [${paint('32', bar)}] ${failed ? text().replace(/(\d+) failed/, paint('31', '$1 failed')) : text()}`;
    stream.write(`\r${line}\x1b[K`);
  };
  const show = (force: boolean) => {
    const t = clock();
    if (!force && t - lastShown < (tty ? redrawMs : lineEveryMs)) return;
    lastShown = t;
    if (tty) draw();
    else stream.write(`${options.label}: ${text()}\n`);
  };
  return {
    start(t, d) {
      total = t;
      startDone = done = d;
      started = clock();
      lastShown = tty ? -Infinity : clock();
      active = true;
      if (tty) show(true);
    },
    update(d, f) {
      done = d;
      failed = f;
      if (active) show(false);
    },
    finish() {
      if (!active) return;
      active = false;
      if (tty) {
        draw();
        stream.write('\n');
      }
    },
  };
}

/**
 * Progress of named stages (the report's `progress(stage, done, total)`): on a terminal one
 * line per stage updated in place; elsewhere a line when a stage starts, finishes, or every
 * `lineEveryMs` in between.
 */
export function createStageProgress(
  stream: ProgressStream,
  options: { lineEveryMs?: number; clock?: () => number } = {},
): (stage: string, done: number, total: number) => void {
  const clock = options.clock ?? (() => performance.now());
  const lineEveryMs = options.lineEveryMs ?? 5000;
  let current: string | null = null;
  let lastText = '';
  let lastShown = -Infinity;
  return (stage, done, total) => {
    const text = `${stage}: ${done}/${total}`;
    const finished = done >= total;
    const starting = stage !== current;
    current = finished ? null : stage;
    if (text === lastText) return;
    if (stream.isTTY) {
      stream.write(`${starting && lastText && !lastText.startsWith(`${stage}:`) ? '\n' : ''}\r${text}\x1b[K${finished ? '\n' : ''}`);
      lastText = finished ? '' : text;
      return;
    }
    const t = clock();
    if (!starting && !finished && t - lastShown < lineEveryMs) return;
    stream.write(`${text}\n`);
    lastText = text;
    lastShown = t;
  };
}
