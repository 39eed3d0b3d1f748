/**
 * The figures' font coverage (read from DejaVu Sans with fontkit, then from its cache) and the
 * search of a figure's SVG for drawn text outside it.
 */
import { describe, expect, it } from 'vitest';
import { fontCoverage, mayLeaveFont, svgTextOutsideFont } from '../../harness/render/font-coverage.js';

describe('the font coverage', () => {
  it('has, face by face, the letters DejaVu Sans has, and not those it lacks', () => {
    const draws = fontCoverage();
    for (const face of ['regular', 'bold', 'italic', 'boldItalic'] as const) {
      for (const char of ['A', 'z', '~', '·', 'α', 'σ', '≤', '×', 'é']) expect(draws(face, char.codePointAt(0)!), `${face} ${char}`).toBe(true);
      for (const char of ['通', '한', 'ह', '𝛼']) expect(draws(face, char.codePointAt(0)!), `${face} ${char}`).toBe(false);
    }
    // Arabic: in the upright faces only.
    expect([draws('regular', 0x0646), draws('bold', 0x0646), draws('italic', 0x0646), draws('boldItalic', 0x0646)]).toEqual([true, true, false, false]);
  });
});

describe('drawn text outside the font', () => {
  /** A font whose faces lack CJK, whose regular face lacks é and whose bold face has 通. */
  const lacks = (face: string, code: number) => (code < 0x3000 && !(face === 'regular' && code === 0x00e9)) || (face === 'bold' && code === 0x901a);
  const svg = (...texts: string[]) => `<svg><g aria-label="通 in a label, not drawn">${texts.map((t) => `<text x="1" font-family="DejaVu Sans">${t}</text>`).join('')}</g></svg>`;

  it('is looked for only where the SVG has characters beyond printable ASCII', () => {
    expect(mayLeaveFont('<svg><text>plain &amp; "ASCII"\n</text></svg>')).toBe(false);
    expect(mayLeaveFont(svg('k · 2'))).toBe(true);
  });

  it('is the first text element with characters the font lacks, each named once, entities and tspans read', () => {
    expect(svgTextOutsideFont(svg('k · 2', 'a &lt; <tspan>通通b</tspan>é'), lacks)).toEqual({
      text: 'a < 通通bé',
      characters: [
        { char: '通', code: 'U+901A', instead: null },
        { char: 'é', code: 'U+00E9', instead: null },
      ],
    });
    // Attributes (aria labels) are not drawn text, nor is text Vega hides (opacity 0).
    expect(svgTextOutsideFont(svg('k · 2'), lacks)).toBeNull();
    expect(svgTextOutsideFont('<svg><text opacity="0">通</text></svg>', lacks)).toBeNull();
    // Each text in its own face; the lines of a text are joined with a space.
    expect(svgTextOutsideFont('<svg><text font-weight="bold">通 é</text></svg>', lacks)).toBeNull();
    expect(svgTextOutsideFont('<svg><text font-style="italic"><tspan>通</tspan><tspan dy="1">line</tspan></text></svg>', lacks)).toEqual({
      text: '通 line',
      characters: [{ char: '通', code: 'U+901A', instead: null }],
    });
    // A mathematical letter with the same letter in the font: that one is offered.
    expect(svgTextOutsideFont(svg('𝛼'), (_face, code) => code < 0x10000)?.characters).toEqual([{ char: '𝛼', code: 'U+1D6FC', instead: 'α' }]);
  });
});
