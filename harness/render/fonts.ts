/**
 * The one font family every rendered figure uses: DejaVu Sans, from the same files for layout
 * (text widths, see vega.ts) and for drawing (PNG and PDF, see canvas.ts), so they agree. Light
 * on purpose (no renderer imported): the main thread reads it for the figures' theme and the
 * figure cache's key.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../errors.js';
import { join } from 'node:path';

export const FONT_FAMILY = 'DejaVu Sans';
export const FONT_DIR = process.env.HARNESS_FONT_DIR ?? '/usr/share/fonts/truetype/dejavu';

export type FontFace = 'regular' | 'bold' | 'italic' | 'boldItalic';

export const FACES: readonly FontFace[] = ['regular', 'bold', 'italic', 'boldItalic'];

const FILES: Record<FontFace, string> = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  italic: 'DejaVuSans-Oblique.ttf',
  boldItalic: 'DejaVuSans-BoldOblique.ttf',
};

/** Absolute path of a face; throws a message that says how to get the fonts (a setup problem, not a bug). */
export function fontFile(face: FontFace): string {
  const path = join(FONT_DIR, FILES[face]);
  if (!existsSync(path)) {
    throw new InputError(
      `font file ${path} (${FONT_FAMILY} ${face}) not found: install Debian's fonts-dejavu-core ` +
        '(apt-get install fonts-dejavu-core) or set HARNESS_FONT_DIR to a folder holding the DejaVu TTF files',
    );
  }
  return path;
}

export function faceOf(weight: unknown, style: unknown): FontFace {
  const bold = weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600) || (typeof weight === 'string' && Number(weight) >= 600);
  const italic = style === 'italic' || style === 'oblique';
  return bold ? (italic ? 'boldItalic' : 'bold') : italic ? 'italic' : 'regular';
}
