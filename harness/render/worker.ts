/** Runs PNG and PDF conversions off the main thread (see pool.ts). */
import { svgToPdf, type PdfOptions } from './pdf.js';
import { svgToPng, type PngOptions } from './png.js';

export type RenderTask = { kind: 'png'; svg: string; options: PngOptions } | { kind: 'pdf'; svg: string; options: PdfOptions };

export default async function render(task: RenderTask): Promise<Uint8Array> {
  return task.kind === 'png' ? svgToPng(task.svg, task.options) : svgToPdf(task.svg, task.options);
}
