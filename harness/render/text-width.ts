/**
 * Widths of text in DejaVu Sans (the figures' font, see fonts.ts) without a font engine, so that
 * pure code can lay text out before a figure is drawn: the advance widths of the regular face as
 * its font file gives them (2048 units to the em), summed, plus the few kerning pairs that widen
 * a pair. The pairs that narrow one are left out, so a width here is never less than the drawn
 * width and exceeds it by a few per cent at most. A character outside printable ASCII counts as
 * the widest one, for the same reason.
 */

const UNITS_PER_EM = 2048;
const FIRST = 32;

/** Advances of the characters 32 (space) to 126 (~), in font units. */
const ADVANCES: readonly number[] = [
  651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303,
  1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532,
  1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260,
  721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,
  1303, 1716,
];

/** The kerning pairs of the regular face that widen a pair, in font units. */
const WIDENING_PAIRS: ReadonlyMap<string, number> = new Map([
  ['-G', 75], ['-J', 114], ['-O', 57], ['-Q', 75], ['-o', 38], ['AA', 57], ['LA', 47], ['O-', 57], ['Q-', 57], ['SA', 38], ['o-', 38],
]);

const WIDEST = Math.max(...ADVANCES);

/** Width in points of one line of text in the regular face at `size` points; see above. */
export function textWidthUpperBound(text: string, size: number): number {
  let units = 0;
  for (let i = 0; i < text.length; i++) {
    units += ADVANCES[text.charCodeAt(i) - FIRST] ?? WIDEST;
    if (i > 0) units += WIDENING_PAIRS.get(text.slice(i - 1, i + 1)) ?? 0;
  }
  return (units * size) / UNITS_PER_EM;
}

/**
 * A paragraph broken into lines no wider than `maxWidth` points, at spaces, filling each line as
 * far as it goes; a word wider than `maxWidth` gets a line of its own.
 */
export function wrapText(paragraph: string, maxWidth: number, size: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(' ').filter((w) => w !== '')) {
    const longer = line === '' ? word : `${line} ${word}`;
    if (line !== '' && textWidthUpperBound(longer, size) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = longer;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
