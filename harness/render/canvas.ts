/**
 * PNG and vector PDF of a figure, drawn into Skia (@napi-rs/canvas): a raster canvas for the
 * PNG, a PDF page for the PDF. A figure comes as a function that draws it onto a context in
 * figure units (Vega's canvas renderer, or a replay of its recorded calls, see recording.ts);
 * the raster canvas is scaled first. The PDF keeps text as text, in the DejaVu faces embedded
 * as subsets, and carries no date or random ID, so the same figure always gives the same bytes.
 */
import { createCanvas, GlobalFonts, PDFDocument, type Canvas, type CanvasRenderingContext2D } from '@napi-rs/canvas';
import { FACES, FONT_FAMILY, fontFile, type FontFace } from './fonts.js';
import { encodePng, POINTS_PER_INCH } from './png.js';
import { replay, type Recording } from './recording.js';

export interface Size {
  width: number;
  height: number;
}

export interface DrawOptions {
  /** PNG pixels per SVG unit (1 unit = 1 pt, so 3 gives 216 dpi). */
  pngScale: number;
  /** Written as the PDF's title. */
  title?: string;
}

export interface Paintings {
  png: Uint8Array;
  pdf: Uint8Array;
}

/** Draws a figure onto `context`, one unit per point. */
export type Paint = (context: CanvasRenderingContext2D) => unknown;

/** The PNG and PDF of a recorded drawing. */
export function paintRecording(recording: Recording, size: Size, options: DrawOptions): Promise<Paintings> {
  return paintFigure((context) => replay(recording, context), size, options);
}

export async function paintFigure(paint: Paint, size: Size, options: DrawOptions): Promise<Paintings> {
  // The PNG is compressed on a libuv thread while the PDF is drawn here.
  const [png, pdf] = await Promise.all([drawPng(paint, size, options.pngScale), drawPdf(paint, size, options.title)]);
  return { png, pdf };
}

async function drawPng(paint: Paint, size: Size, scale: number): Promise<Uint8Array> {
  if (!(scale > 0)) throw new RangeError(`drawPng: scale must be positive, got ${scale}`);
  // Rounded up, but not for a product that floating point puts a hair above a whole number (444 pt at 300 dpi: 1850.0000000000002 px).
  const width = Math.ceil(size.width * scale - 1e-9);
  const height = Math.ceil(size.height * scale - 1e-9);
  const canvas = rasterCanvas(width, height);
  let rgba: Uint8Array;
  try {
    // Opaque: a figure for a paper has no transparent parts, and reading an opaque canvas's
    // pixels needs no conversion from premultiplied RGBA (the same bytes, a fraction of the time).
    const context = canvas.getContext('2d', { alpha: false });
    context.save();
    try {
      // White first: an opaque canvas starts black.
      context.fillStyle = 'white';
      context.fillRect(0, 0, width, height);
      context.scale(scale, scale);
      await draw(paint, context);
    } finally {
      context.restore();
    }
    const { data } = context.getImageData(0, 0, width, height);
    rgba = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } finally {
    if (canvas === spareCanvas) spareCanvasInUse = false;
  }
  return encodePng({ width, height, rgba, dpi: POINTS_PER_INCH * scale });
}

/**
 * A figure's raster canvas: one kept per thread, grown to the largest figure, drawn in its top
 * left corner (each figure's pixels the same bytes as on a canvas of its own size), unless
 * another figure holds it. A canvas of its own per figure faulted in fresh pixel memory each
 * time: about a tenth of the painting's time on the paper report.
 */
let spareCanvas: Canvas | undefined;
let spareCanvasInUse = false;

function rasterCanvas(width: number, height: number): Canvas {
  if (spareCanvasInUse) return createCanvas(width, height);
  if (spareCanvas === undefined || spareCanvas.width < width || spareCanvas.height < height) {
    spareCanvas = createCanvas(Math.max(width, spareCanvas?.width ?? 0), Math.max(height, spareCanvas?.height ?? 0));
  }
  spareCanvasInUse = true;
  return spareCanvas;
}

async function drawPdf(paint: Paint, size: Size, title?: string): Promise<Uint8Array> {
  const document = new PDFDocument(title ? { title } : {});
  await draw(paint, document.beginPage(size.width, size.height));
  document.endPage();
  return new Uint8Array(document.close());
}

function draw(paint: Paint, context: CanvasRenderingContext2D): unknown {
  registerCanvasFonts();
  // The language picks shaping and fallback rules; fixed, so the host's locale never changes pixels.
  context.lang = 'en';
  withoutLigatures(context);
  fillTextWithoutDash(context);
  return paint(context);
}

/**
 * A canvas's line dash shapes strokes only, but Skia applies it to filled text too, and its PDF
 * backend then writes those glyphs as outlines in a Type 3 font, which publishers' PDF checks
 * (IEEE PDF eXpress, ACM) refuse. Vega leaves the dash of a dashed rule set while it draws the
 * next labels, so on this context filled text is drawn with no dash, as the canvas standard says.
 */
function fillTextWithoutDash(context: CanvasRenderingContext2D): void {
  if (undashedText.has(context)) return; // a reused canvas's context: wrapped once
  undashedText.add(context);
  const fillText = context.fillText.bind(context);
  context.fillText = (...args: Parameters<CanvasRenderingContext2D['fillText']>) => {
    const dash = context.getLineDash();
    if (dash.length === 0) return fillText(...args);
    context.setLineDash([]);
    fillText(...args);
    context.setLineDash(dash);
  };
}

const undashedText = new WeakSet<CanvasRenderingContext2D>();

let registered = false;

/** Makes the faces available to the canvas renderer under FONT_FAMILY (once per thread). */
export function registerCanvasFonts(): void {
  if (registered) return;
  for (const face of FACES) {
    const file = fontFile(face);
    if (!GlobalFonts.registerFromPath(file, FONT_FAMILY)) throw new Error(`font file ${file} could not be loaded by the canvas renderer`);
  }
  registered = true;
}

/**
 * A PDF's text is searched and copied as its glyphs map back to characters, and the "fi"
 * ligature reads back as U+FB01: "fixed-k" could not be found. Letters stay letters, in the PNG
 * and in measuring too. (@napi-rs/canvas declares the property on its raster context only; its
 * PDF page's context has it as well.)
 */
function withoutLigatures(context: CanvasRenderingContext2D): void {
  (context as CanvasRenderingContext2D & { fontVariantLigatures: string }).fontVariantLigatures = 'none';
}

let measuring: CanvasRenderingContext2D | undefined;

const CSS_FACE: Record<FontFace, string> = { regular: '', bold: 'bold ', italic: 'italic ', boldItalic: 'italic bold ' };

/**
 * Width of one line of text in a face and size, as Skia lays it out (kerning included): the
 * engine that draws the PNG and the PDF, so measured and drawn text agree.
 */
export function textWidth(face: FontFace, size: number, text: string): number {
  registerCanvasFonts();
  if (measuring === undefined) {
    measuring = createCanvas(1, 1).getContext('2d');
    withoutLigatures(measuring);
  }
  measuring.font = `${CSS_FACE[face]}${size}px "${FONT_FAMILY}"`;
  return measuring.measureText(text).width;
}
