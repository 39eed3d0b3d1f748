/**
 * Which characters each face of the figures' font draws, and the drawn text of a figure that has
 * others in its face: such a character shows as a box in the PNG and the PDF, or where the machine has a
 * font with it, as that font's letter (in the PDF a Type 3 or other extra font, which IEEE PDF
 * eXpress and ACM may refuse). Reading the font's tables takes fontkit a tenth of a second to
 * load, so what it reads is kept under node_modules/.cache/harness/fonts, by the faces' files
 * (path, size and time): a report pays it once per machine, not every time.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Font } from 'fontkit';
import { writeFileAtomically } from '../files.js';
import { sha256 } from '../identity.js';
import { projectRoot } from '../paths.js';
import { FACES, faceOf, fontFile, type FontFace } from './fonts.js';

/** Whether a face of the font draws a code point. */
export type Draws = (face: FontFace, code: number) => boolean;

const CACHE_DIR = join(projectRoot, 'node_modules', '.cache', 'harness', 'fonts');

/** The cached file's layout, in its name: a change to it is another file. */
const FORMAT = 'faces-1';

let coverage: Draws | undefined;

/**
 * The characters each face of the figures' font draws (read once per process). Throws the
 * InputError of fontFile when the font files are missing.
 */
export function fontCoverage(): Draws {
  if (coverage === undefined) {
    const ranges = readCoverage();
    coverage = (face, code) => inRanges(ranges[face], code);
  }
  return coverage;
}

/** Per face: sorted, disjoint [first, last] code point ranges, flattened. */
type Coverage = Record<FontFace, number[]>;

function readCoverage(): Coverage {
  const files = FACES.map(fontFile);
  const key = sha256([FORMAT, ...files.map((file) => `${file} ${statSync(file).size} ${statSync(file).mtimeMs}`)].join('\n')).slice(0, 16);
  const cached = join(CACHE_DIR, `coverage-${key}.json`);
  try {
    return JSON.parse(readFileSync(cached, 'utf8')) as Coverage;
  } catch {
    // Not read yet on this machine (or unreadable): read from the fonts.
  }
  // Loaded only here, as it takes a tenth of a second.
  const { openSync } = createRequire(import.meta.url)('fontkit') as typeof import('fontkit');
  const coverage = Object.fromEntries(FACES.map((face, i) => [face, rangesOf((openSync(files[i]!) as Font).characterSet)])) as Coverage;
  try {
    writeFileAtomically(cached, JSON.stringify(coverage));
  } catch {
    // A read-only project: read from the fonts again next time.
  }
  return coverage;
}

function rangesOf(codes: readonly number[]): number[] {
  const ranges: number[] = [];
  for (const code of [...codes].sort((a, b) => a - b)) {
    if (ranges.length > 0 && ranges[ranges.length - 1]! >= code - 1) ranges[ranges.length - 1] = Math.max(ranges[ranges.length - 1]!, code);
    else ranges.push(code, code);
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

/** A character a face lacks, with its code point (`U+901A`) and, where Unicode has one, the same letter in the face (𝛼: α). */
export interface LackingCharacter {
  char: string;
  code: string;
  instead: string | null;
}

/** The characters of `text` that `has` says the face lacks, each once, in order (control and format characters, which draw nothing, aside). */
export function lackingCharacters(text: string, has: (char: string) => boolean): LackingCharacter[] {
  return [...new Set(text)]
    .filter((char) => !/[\p{Cc}\p{Cf}]/u.test(char) && !has(char))
    .map((char) => {
      const plain = char.normalize('NFKC');
      return { char, code: `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, instead: plain !== char && [...plain].every(has) ? plain : null };
    });
}

/** A drawn text with characters its face of the font lacks. */
export interface TextOutsideFont {
  text: string;
  characters: LackingCharacter[];
}

/** Any character outside printable ASCII, which the font (DejaVu Sans has all of printable ASCII) is checked for. */
const BEYOND_ASCII = /[^\x20-\x7e\s]/;
const TEXT_ELEMENT = /<text\b([^>]*)>([\s\S]*?)<\/text>/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Whether a text (or a figure's whole SVG) may have characters the font lacks: whether it has any
 * beyond printable ASCII at all (most figures have none, and need no font tables).
 */
export function mayLeaveFont(text: string): boolean {
  return BEYOND_ASCII.test(text);
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

/**
 * The first text element of `svg` that is drawn (not transparent, as Vega leaves a label it
 * hides) with characters its face lacks; null if none. A text's lines (tspans) are joined with a
 * space.
 */
export function svgTextOutsideFont(svg: string, draws: Draws): TextOutsideFont | null {
  for (const [, tag, content] of svg.matchAll(TEXT_ELEMENT)) {
    if (!mayLeaveFont(content!) || Number(attribute(tag!, 'opacity') ?? 1) === 0) continue;
    const face = faceOf(attribute(tag!, 'font-weight'), attribute(tag!, 'font-style'));
    const text = content!
      .replace(/<\/tspan>\s*<tspan\b/g, ' <tspan')
      .replace(/<[^>]*>/g, '')
      .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, name: string) =>
        name.startsWith('#') ? String.fromCodePoint(Number(/^#x/i.test(name) ? `0x${name.slice(2)}` : name.slice(1))) : (ENTITIES[name] ?? entity),
      );
    const characters = lackingCharacters(text, (char) => draws(face, char.codePointAt(0)!));
    if (characters.length > 0) return { text, characters };
  }
  return null;
}
