/**
 * Progress display. On a terminal: one live line (bar, done/failed/total, trials per second,
 * ETA), redrawn at most every `redrawMs`; colour unless the environment asks for none
 * (`noColorIn`: NO_COLOR, FORCE_COLOR=0, TERM=dumb). Elsewhere (a log file, CI), and on a
 * terminal that says it can do nothing but print lines (TERM=dumb: an editor's shell buffer),
 * one plain line every `lineEveryMs`. Progress goes to stderr so stdout stays clean for results
 * and --json.
 */
import type { ProgressSink } from '../run/run.js';
import type { Io, StrayOutput } from './io.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  label: string;
  noColor?: boolean;
  /** Plain lines even on a terminal (see plainLinesIn). */
  plainLines?: boolean;
  redrawMs?: number;
  lineEveryMs?: number;
  /** Milliseconds clock (injectable for tests). */
  clock?: () => number;
  /** Leave out of the rate the time the process stood stopped, seen by a timer (default: with the real clock). */
  watchPauses?: boolean;
  /** Output not the command's, which the progress takes on a terminal from its start to its finish (see strayAbove). */
  stray?: StrayOutput;
}

/**
 * Whether the environment asks for no colour, and so no escape code at all (see `redraw`), by
 * the conventions users set, read as Node reads them for its own output: FORCE_COLOR set asks
 * for colour (empty, 1, 2, 3 or true), even beside NO_COLOR, or for none (0, false, anything
 * else); unset, NO_COLOR of any value but the empty one asks for none, and so does TERM=dumb, a
 * terminal that knows no escape codes.
 */
export function noColorIn(env: Record<string, string | undefined>): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return !forcesColor(force);
  return (env['NO_COLOR'] ?? '') !== '' || env['TERM'] === 'dumb';
}

function forcesColor(value: string): boolean {
  return ['', '1', '2', '3', 'true'].includes(value);
}

/**
 * Whether a terminal asks for plain lines, not a line redrawn in place: TERM=dumb, which moves
 * no cursor (as cargo and rich read it), unless FORCE_COLOR asks for colour, and so for the live line.
 */
export function plainLinesIn(env: Record<string, string | undefined>): boolean {
  const force = env['FORCE_COLOR'];
  return env['TERM'] === 'dumb' && !(force !== undefined && forcesColor(force));
}

/** What a command's progress takes of its process: colour or not, plain lines or not, and the output not its own to keep off its line. */
export function progressSettings(io: Pick<Io, 'env' | 'strayOutput'>): { noColor: boolean; plainLines: boolean; stray?: StrayOutput } {
  return { noColor: noColorIn(io.env), plainLines: plainLinesIn(io.env), ...(io.strayOutput ? { stray: io.strayOutput } : {}) };
}

/** A duration in the fewest columns, for a progress line: `59s`, `1m01s`, `1h02m`; `?` when unknown. */
export function compactDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function paint(color: boolean, code: string, text: string): string {
  return color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** Columns a text takes on a terminal: its colour codes take none. */
function visibleLength(text: string): number {
  return text.replace(/\x1b\[\d*m/g, '').length;
}

/**
 * The first of `choices` (fullest first) that fits a terminal line of `columns` without
 * wrapping: a wrapped line cannot be redrawn in place, and each redraw would leave a line
 * behind. Failing all, the last one cut to fit, without its colours.
 */
export function fitLine(choices: readonly string[], columns: number | undefined): string {
  // A terminal that does not say its width (0, as a pty without a size does) is taken as 80 wide.
  const width = (columns !== undefined && columns >= 2 ? columns : 80) - 1;
  const fitting = choices.find((line) => visibleLength(line) <= width);
  return fitting ?? choices.at(-1)!.replace(/\x1b\[\d*m/g, '').slice(0, width);
}

/**
 * Draws `line` over the terminal's current line: what a longer line before it left is erased,
 * by the terminal's erase-to-end code in colour, and by spaces under NO_COLOR, which asks for
 * no escape codes at all. Returns the line's length, the next redraw's `previous`.
 */
function redraw(stream: ProgressStream, line: string, previous: number, color: boolean, end = ''): number {
  const length = visibleLength(line);
  stream.write(`\r${line}${color ? '\x1b[K' : ' '.repeat(Math.max(0, previous - length))}${end}`);
  return end === '\n' ? 0 : length;
}

/** The most characters of a line not yet ended that a live line holds back (see strayAbove). */
const STRAY_HELD_MOST = 4096;

/**
 * Writes output that is not the progress's own (StrayOutput) above a live line on a terminal:
 * the line is erased, the text's whole lines are written, and the line is drawn again below
 * them, where the next redraw finds it. A line not yet ended waits for its end (a line drawn
 * after it would overwrite it), up to STRAY_HELD_MOST characters; `flush` writes it, ended, once
 * the progress is done. `live` gives the live line's length, or null when none is drawn: then
 * whole lines go straight through.
 */
function strayAbove(stream: ProgressStream, color: boolean, live: () => number | null, drawAgain: () => void) {
  let pending = '';
  return {
    write(text: string) {
      const newline = text.lastIndexOf('\n');
      pending += text;
      // Text that never ends a line (dots, or a counter redrawn with \r) is written, ended, once
      // it is long: it is not held for the whole run, nor searched again at every write.
      const end = newline >= 0 ? pending.length - text.length + newline + 1 : pending.length >= STRAY_HELD_MOST ? pending.length : 0;
      if (end === 0) return;
      const length = live();
      const lines = newline >= 0 ? pending.slice(0, end) : `${pending}\n`;
      pending = pending.slice(end);
      if (length === null) {
        stream.write(lines);
        return;
      }
      stream.write(`\r${color ? '\x1b[K' : `${' '.repeat(length)}\r`}${lines}`);
      drawAgain();
    },
    flush() {
      if (pending) stream.write(`${pending}\n`);
      pending = '';
    },
  };
}

/** A bar of `width` characters, filled in proportion to done / total (green unless `color` is false). */
export function progressBar(done: number, total: number, width: number, color: boolean): string {
  const filled = total > 0 ? Math.min(width, Math.round((width * done) / total)) : width;
  return paint(color, '32', '#'.repeat(filled) + '-'.repeat(width - filled));
}

interface ProgressCounts {
  done: number;
  failed: number;
  total: number;
  startDone: number;
  elapsedMs: number;
}

/** The pieces of a progress line: counts, failures, rate and ETA, as text (pure). */
function progressParts(p: ProgressCounts): { counts: string; failed: string; rate: string; eta: string } {
  const finishedNow = p.done - p.startDone + p.failed;
  const rate = p.elapsedMs > 0 ? (finishedNow * 1000) / p.elapsedMs : 0;
  const remaining = Math.max(0, p.total - p.done - p.failed);
  const eta = rate > 0 ? compactDuration(remaining / rate) : '?';
  return { counts: `${p.done}/${p.total}`, failed: `${p.failed} failed`, rate: `${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} trials/s`, eta: `ETA ${eta}` };
}

/** The numbers of a progress line (pure; shared by the bar and the plain lines). */
export function progressText(p: ProgressCounts): string {
  const { counts, failed, rate, eta } = progressParts(p);
  return `${counts} done, ${failed}, ${rate}, ${eta}`;
}

/** How often the progress looks for a stop of the process, and how late its timer must come to count as one (see createProgress). */
const PAUSE_WATCH_MS = 1000;
const PAUSE_MIN_MS = 5000;

export function createProgress(stream: ProgressStream, options: ProgressOptions): ProgressSink {
  const clock = options.clock ?? (() => performance.now());
  const tty = stream.isTTY === true && !options.plainLines;
  const color = tty && !options.noColor;
  const redrawMs = options.redrawMs ?? 100;
  const lineEveryMs = options.lineEveryMs ?? 5000;
  let total = 0;
  let startDone = 0;
  let done = 0;
  let failed = 0;
  let lastShown = -Infinity;
  let active = false;

  // The time the run has been running, less the time the process stood stopped (Ctrl-Z, then fg;
  // SIGSTOP, SIGCONT), so that the rate and the ETA after it are the run's. A stop shows as this
  // thread's timer coming late by it; slow work does not delay the timer (the work is in workers).
  let started = 0;
  let pausedMs = 0;
  let lastTick = 0;
  let watch: NodeJS.Timeout | undefined;
  const watchPauses = () => {
    lastTick = clock();
    watch = setInterval(() => {
      const t = clock();
      const late = t - lastTick - PAUSE_WATCH_MS;
      if (late >= PAUSE_MIN_MS) pausedMs += late;
      lastTick = t;
    }, PAUSE_WATCH_MS);
    watch.unref();
  };

  let drawn = 0;
  const counts = () => ({ done, failed, total, startDone, elapsedMs: clock() - started - pausedMs });
  const text = () => progressText(counts());
  const draw = (end = '') => {
    const bar = progressBar(done + failed, total, Math.max(10, Math.min(30, (stream.columns ?? 80) - 70)), color);
    const parts = progressParts(counts());
    const failures = failed ? paint(color, '31', parts.failed) : parts.failed;
    const label = options.label;
    // On a narrow terminal the rate goes first, then the bar, the word "done", the label, and
    // last the failures: the counts and the ETA stay.
    const withoutRate = `${parts.counts} done, ${failures}, ${parts.eta}`;
    const short = `${parts.counts}, ${failures}, ${parts.eta}`;
    const line = fitLine(
      [
        `${label} [${bar}] ${parts.counts} done, ${failures}, ${parts.rate}, ${parts.eta}`,
        `${label} [${bar}] ${withoutRate}`,
        `${label} ${withoutRate}`,
        `${label} ${short}`,
        short,
        `${parts.counts} ${parts.eta}`,
      ],
      stream.columns,
    );
    drawn = redraw(stream, line, drawn, color, end);
  };
  const show = (force: boolean) => {
    const t = clock();
    if (!force && t - lastShown < (tty ? redrawMs : lineEveryMs)) return;
    lastShown = t;
    if (tty) draw();
    else stream.write(`${options.label}: ${text()}\n`);
  };
  const stray = strayAbove(stream, color, () => (active ? drawn : null), () => {
    drawn = 0;
    draw();
  });
  return {
    start(t, d) {
      total = t;
      startDone = done = d;
      started = clock();
      clearInterval(watch);
      if (options.watchPauses ?? options.clock === undefined) watchPauses();
      lastShown = tty ? -Infinity : clock();
      active = true;
      if (tty) {
        options.stray?.route(stray.write);
        show(true);
      }
    },
    update(d, f) {
      done = d;
      failed = f;
      if (active) show(false);
    },
    finish() {
      clearInterval(watch);
      if (!active) return;
      active = false;
      if (!tty) return;
      draw('\n');
      stray.flush();
      options.stray?.route(null);
    },
  };
}

/**
 * The report's `progress(stage, done, total)`, and `end()`: called once the work is over, however
 * it ended, it ends a line a stage left unfinished on a terminal (a stage stopped by an error), so
 * that the error, or whatever is written next, starts a line of its own.
 */
export interface StageProgress {
  (stage: string, done: number, total: number): void;
  end(): void;
}

/**
 * Progress of named stages (the report's `progress(stage, done, total)`): on a terminal one
 * line per stage updated in place, with a bar and the time left at the stage's pace so far
 * (its time taken once it finishes), coloured unless `noColor`; elsewhere a line when a stage
 * starts, finishes, or every `lineEveryMs` in between (with the time left).
 */
export function createStageProgress(
  stream: ProgressStream,
  options: { lineEveryMs?: number; redrawMs?: number; noColor?: boolean; plainLines?: boolean; clock?: () => number; stray?: StrayOutput } = {},
): StageProgress {
  const clock = options.clock ?? (() => performance.now());
  const lineEveryMs = options.lineEveryMs ?? 5000;
  const redrawMs = options.redrawMs ?? 100;
  const tty = stream.isTTY === true && !options.plainLines;
  const color = tty && !options.noColor;
  let current: string | null = null;
  let stageStart = 0;
  let startDone = 0;
  let lastText = '';
  let lastShown = -Infinity;
  let drawn = 0;
  let drawnLine = '';
  // On a terminal, lastText is the unfinished stage whose line the cursor is still on.
  const stray = strayAbove(stream, color, () => (tty && lastText ? drawn : null), () => {
    drawn = redraw(stream, drawnLine, 0, color);
  });
  if (tty) options.stray?.route(stray.write);
  /** Time left at the pace since the stage started ('' until there is a pace). */
  const eta = (done: number, total: number, t: number) => {
    const rate = (done - startDone) / (t - stageStart);
    return rate > 0 ? `, ETA ${compactDuration((total - done) / rate / 1000)}` : '';
  };
  const progress = (stage: string, done: number, total: number) => {
    const t = clock();
    const finished = done >= total;
    const starting = stage !== current;
    if (starting) {
      stageStart = t;
      startDone = done;
    }
    current = finished ? null : stage;
    const counts = `${done}/${total}`;
    if (`${stage}: ${counts}` === lastText) return;
    if (tty) {
      if (!starting && !finished && t - lastShown < redrawMs) return;
      const tail = finished ? (starting ? '' : `, ${compactDuration((t - stageStart) / 1000)}`) : eta(done, total, t);
      const line = fitLine([`${stage} [${progressBar(done, total, 20, color)}] ${counts}${tail}`, `${stage} ${counts}${tail}`], stream.columns);
      // A stage left unfinished keeps its line; the next starts on one of its own.
      if (starting && lastText && !lastText.startsWith(`${stage}:`)) {
        stream.write('\n');
        drawn = 0;
      }
      drawn = redraw(stream, line, drawn, color, finished ? '\n' : '');
      drawnLine = line;
      lastText = finished ? '' : `${stage}: ${counts}`;
      lastShown = t;
      return;
    }
    if (!starting && !finished && t - lastShown < lineEveryMs) return;
    stream.write(`${stage}: ${counts}${starting || finished ? '' : eta(done, total, t)}\n`);
    lastText = `${stage}: ${counts}`;
    lastShown = t;
  };
  const end = () => {
    if (tty && lastText) stream.write('\n');
    current = null;
    lastText = '';
    drawn = 0;
    stray.flush();
    if (tty) options.stray?.route(null);
  };
  return Object.assign(progress, { end });
}
