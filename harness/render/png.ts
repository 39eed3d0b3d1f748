/** SVG -> PNG with resvg: no browser, and the text drawn in the figures' own font files. */
import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY, fontFiles } from './fonts.js';

export interface PngOptions {
  /** Pixels per SVG unit; 4 gives about 300 dpi for a figure laid out with 1 unit = 1 pt. */
  scale?: number;
  background?: string;
}

export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const scale = options.scale ?? 4;
  if (!(scale > 0)) throw new RangeError(`svgToPng: scale must be positive, got ${scale}`);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: options.background ?? 'white',
    // Only the bundled faces: a machine's other fonts can then never change the pixels.
    font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return new Uint8Array(resvg.render().asPng());
}
