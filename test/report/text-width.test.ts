import { describe, expect, it } from 'vitest';
import { textWidth } from '../../harness/render/canvas.js';
import { textWidthUpperBound, wrapText } from '../../harness/render/text-width.js';

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

describe('text widths without a font engine', () => {
  it.each(['regular', 'bold'] as const)('are never less than the width Skia draws, for every pair of printable characters (%s)', (face) => {
    const under: string[] = [];
    for (const a of PRINTABLE) for (const b of PRINTABLE) if (textWidthUpperBound(a + b, 100, face) < textWidth(face, 100, a + b) - 1e-9) under.push(a + b);
    expect(under).toEqual([]);
  });

  it('exceed it by a few per cent at most on prose', () => {
    const lines = [
      "Per seed on the same simulated curves, then mean over seeds; line: 95% bootstrap interval. No dot: the knee or",
      "(C_max, T_max, acc_min); green cross: utopia (0, 0, 1), on the left edge of log cost axes; rings: each selector's most frequent k*.",
      'AVATAR -Jo- LAST "WAVE" Type 3, 10.5 pt: 0.001% (k = 128)',
    ];
    for (const face of ['regular', 'bold'] as const) {
      for (const line of lines) {
        const drawn = textWidth(face, 7.5, line);
        expect(textWidthUpperBound(line, 7.5, face)).toBeGreaterThanOrEqual(drawn);
        expect(textWidthUpperBound(line, 7.5, face)).toBeLessThan(drawn * 1.03);
      }
    }
  });

  it('counts a character outside printable ASCII as the widest one', () => {
    for (const face of ['regular', 'bold'] as const) {
      expect(textWidthUpperBound('\u2264', 10, face)).toBe(Math.max(...PRINTABLE.map((c) => textWidthUpperBound(c, 10, face))));
    }
  });

  it('wrap a paragraph at spaces into the fewest lines that fit, filled in order', () => {
    const paragraph = 'Each point is one k (mean over seeds). Dark: Pareto in most seeds; grey: feasible; light: not feasible.';
    const lines = wrapText(paragraph, 150, 7.5);
    expect(lines.join(' ')).toBe(paragraph);
    expect(lines.length).toBeGreaterThan(1);
    for (const [i, line] of lines.entries()) {
      expect(textWidthUpperBound(line, 7.5)).toBeLessThanOrEqual(150);
      // Greedy: the next line's first word would not have fitted on this one.
      const next = lines[i + 1]?.split(' ')[0];
      if (next !== undefined) expect(textWidthUpperBound(`${line} ${next}`, 7.5)).toBeGreaterThan(150);
    }
    expect(wrapText('  two   spaces ', 1000, 7.5)).toEqual(['two spaces']);
    expect(wrapText('', 100, 7.5)).toEqual([]);
    // A word too long for the width gets a line of its own rather than being cut.
    expect(wrapText('a supercalifragilistic b', 20, 7.5)).toEqual(['a', 'supercalifragilistic', 'b']);
  });
});
