/**
 * SVG -> vector PDF (pdfkit + svg-to-pdfkit) with the DejaVu faces embedded as subsets. One SVG
 * unit becomes one point, so a figure laid out 250 units wide prints 250 pt (3.5 in) wide.
 */
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { fontFile, type FontFace } from './fonts.js';

export interface PdfOptions {
  title?: string;
  /**
   * Written as the document's creation date. pdfkit would stamp the current time (and derive
   * the file ID from it), so pass a date that belongs to the data to keep output reproducible.
   */
  creationDate: Date;
}

export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  if (!(width > 0 && height > 0)) {
    throw new Error(`svgToPdf: the root <svg> element needs numeric width and height attributes, got "${root.slice(0, 200)}"`);
  }
  return { width, height };
}

export function svgToPdf(svg: string, options: PdfOptions): Promise<Uint8Array> {
  const { width, height } = svgSize(svg);
  const doc = new PDFDocument({
    size: [width, height],
    margin: 0,
    compress: true,
    info: { CreationDate: options.creationDate, ModDate: options.creationDate, ...(options.title ? { Title: options.title } : {}) },
  });
  const faces: FontFace[] = ['regular', 'bold', 'italic', 'boldItalic'];
  for (const face of faces) doc.registerFont(face, fontFile(face));
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });
  const warnings: string[] = [];
  SVGtoPDF(doc, svg, 0, 0, {
    width,
    height,
    assumePt: true,
    fontCallback: (_family, bold, italic) => (bold ? (italic ? 'boldItalic' : 'bold') : italic ? 'italic' : 'regular'),
    warningCallback: (message) => warnings.push(message),
  });
  doc.end();
  return done;
}
