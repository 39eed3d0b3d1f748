import { describe, expect, it } from 'vitest';
import { buildHtmlPage } from '../../harness/render/html.js';
import { svgSize, svgToPdf } from '../../harness/render/pdf.js';
import { svgToPng } from '../../harness/render/png.js';
import { RenderPool } from '../../harness/render/pool.js';
import { tableToCsv, tableToHtml, tableToMarkdown, type Table } from '../../harness/render/table.js';
import { compactNumbers, compileVegaLite, renderSvg, type VegaLiteSpec } from '../../harness/render/vega.js';

const spec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: 'Best of k',
  width: 160,
  height: 90,
  config: { font: 'DejaVu Sans' },
  data: { values: [1, 2, 3, 4, 5, 6].map((i) => ({ k: 4 * i, accuracy: 1 - 0.5 / (i + 1), group: i % 2 ? 'odd' : 'even' })) },
  mark: { type: 'line', point: true, clip: true },
  encoding: {
    x: { field: 'k', type: 'quantitative', title: 'k (samples)' },
    y: { field: 'accuracy', type: 'quantitative', scale: { zero: false } },
    color: { field: 'group', type: 'nominal' },
    tooltip: [{ field: 'k' }, { field: 'accuracy', format: '.3f' }],
  },
} as unknown as VegaLiteSpec;

const ascii = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('rendering without a browser', () => {
  it('renders SVG with the figure font, the same bytes every time', async () => {
    const vega = compileVegaLite(spec);
    const a = await renderSvg(vega);
    const b = await renderSvg(compileVegaLite(spec));
    expect(a).toBe(b);
    expect(a).toMatch(/^<svg /);
    expect(a).toContain('font-family="DejaVu Sans"');
    expect(a).toContain('>k (samples)</text>');
    expect(a).toMatch(/id="clip1"/);
  });

  it('rounds coordinates, never text', () => {
    const svg = '<svg width="10.12345" height="5"><path d="M1.23456,2.5L-3.14159,0"/><text transform="translate(1.999,2)">0.975</text></svg>';
    expect(compactNumbers(svg)).toBe('<svg width="10.12" height="5"><path d="M1.23,2.5L-3.14,0"/><text transform="translate(2,2)">0.975</text></svg>');
  });

  it('rasterises to PNG at the requested scale', async () => {
    const svg = await renderSvg(compileVegaLite(spec));
    const { width, height } = svgSize(svg);
    const png = svgToPng(svg, { scale: 2 });
    expect(ascii(png.subarray(1, 4))).toBe('PNG');
    const view = Buffer.from(png);
    expect(view.readUInt32BE(16)).toBe(Math.ceil(width * 2));
    expect(view.readUInt32BE(20)).toBe(Math.ceil(height * 2));
    expect(Buffer.compare(Buffer.from(svgToPng(svg, { scale: 2 })), view)).toBe(0);
  });

  it('writes a vector PDF with DejaVu embedded, reproducibly', async () => {
    const svg = await renderSvg(compileVegaLite(spec));
    const options = { creationDate: new Date(Date.UTC(2025, 10, 20)), title: 'Best of k' };
    const pdf = await svgToPdf(svg, options);
    const text = ascii(pdf);
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text).toMatch(/\/FontFile2/);
    expect(text).toMatch(/\+DejaVuSans/);
    expect(text).not.toMatch(/\/Subtype \/Image/);
    expect(Buffer.compare(Buffer.from(await svgToPdf(svg, options)), Buffer.from(pdf))).toBe(0);
  });

  it('gives the same PNG and PDF bytes from worker threads', async () => {
    const svg = await renderSvg(compileVegaLite(spec));
    const pool = new RenderPool(2);
    try {
      const options = { creationDate: new Date(0) };
      const [png, pdf] = await Promise.all([pool.png(svg, { scale: 2 }), pool.pdf(svg, options)]);
      expect(Buffer.compare(Buffer.from(png), Buffer.from(svgToPng(svg, { scale: 2 })))).toBe(0);
      expect(Buffer.compare(Buffer.from(pdf), Buffer.from(await svgToPdf(svg, options)))).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('refuses an SVG without a size, naming what it needs', () => {
    expect(() => svgSize('<svg viewBox="0 0 1 1"></svg>')).toThrow(/numeric width and height/);
  });
});

describe('tables', () => {
  const table: Table = {
    columns: [
      { key: 'name', title: 'name' },
      { key: 'value', title: 'value | unit', align: 'right' },
    ],
    rows: [
      { name: 'a, "quoted"', value: 1.5 },
      { name: '<b>', value: null },
    ],
  };

  it('CSV quotes as RFC 4180 and writes null as empty', () => {
    expect(tableToCsv(table)).toBe('name,value\n"a, ""quoted""",1.5\n<b>,\n');
  });

  it('Markdown escapes pipes and aligns numbers right', () => {
    expect(tableToMarkdown(table)).toBe('| name | value \\| unit |\n|:---|---:|\n| a, "quoted" | 1.5 |\n| <b> |  |\n');
  });

  it('HTML escapes text', () => {
    expect(tableToHtml(table)).toContain('<td>&lt;b&gt;</td>');
  });
});

describe('the offline page', () => {
  it('inlines the Vega runtime and the specs, with nothing fetched from elsewhere', () => {
    const html = buildHtmlPage({ title: 'T <1>', body: '<div id="c1"></div>', charts: [{ id: 'c1', spec: { ...compileVegaLite(spec), description: '</script><script>alert(1)</script>' } }] });
    expect(html).toContain('<title>T &lt;1&gt;</title>');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('vega.View');
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html.match(/<\/script>/g)?.length).toBe(3);
  });
});
