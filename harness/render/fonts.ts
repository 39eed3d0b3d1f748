/**
 * The one font family every rendered figure uses: DejaVu Sans, from the same files for layout
 * (text widths, see vega.ts) and for drawing (PNG and PDF, see canvas.ts), so they agree.
 */
import { GlobalFonts } from '@napi-rs/canvas';
import { create, type Font } from 'fontkit';
import { existsSync, readFileSync } from 'node:fs';
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

/** Absolute path of a face; throws a message that says how to get the fonts. */
export function fontFile(face: FontFace): string {
  const path = join(FONT_DIR, FILES[face]);
  if (!existsSync(path)) {
    throw new Error(
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

const parsed = new Map<FontFace, Font>();

/** A face parsed once per thread (fontkit decodes tables lazily and caches glyphs). */
export function fontkitFont(face: FontFace): Font {
  let font = parsed.get(face);
  if (font === undefined) {
    const created = create(readFileSync(fontFile(face)));
    if (!('layout' in created)) throw new Error(`font file ${fontFile(face)} is a collection; expected one ${FONT_FAMILY} face`);
    font = created;
    parsed.set(face, font);
  }
  return font;
}

let registered = false;

/** Makes the faces available to the canvas renderer under FONT_FAMILY (once per process). */
export function registerCanvasFonts(): void {
  if (registered) return;
  for (const face of FACES) {
    const file = fontFile(face);
    if (!GlobalFonts.registerFromPath(file, FONT_FAMILY)) throw new Error(`font file ${file} could not be loaded by the canvas renderer`);
  }
  registered = true;
}
