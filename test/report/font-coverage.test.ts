/**
 * The figures' font coverage (read from DejaVu Sans with fontkit, then from its cache) and the
 * search of a figure's SVG for drawn text outside it.
 */
import { describe, expect, it } from 'vitest';
import { fontCoverage, mayLeaveFont, svgTextOutsideFont } from '../../harness/render/font-coverage.js';

describe('the font coverage', () => {
  it('has the letters DejaVu Sans has in every face, and not those it lacks', async () => {
    const draws = await fontCoverage();
    for (const char of ['A', 'z', '~', '·', 'α', 'σ', '≤', '×', 'é']) expect(draws(char.codePointAt(0)!), char).toBe(true);
    for (const char of ['通', '한', 'ह', '𝛼']) expect(draws(char.codePointAt(0)!), char).toBe(false);
  });
});

describe('drawn text outside the font', () => {
  const lacks = (code: number) => code < 0x3000 && code !== 0x00e9;
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
    // Attributes (aria labels) are not drawn text.
    expect(svgTextOutsideFont(svg('k · 2'), lacks)).toBeNull();
    // A mathematical letter with the same letter in the font: that one is offered.
    expect(svgTextOutsideFont(svg('𝛼'), (code) => code < 0x10000)?.characters).toEqual([{ char: '𝛼', code: 'U+1D6FC', instead: 'α' }]);
  });
});
