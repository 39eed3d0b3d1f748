import { describe, expect, it, vi } from 'vitest';
import { createProgress, createStageProgress, fitLine, compactDuration, progressText } from '../../harness/cli/progress.js';
import { terminalScreen } from '../reliability/helpers.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns: 100, write: (t: string) => writes.push(t) } };
}

describe('progress', () => {
  it('computes rate and ETA from what finished since the start', () => {
    expect(progressText({ done: 5, failed: 1, total: 10, startDone: 2, elapsedMs: 2000 })).toBe('5/10 done, 1 failed, 2.0 trials/s, ETA 2s');
    expect(progressText({ done: 0, failed: 0, total: 10, startDone: 0, elapsedMs: 0 })).toBe('0/10 done, 0 failed, 0.0 trials/s, ETA ?');
    expect(progressText({ done: 3000, failed: 0, total: 9000, startDone: 0, elapsedMs: 1000 })).toBe('3000/9000 done, 0 failed, 3000 trials/s, ETA 2s');
    expect([compactDuration(59.4), compactDuration(61), compactDuration(3725)]).toEqual(['59s', '1m01s', '1h02m']);
  });

  it('takes the time the process stood stopped out of the rate and the ETA, and no slow stretch of work', () => {
    vi.useFakeTimers();
    try {
      const { writes, out } = stream(false);
      const p = createProgress(out, { label: 'paper', clock: () => Date.now(), lineEveryMs: 0, watchPauses: true });
      p.start(1000, 0);
      // 10 trials a second for 20 s, the timer on time.
      for (let s = 1; s <= 20; s++) {
        vi.advanceTimersByTime(1000);
        p.update(10 * s, 0);
      }
      // Stopped for 70 s: the clock moves on, no timer fires until the process resumes, then one, 70 s late.
      vi.setSystemTime(Date.now() + 70_000);
      vi.advanceTimersByTime(1000);
      p.update(210, 0);
      expect(writes.at(-1)).toBe('paper: 210/1000 done, 0 failed, 10.0 trials/s, ETA 1m19s\n');
      // Slower work is no stop: the timer stays on time, and the pace drops (220 trials in 31 s).
      vi.advanceTimersByTime(10_000);
      p.update(220, 0);
      expect(writes.at(-1)).toBe('paper: 220/1000 done, 0 failed, 7.1 trials/s, ETA 1m50s\n');
      p.finish();
    } finally {
      vi.useRealTimers();
    }
  });

  it('off a terminal: one plain line every few seconds, no control characters', () => {
    let now = 0;
    const { writes, out } = stream(false);
    const p = createProgress(out, { label: 'paper', clock: () => now, lineEveryMs: 5000 });
    p.start(10, 2);
    now = 1000;
    p.update(3, 0);
    expect(writes).toEqual([]);
    now = 6000;
    p.update(5, 1);
    now = 7000;
    p.update(6, 1);
    p.finish();
    expect(writes).toEqual(['paper: 5/10 done, 1 failed, 0.7 trials/s, ETA 6s\n']);
  });

  it('on a terminal: a live line redrawn in place, coloured unless NO_COLOR', () => {
    let now = 0;
    const colored = stream(true);
    const p = createProgress(colored.out, { label: 'paper', clock: () => now });
    p.start(4, 0);
    now = 1000;
    p.update(2, 1);
    p.finish();
    expect(colored.writes.every((w) => w.startsWith('\r'))).toBe(true);
    expect(colored.writes.at(-1)).toMatch(/\x1b\[K\n$/);
    expect(colored.writes.at(-1)).toContain('\x1b[31m1 failed\x1b[0m');
    // NO_COLOR: no escape code at all; a shorter line is padded over the longer one before it.
    const plain = stream(true);
    const q = createProgress(plain.out, { label: 'paper', clock: () => now, noColor: true });
    q.start(4, 0);
    q.update(2, 1);
    q.finish();
    expect(plain.writes.join('')).not.toContain('\x1b');
    expect(plain.writes.at(-1)).toMatch(/^\rpaper \[#+-+\] 2\/4 done, 1 failed, .* trials\/s, ETA [^ ]*\n$/);
    const shrinking = stream(true);
    const stages = createStageProgress(shrinking.out, { clock: () => now, noColor: true, redrawMs: 0 });
    now = 0;
    stages('figures', 0, 16);
    now = 1000;
    stages('figures', 1, 16);
    now = 1001;
    stages('figures', 2, 16);
    expect(shrinking.writes.map((w) => w.length)).toEqual([shrinking.writes[0]!.length, shrinking.writes[1]!.length, shrinking.writes[1]!.length]);
    expect(shrinking.writes.join('')).not.toContain('\x1b');
  });

  it('fits a narrow terminal: the rate, then the bar, give way to the counts and the ETA, so that no line wraps', () => {
    let now = 0;
    const lines = (columns: number, label = 'paper') => {
      const writes: string[] = [];
      const p = createProgress({ isTTY: true, columns, write: (t: string) => writes.push(t) }, { label, clock: () => now, noColor: true });
      now = 0;
      p.start(7290, 0);
      now = 2000;
      p.update(1000, 0);
      return writes.map((w) => w.replace(/^\r/, '').trimEnd());
    };
    expect(lines(100).at(-1)).toMatch(/^paper \[#+-+\] 1000\/7290 done, 0 failed, 500 trials\/s, ETA 13s$/);
    expect(lines(60).at(-1)).toMatch(/^paper \[#+-+\] 1000\/7290 done, 0 failed, ETA 13s$/);
    expect(lines(45).at(-1)).toBe('paper 1000/7290 done, 0 failed, ETA 13s');
    // A longer study name on a 40-column terminal: "done", then the name, go before the ETA would.
    expect(lines(40, 'ablations').at(-1)).toBe('ablations 1000/7290, 0 failed, ETA 13s');
    expect(lines(40, 'inference-tiny').at(-1)).toBe('1000/7290, 0 failed, ETA 13s');
    expect(lines(20).at(-1)).toBe('1000/7290 ETA 13s'); // 19 columns, one left for the cursor
    expect(lines(12).at(-1)).toBe('1000/7290 E'); // cut, at last
    for (const columns of [100, 60, 45, 40, 20, 12]) for (const line of [...lines(columns), ...lines(columns, 'inference-tiny')]) expect(line.length).toBeLessThan(columns);
    expect(fitLine(['figures [####] 4/16, ETA 6s', 'figures 4/16, ETA 6s'], 24)).toBe('figures 4/16, ETA 6s');
  });

  it('reports stages: a line per stage start, end and every few seconds off a terminal', () => {
    let now = 0;
    const { writes, out } = stream(false);
    const stage = createStageProgress(out, { clock: () => now, lineEveryMs: 5000 });
    stage('load trials', 0, 100);
    now = 1000;
    stage('load trials', 50, 100);
    now = 6000;
    stage('load trials', 60, 100);
    stage('load trials', 100, 100);
    stage('load trials', 100, 100);
    stage('figures', 1, 2);
    stage('figures', 2, 2);
    // The time left at the stage's pace so far: 60 in 6 s, so 40 more in 4 s.
    expect(writes).toEqual(['load trials: 0/100\n', 'load trials: 60/100, ETA 4s\n', 'load trials: 100/100\n', 'figures: 1/2\n', 'figures: 2/2\n']);
  });

  it('on a terminal, draws each stage as a bar with the time left, then the time it took; colour unless NO_COLOR', () => {
    let now = 0;
    const { writes, out } = stream(true);
    const stage = createStageProgress(out, { clock: () => now, redrawMs: 100 });
    stage('figures', 0, 16);
    now = 2000;
    stage('figures', 4, 16);
    now = 2050;
    stage('figures', 5, 16); // within the redraw interval: not drawn
    now = 8000;
    stage('figures', 16, 16);
    stage('page', 0, 1);
    stage('page', 1, 1);
    const plain = writes.map((w) => w.replace(/\x1b\[(32|0)m/g, ''));
    expect(plain).toEqual([
      '\rfigures [--------------------] 0/16\x1b[K',
      '\rfigures [#####---------------] 4/16, ETA 6s\x1b[K',
      '\rfigures [####################] 16/16, 8s\x1b[K\n',
      '\rpage [--------------------] 0/1\x1b[K',
      '\rpage [####################] 1/1, 0s\x1b[K\n',
    ]);
    expect(writes[1]).toContain('\x1b[32m#####---------------\x1b[0m');
    const noColor = stream(true);
    const quiet = createStageProgress(noColor.out, { clock: () => now, noColor: true });
    quiet('figures', 3, 16);
    expect(noColor.writes.join('')).not.toMatch(/\x1b\[\d+m/);
  });

  it('ends a line a stage left unfinished once the work is over, and only such a line', () => {
    let now = 0;
    const stopped = stream(true);
    const stage = createStageProgress(stopped.out, { clock: () => now, noColor: true });
    stage('figures', 3, 16);
    stage.end();
    stage.end();
    expect(stopped.writes).toEqual(['\rfigures [####----------------] 3/16', '\n']);
    // Finished, or off a terminal: the line is ended already.
    const finished = stream(true);
    const done = createStageProgress(finished.out, { clock: () => now, noColor: true });
    done('page', 0, 1);
    done('page', 1, 1);
    done.end();
    expect(finished.writes.at(-1)).toMatch(/\n$/);
    expect(finished.writes.filter((w) => w === '\n')).toEqual([]);
    const plain = stream(false);
    const lines = createStageProgress(plain.out, { clock: () => now });
    lines('figures', 3, 16);
    lines.end();
    expect(plain.writes).toEqual(['figures: 3/16\n']);
  });

  it("on a terminal, writes output not its own above the live line, a line once it is whole, and stops taking it when done", () => {
    for (const noColor of [false, true]) {
      let now = 0;
      let writer: ((text: string) => void) | null = null;
      const stray = { route: (w: ((text: string) => void) | null) => (writer = w) };
      const terminal = stream(true);
      const p = createProgress(terminal.out, { label: 'paper', clock: () => now, noColor, stray });
      p.start(4, 0);
      writer!('group 1 says hello\nand half');
      now = 1000;
      p.update(1, 0);
      writer!(' a line\n');
      now = 2000;
      p.update(2, 0);
      writer!('unended');
      p.finish();
      // A line that never ends is held back no longer than a few thousand characters.
      const dots = stream(true);
      const q = createProgress(dots.out, { label: 'paper', clock: () => now, noColor, stray });
      q.start(4, 0);
      for (let i = 0; i < 5000; i++) writer!('.');
      const shown = terminalScreen(dots.writes.join(''));
      expect(shown[0]).toMatch(/^\.{4096}$/);
      expect(shown[1]).toMatch(/^paper \[/);
      q.finish();
      expect(terminalScreen(dots.writes.join('')).slice(2)).toEqual(['.'.repeat(5000 - 4096), '']);
      expect(writer).toBeNull();
      const screen = terminalScreen(terminal.writes.join(''));
      expect(screen.slice(0, 2)).toEqual(['group 1 says hello', 'and half a line']);
      expect(screen[2]).toMatch(/^paper \[#+-+\] 2\/4 done, 0 failed/);
      expect(screen.slice(3)).toEqual(['unended', '']);
      expect(terminal.writes.join('').includes('\x1b'), `noColor ${noColor}`).toBe(!noColor);
    }
    // Off a terminal the lines are whole already: it takes nothing.
    const routes: unknown[] = [];
    const plain = createProgress(stream(false).out, { label: 'paper', clock: () => 0, stray: { route: (w) => routes.push(w) } });
    plain.start(4, 0);
    plain.finish();
    expect(routes).toEqual([]);
  });

  it("on a terminal, writes output not its own above an unfinished stage's line, and straight on between stages", () => {
    let now = 0;
    let writer: ((text: string) => void) | null = null;
    const terminal = stream(true);
    const stage = createStageProgress(terminal.out, { clock: () => now, noColor: true, stray: { route: (w) => (writer = w) } });
    stage('figures', 3, 16);
    writer!('drawing slowly\n');
    stage('figures', 16, 16);
    writer!('between stages\n');
    writer!('and unended, ');
    stage('page', 0, 1);
    writer!('then ended\nand unended at the end');
    stage.end();
    expect(writer).toBeNull();
    expect(terminalScreen(terminal.writes.join(''))).toEqual([
      'drawing slowly',
      'figures [####################] 16/16, 0s',
      'between stages',
      'and unended, then ended',
      'page [--------------------] 0/1',
      'and unended at the end',
      '',
    ]);
  });
});
