/**
 * Widths of text in DejaVu Sans (the figures' font, see fonts.ts) without a font engine, so that
 * pure code can lay text out before a figure is drawn: the advance widths of the regular and bold
 * faces as their font files give them (2048 units to the em), summed, plus the few kerning pairs
 * that widen a pair. The pairs that narrow one are left out, so a width here is never less than
 * the drawn width and exceeds it by a few per cent at most. A character outside printable ASCII
 * counts as the widest one, for the same reason.
 */

const UNITS_PER_EM = 2048;
const FIRST = 32;

/** The faces measured here: the regular one of subtitles and labels, the bold one of titles and headers. */
export type MeasuredFace = 'regular' | 'bold';

interface FaceMetrics {
  /** Advances of the characters 32 (space) to 126 (~), in font units. */
  advances: readonly number[];
  /** The kerning pairs that widen a pair, in font units. */
  wideningPairs: ReadonlyMap<string, number>;
  widest: number;
}

function metrics(advances: readonly number[], pairs: readonly [string, number][]): FaceMetrics {
  return { advances, wideningPairs: new Map(pairs), widest: Math.max(...advances) };
}

const FACE_METRICS: Record<MeasuredFace, FaceMetrics> = {
  regular: metrics(
    [
      651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303,
      1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532,
      1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260,
      721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,
      1303, 1716,
    ],
    [['-G', 75], ['-J', 114], ['-O', 57], ['-Q', 75], ['-o', 38], ['AA', 57], ['LA', 47], ['O-', 57], ['Q-', 57], ['SA', 38], ['o-', 38]],
  ),
  bold: metrics(
    [
      713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425,
      1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048, 1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714,
      1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024, 1382, 1466, 1214, 1466, 1389,
      891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466, 1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748,
      1458, 1716,
    ],
    [['A,', 38], ['A.', 38], ['A:', 38], ['A;', 38], ['C-', 47], ['CS', 38], ['D-', 38], ['O-', 38], ['Py', 38], ['Q-', 38], ['R,', 38], ['R.', 38], ['TT', 47]],
  ),
};

/** Width in points of one line of text in `face` at `size` points; see above. */
export function textWidthUpperBound(text: string, size: number, face: MeasuredFace = 'regular'): number {
  const { advances, wideningPairs, widest } = FACE_METRICS[face];
  let units = 0;
  for (let i = 0; i < text.length; i++) {
    units += advances[text.charCodeAt(i) - FIRST] ?? widest;
    if (i > 0) units += wideningPairs.get(text.slice(i - 1, i + 1)) ?? 0;
  }
  return (units * size) / UNITS_PER_EM;
}

/**
 * A paragraph broken into lines no wider than `maxWidth` points in `face`, at spaces, filling each
 * line as far as it goes; a word wider than `maxWidth` gets a line of its own.
 */
export function wrapText(paragraph: string, maxWidth: number, size: number, face: MeasuredFace = 'regular'): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(' ').filter((w) => w !== '')) {
    const longer = line === '' ? word : `${line} ${word}`;
    if (line !== '' && textWidthUpperBound(longer, size, face) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = longer;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
