/**
 * Which characters the figures' font draws (in every face), and the drawn text of a figure that
 * has others: such a character shows as a box in the PNG and the PDF, or where the machine has a
 * font with it, as that font's letter (in the PDF a Type 3 or other extra font, which IEEE PDF
 * eXpress and ACM may refuse). Reading the font's tables takes fontkit a tenth of a second to
 * load, so what it reads is kept under node_modules/.cache/harness/fonts, by the faces' files
 * (path, size and time): a report pays it once per machine, not every time.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Font } from 'fontkit';
import { writeFileAtomically } from '../files.js';
import { sha256 } from '../identity.js';
import { projectRoot } from '../paths.js';
import { FACES, fontFile } from './fonts.js';

/** Whether the font draws a code point. */
export type Draws = (code: number) => boolean;

const CACHE_DIR = join(projectRoot, 'node_modules', '.cache', 'harness', 'fonts');

let coverage: Promise<Draws> | undefined;

/** The characters every face of the figures' font draws (read once per process). */
export function fontCoverage(): Promise<Draws> {
  coverage ??= readCoverage().then((ranges) => (code) => inRanges(ranges, code));
  return coverage;
}

/** Sorted, disjoint [first, last] code point ranges, flattened. */
async function readCoverage(): Promise<number[]> {
  const files = FACES.map(fontFile);
  const key = sha256(files.map((file) => `${file} ${statSync(file).size} ${statSync(file).mtimeMs}`).join('\n')).slice(0, 16);
  const cached = join(CACHE_DIR, `coverage-${key}.json`);
  try {
    return JSON.parse(readFileSync(cached, 'utf8')) as number[];
  } catch {
    // Not read yet on this machine (or unreadable): read from the fonts.
  }
  const { openSync } = await import('fontkit');
  const sets = files.map((file) => new Set((openSync(file) as Font).characterSet));
  const codes = [...sets[0]!].filter((code) => sets.every((set) => set.has(code))).sort((a, b) => a - b);
  const ranges: number[] = [];
  for (const code of codes) {
    if (ranges.length > 0 && ranges[ranges.length - 1] === code - 1) ranges[ranges.length - 1] = code;
    else ranges.push(code, code);
  }
  try {
    writeFileAtomically(cached, JSON.stringify(ranges));
  } catch {
    // A read-only project: read from the fonts again next time.
  }
  return ranges;
}

function inRanges(ranges: readonly number[], code: number): boolean {
  let low = 0;
  let high = ranges.length / 2 - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (code < ranges[2 * middle]!) high = middle - 1;
    else if (code > ranges[2 * middle + 1]!) low = middle + 1;
    else return true;
  }
  return false;
}

/** A drawn text with characters the font lacks. */
export interface TextOutsideFont {
  text: string;
  /** Each character the font lacks, once, in order, with its code point (`U+901A`) and, where Unicode has one, the same letter in the font (𝛼: α). */
  characters: { char: string; code: string; instead: string | null }[];
}

/** Any character outside printable ASCII, which the font is checked for. */
const BEYOND_ASCII = /[^\x20-\x7e\s]/;
const TEXT_ELEMENT = /<text\b[^>]*>([\s\S]*?)<\/text>/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Whether a figure's SVG may draw text the font lacks: whether it has any character beyond
 * printable ASCII at all (most figures have none, and need no font tables).
 */
export function mayLeaveFont(svg: string): boolean {
  return BEYOND_ASCII.test(svg);
}

/** The first text element of `svg` with characters the font lacks (control and format characters aside); null if none. */
export function svgTextOutsideFont(svg: string, draws: Draws): TextOutsideFont | null {
  for (const [, content] of svg.matchAll(TEXT_ELEMENT)) {
    if (!BEYOND_ASCII.test(content!)) continue;
    const text = content!.replace(/<[^>]*>/g, '').replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, name: string) =>
      name.startsWith('#') ? String.fromCodePoint(Number(name.startsWith('#x') || name.startsWith('#X') ? `0x${name.slice(2)}` : name.slice(1))) : (ENTITIES[name] ?? entity),
    );
    const lacking = [...new Set(text)].filter((char) => !/[\p{Cc}\p{Cf}]/u.test(char) && !draws(char.codePointAt(0)!));
    if (lacking.length === 0) continue;
    return {
      text,
      characters: lacking.map((char) => {
        const plain = char.normalize('NFKC');
        return {
          char,
          code: `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
          instead: plain !== char && [...plain].every((c) => draws(c.codePointAt(0)!)) ? plain : null,
        };
      }),
    };
  }
  return null;
}
