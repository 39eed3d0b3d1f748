/**
 * PNG encoding of an RGBA pixel buffer: no row filters, zlib at a moderate level.
 *
 * Written here rather than taken from the canvas library or pngjs because the paper's report
 * draws 38 million pixels and encoding dominated its time: on its largest figure (1575 x 2562
 * pixels) Skia's encoder takes 108 ms and pngjs 76-160 ms, this one about 25 ms, and its files
 * are no larger. The format's work (compression, checksums) is zlib's; compression runs on a
 * libuv thread, so the caller can draw meanwhile.
 */
import { promisify } from 'node:util';
import { crc32, deflate } from 'node:zlib';

const deflateAsync = promisify(deflate);

/** Level 3 is within 25% of level 6's size at under half its time on figure images. */
const ZLIB_LEVEL = 3;
const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const METRES_PER_INCH = 0.0254;

/** PNG resolution unless asked otherwise: 3 pixels per point, sharp on screens and in print previews. */
export const DEFAULT_PNG_DPI = 216;
/** The resolutions `--dpi` takes: from a screen's to what journals ask of line art and raster figures. */
export const PNG_DPI_RANGE = { min: 72, max: 600 } as const;

/** Points per inch: one unit of a figure is one point. */
export const POINTS_PER_INCH = 72;

/** PNG pixels per point at `dpi`. */
export function pngScaleAt(dpi: number): number {
  return dpi / POINTS_PER_INCH;
}

export interface PngImage {
  width: number;
  height: number;
  /** width x height x 4 bytes, RGBA, row by row. */
  rgba: Uint8Array;
  /** Written as the image's physical resolution (pHYs), so a document places it at its intended size. */
  dpi: number;
}

export async function encodePng(image: PngImage): Promise<Uint8Array> {
  const { width, height, rgba } = image;
  const row = width * 4;
  if (rgba.length !== row * height) throw new RangeError(`encodePng: expected ${row * height} bytes of RGBA for ${width} x ${height}, got ${rgba.length}`);
  // Each scanline is its row's filter type (0: none) and the row's bytes as they are.
  const scanlines = scanlineBuffer((row + 1) * height);
  for (let y = 0; y < height; y++) {
    scanlines[y * (row + 1)] = 0;
    scanlines.set(rgba.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, adaptive filtering (method 0), not interlaced
  const density = Buffer.alloc(9);
  const perMetre = Math.round(image.dpi / METRES_PER_INCH);
  density.writeUInt32BE(perMetre, 0);
  density.writeUInt32BE(perMetre, 4);
  density[8] = 1; // unit: metre
  let data: Buffer;
  try {
    data = await deflateAsync(scanlines, { level: ZLIB_LEVEL, chunkSize: OUTPUT_CHUNK });
  } finally {
    if (scanlines.buffer === spare?.buffer) spareInUse = false;
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('pHYs', density), chunk('IDAT', data), chunk('IEND', Buffer.alloc(0))]);
}

/** Figures compress to a few percent of their pixels: one or two output chunks of this size. */
const OUTPUT_CHUNK = 1024 * 1024;

/**
 * One scanline buffer kept per thread and reused while no other encoding holds it: tens of MB
 * allocated afresh for every figure cost more in page faults and garbage collection than the
 * copy into them.
 */
let spare: Buffer | undefined;
let spareInUse = false;

function scanlineBuffer(size: number): Buffer {
  if (spareInUse) return Buffer.allocUnsafe(size);
  if (spare === undefined || spare.length < size) spare = Buffer.allocUnsafe(size);
  spareInUse = true;
  return spare.subarray(0, size);
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}
