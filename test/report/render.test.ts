import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { compile } from 'vega-lite';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FigureCache } from '../../harness/render/cache.js';
import { buildHtmlPage } from '../../harness/render/html.js';
import { encodePng } from '../../harness/render/png.js';
import { drawingThreads, RenderPool } from '../../harness/render/pool.js';
import { latexMessage, latexNumbers, latexText } from '../../harness/render/latex.js';
import { escapeMarkdownTags, tableToCsv, tableToHtml, tableToLatex, tableToMarkdown, type Table } from '../../harness/render/table.js';
import { compactNumbers, compileVegaLite, drawFigure, renderSvg, svgSize, type VegaLiteSpec } from '../../harness/render/vega.js';

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
  const draw = () => drawFigure(compileVegaLite(spec), { pngScale: 2, title: 'Best of k' });

  it('draws SVG with the figure font, the same bytes every time', async () => {
    const a = await renderSvg(compileVegaLite(spec));
    const b = await renderSvg(compileVegaLite(spec));
    expect(a).toBe(b);
    expect(a).toMatch(/^<svg /);
    expect(a).toContain('font-family="DejaVu Sans"');
    expect(a).toContain('>k (samples)</text>');
    expect(a).toMatch(/id="clip1"/);
  });

  it('compiles a spec with datasets to the Vega spec Vega-Lite gives, with the datasets\' own rows in it', () => {
    // Rows of their own: Vega marks the rows of the views it evaluates (as vega_id), those of `spec` included.
    const rows = [1, 2, 3].map((i) => ({ k: 4 * i, accuracy: 1 - 0.5 / (i + 1), group: i % 2 ? 'odd' : 'even' }));
    const named = { ...spec, datasets: { rows, unused: [{ k: 1 }], text: 'k,accuracy\n1,0.5' }, data: { name: 'rows' } } as unknown as VegaLiteSpec;
    const compiled = compileVegaLite(named);
    expect(compiled).toEqual(compile(structuredClone(named)).spec);
    expect(compiled.data?.find((d) => d.name === 'rows')).toMatchObject({ values: rows });
    expect((compiled.data?.find((d) => d.name === 'rows') as { values: unknown }).values).toBe(rows);
  });

  it('keeps quiet about a facet cell without data, whose scale takes its domain from the others, not about a field no row has', async () => {
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      // Row b has a label but no point: its own y scale has no extent, and takes the rule's.
      const faceted = {
        data: { values: [{ m: 'a', kind: 'point', y: 2 }, { m: 'b', kind: 'label', y: null }] },
        facet: { row: { field: 'm', type: 'nominal' } },
        resolve: { scale: { y: 'independent' } },
        spec: {
          layer: [
            { transform: [{ filter: "datum.kind === 'point'" }], mark: 'point', encoding: { y: { field: 'y', type: 'quantitative', scale: { type: 'log' } } } },
            { mark: 'rule', encoding: { y: { datum: 60 } } },
          ],
        },
      } as unknown as VegaLiteSpec;
      expect(await renderSvg(compileVegaLite(faceted))).toMatch(/^<svg /);
      expect(warnings.mock.calls.flat().join('\n')).not.toContain('Infinite extent');
      // A field no row has, as a misspelt name: the warning is the only sign of it, and stays.
      const misspelt = { data: { values: [{ y: 1 }, { y: 2 }] }, mark: 'point', encoding: { y: { field: 'yy', type: 'quantitative' } } } as unknown as VegaLiteSpec;
      await renderSvg(compileVegaLite(misspelt));
      expect(warnings.mock.calls.flat().join('\n')).toContain('Infinite extent for field "yy"');
    } finally {
      warnings.mockRestore();
    }
  });

  it('draws SVG, PNG and PDF of one figure, reproducibly', async () => {
    const [a, b] = [await draw(), await draw()];
    expect(a.svg).toBe(await renderSvg(compileVegaLite(spec)));
    expect(Buffer.compare(Buffer.from(a.png), Buffer.from(b.png))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.pdf), Buffer.from(b.pdf))).toBe(0);
  });

  it('rounds coordinates, never text', () => {
    const svg = '<svg width="10.12345" height="5"><path d="M1.23456,2.5L-3.14159,0"/><text transform="translate(1.999,2)">0.975</text></svg>';
    expect(compactNumbers(svg)).toBe('<svg width="10.12" height="5"><path d="M1.23,2.5L-3.14,0"/><text transform="translate(2,2)">0.975</text></svg>');
  });

  it('rasterises to a valid PNG at the requested scale, with its resolution and visible text', async () => {
    const { svg, png } = await draw();
    const { width, height } = svgSize(svg);
    // pngjs, an independent decoder, checks every chunk's CRC and the zlib stream.
    const image = PNG.sync.read(Buffer.from(png));
    expect([image.width, image.height]).toEqual([Math.ceil(width * 2), Math.ceil(height * 2)]);
    const perMetre = Buffer.from(png).readUInt32BE(Buffer.from(png).indexOf('pHYs') + 4);
    expect(perMetre * 0.0254).toBeCloseTo(144, 0);
    const pixel = (x: number, y: number) => Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
    expect(pixel(0, 0)).toEqual([255, 255, 255, 255]);
    // The title is text drawn near the top left: some of its pixels are dark, none transparent.
    const band = { x0: 0, x1: Math.floor(image.width / 2), y0: 0, y1: Math.floor(image.height / 8) };
    let dark = 0;
    for (let y = band.y0; y < band.y1; y++) {
      for (let x = band.x0; x < band.x1; x++) {
        const [r, g, b, alpha] = pixel(x, y);
        expect(alpha).toBe(255);
        if ((r as number) + (g as number) + (b as number) < 200) dark++;
      }
    }
    expect(dark).toBeGreaterThan(50);
  });

  it('encodes any RGBA buffer so that a decoder gives it back', async () => {
    const [width, height] = [7, 5];
    const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37) % 256);
    const image = PNG.sync.read(Buffer.from(await encodePng({ width, height, rgba, dpi: 72 })));
    expect(Array.from(image.data)).toEqual(Array.from(rgba));
    await expect(encodePng({ width, height: 6, rgba, dpi: 72 })).rejects.toThrow(/expected 168 bytes of RGBA for 7 x 6, got 140/);
  });

  it('encodes images at the same time, larger and smaller, each intact', async () => {
    const images = [9, 30, 4].map((side, n) => ({ width: side, height: side + 1, rgba: Uint8Array.from({ length: side * (side + 1) * 4 }, (_, i) => (i * (n + 3)) % 251), dpi: 72 }));
    const encoded = await Promise.all(images.map((image) => encodePng(image)));
    encoded.forEach((png, n) => expect(Array.from(PNG.sync.read(Buffer.from(png)).data)).toEqual(Array.from(images[n]!.rgba)));
    const again = await Promise.all(images.map((image) => encodePng(image)));
    again.forEach((png, n) => expect(Buffer.compare(Buffer.from(png), Buffer.from(encoded[n]!))).toBe(0));
  });

  it('writes a vector PDF with its text in embedded DejaVu subsets', async () => {
    const { pdf } = await draw();
    const text = ascii(pdf);
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text).toMatch(/\/FontFile2/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans/);
    expect(text).toContain('/Title (Best of k)');
    expect(text).not.toMatch(/\/Subtype \/Image/);
    // Nothing that changes from run to run: no dates, no random document ID.
    expect(text).not.toMatch(/\/CreationDate|\/ModDate|\/ID \[/);
  });

  it('keeps text after a dashed line as embedded text, never as Type 3 outlines', async () => {
    // Vega leaves a dashed rule's dash set while it draws the label after it.
    const labelled = {
      ...spec,
      mark: undefined,
      encoding: undefined,
      layer: [
        { mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { datum: 0.88 } } },
        { mark: { type: 'text', align: 'right', baseline: 'bottom' }, encoding: { x: { value: 'width' }, y: { datum: 0.88 }, text: { value: 'acc_min 0.88' } } },
      ],
    } as unknown as VegaLiteSpec;
    const { pdf } = await drawFigure(compileVegaLite(labelled), { pngScale: 1 });
    const subtypes = ascii(pdf).match(/\/Subtype \/\w+/g) ?? [];
    expect(subtypes).toContain('/Subtype /Type0');
    expect(subtypes).not.toContain('/Subtype /Type3');
  });

  it('maps every glyph of its text back to plain letters, so that a search for "fixed-k" finds it (no ligature glyphs)', async () => {
    const named = {
      ...spec,
      mark: undefined,
      encoding: undefined,
      layer: [{ mark: { type: 'text' }, encoding: { text: { value: 'fixed-k, the first of five, office flow' } } }],
    } as unknown as VegaLiteSpec;
    const { pdf } = await drawFigure(compileVegaLite(named), { pngScale: 1 });
    // The ToUnicode maps of the embedded fonts: which character each glyph reads back as.
    const maps = [...Buffer.from(pdf).toString('latin1').matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)]
      .map((m) => {
        try {
          return inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
        } catch {
          return '';
        }
      })
      .filter((text) => text.includes('beginbfchar') || text.includes('beginbfrange'));
    expect(maps.length).toBeGreaterThan(0);
    // U+FB00 to U+FB06: ff, fi, fl, ffi, ffl, long st, st.
    for (const map of maps) expect(map.toUpperCase()).not.toMatch(/<FB0[0-6]>/);
  });

  it('gives the same bytes from worker threads as in this thread', async () => {
    const pool = new RenderPool({ threads: 2, cacheDir: null });
    try {
      const here = await draw();
      const [a, b] = await Promise.all([pool.figure({ spec, pngScale: 2, title: 'Best of k' }), pool.figure({ spec, pngScale: 2, title: 'Best of k' })]);
      for (const there of [a, b]) {
        // As JSON, which is how the page embeds it (the compiler's own objects carry getters).
        expect(JSON.stringify(there.vega)).toBe(JSON.stringify(compileVegaLite(spec)));
        expect(there.svg).toBe(here.svg);
        expect(Buffer.compare(Buffer.from(there.png), Buffer.from(here.png))).toBe(0);
        expect(Buffer.compare(Buffer.from(there.pdf), Buffer.from(here.pdf))).toBe(0);
      }
      expect(pool.counts).toEqual({ drawn: 2, cached: 0 });
    } finally {
      await pool.close();
    }
  });

  it('fails a figure that cannot be drawn with its own error, and draws the others', async () => {
    const pool = new RenderPool({ threads: 2, cacheDir: null });
    try {
      const [bad, good] = await Promise.allSettled([pool.figure({ spec, pngScale: 0 }), pool.figure({ spec, pngScale: 1 })]);
      expect(bad.status).toBe('rejected');
      expect(String((bad as PromiseRejectedResult).reason)).toMatch(/scale must be positive, got 0/);
      expect(good.status).toBe('fulfilled');
      expect(pool.counts).toEqual({ drawn: 1, cached: 0 });
    } finally {
      await pool.close();
    }
  });

  it.runIf(process.platform === 'linux')('paints at a lower priority than it lays out (niceness 10)', async () => {
    const niceness = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    // A thread listed may end before its stat is read (another test's pool closing): it is passed over.
    const stat = (tid: string) => {
      try {
        return [readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')];
      } catch (error) {
        if (['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '')) return [];
        throw error;
      }
    };
    const threads = () => readdirSync('/proc/self/task').flatMap(stat).map(niceness);
    const before = threads().filter((n) => n === 10).length;
    const pool = new RenderPool({ threads: 1, cacheDir: null });
    try {
      await pool.figure({ spec, pngScale: 1 });
      expect(threads().filter((n) => n === 10).length).toBeGreaterThan(before);
      expect(niceness(readFileSync('/proc/thread-self/stat', 'utf8'))).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('leaves one core to the caller and draws on at most four threads', () => {
    expect([1, 2, 3, 4, 16, 64].map(drawingThreads)).toEqual([1, 1, 2, 3, 4, 4]);
  });

  it('refuses an SVG without a size, naming what it needs', () => {
    expect(() => svgSize('<svg viewBox="0 0 1 1"></svg>')).toThrow(/numeric width and height/);
  });
});

describe('the figure cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'figure-cache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const request = { spec, pngScale: 1, title: 'Best of k' };
  const entries = () => readdirSync(dir).filter((name) => !name.endsWith('.tmp'));

  it('draws a figure once, then gives back the same bytes without drawing', async () => {
    const pool = new RenderPool({ threads: 1, cacheDir: dir });
    try {
      const drawn = await pool.figure(request);
      const cached = await pool.figure(request);
      expect(pool.counts).toEqual({ drawn: 1, cached: 1 });
      expect(JSON.stringify(cached.vega)).toBe(JSON.stringify(drawn.vega));
      expect(cached.svg).toBe(drawn.svg);
      expect(Buffer.compare(Buffer.from(cached.png), Buffer.from(drawn.png))).toBe(0);
      expect(Buffer.compare(Buffer.from(cached.pdf), Buffer.from(drawn.pdf))).toBe(0);
      await pool.figure({ ...request, pngScale: 2 });
      expect(pool.counts).toEqual({ drawn: 2, cached: 1 });
    } finally {
      await pool.close();
    }
    expect(entries().filter((e) => !e.startsWith('set-'))).toHaveLength(2);
  });

  it('starts no worker for a set of figures it holds from last time', async () => {
    const first = new RenderPool({ threads: 1, cacheDir: dir });
    first.warmUp('report of the same results');
    await first.figure(request);
    await first.close();
    expect(first.started).toBe(true);
    const again = new RenderPool({ threads: 1, cacheDir: dir });
    expect(again.warmUp('report of the same results')).toBe(false);
    await again.figure(request);
    await again.close();
    expect(again.started).toBe(false);
    expect(again.counts).toEqual({ drawn: 0, cached: 1 });
    const other = new RenderPool({ threads: 1, cacheDir: dir });
    expect(other.warmUp('report of other results')).toBe(true);
    await other.close();
    expect(other.started).toBe(true);
  });

  it('draws again when an entry is damaged, and stores it afresh', async () => {
    for (const entry of entries().filter((e) => !e.startsWith('set-'))) writeFileSync(join(dir, entry, 'figure.png'), 'not a png');
    const pool = new RenderPool({ threads: 1, cacheDir: dir });
    try {
      const figure = await pool.figure(request);
      expect(pool.counts).toEqual({ drawn: 1, cached: 0 });
      expect(PNG.sync.read(Buffer.from(figure.png)).width).toBeGreaterThan(0);
      await pool.figure(request);
      expect(pool.counts).toEqual({ drawn: 1, cached: 1 });
    } finally {
      await pool.close();
    }
  });

  it('keeps the most recently used entries within its size limit', async () => {
    const own = join(dir, 'pruned');
    const cache = FigureCache.open('test renderer', own) as FigureCache;
    const drawings = { vega: {}, svg: '<svg/>', png: new Uint8Array(1000), pdf: new Uint8Array(1000) };
    const keys = ['a', 'b', 'c'].map((name) => cache.key({ spec: { name }, pngScale: 1 }));
    keys.forEach((key, i) => {
      cache.put(key, drawings);
      utimesSync(join(own, key), 1000 + i, 1000 + i); // a, then b, then c were used
    });
    mkdirSync(join(own, `${keys[0]}.123.abc.tmp`));
    utimesSync(join(own, `${keys[0]}.123.abc.tmp`), 1000, 1000); // left by a process that died while storing
    expect(cache.get(keys[0]!)).toBeDefined(); // a is now the most recent
    const sizeOf = (key: string) => readdirSync(join(own, key)).reduce((sum, f) => sum + statSync(join(own, key, f)).size, 0);
    cache.prune(sizeOf(keys[0]!) + sizeOf(keys[2]!));
    expect(readdirSync(own).sort()).toEqual([keys[0], keys[2]].sort());
  });

  it('is off with HARNESS_RENDER_CACHE=off', () => {
    process.env.HARNESS_RENDER_CACHE = 'off';
    try {
      expect(FigureCache.open('test renderer', dir)).toBeNull();
    } finally {
      delete process.env.HARNESS_RENDER_CACHE;
    }
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

  it('Markdown escapes pipes and what would open an HTML tag, and aligns numbers right', () => {
    expect(tableToMarkdown(table)).toBe('| name | value \\| unit |\n|:---|---:|\n| a, "quoted" | 1.5 |\n| \\<b> |  |\n');
    // A "<" that opens no tag stays as written.
    expect(escapeMarkdownTags('k < 8, k <= 16, <script>, </b>, <!-- x -->')).toBe('k < 8, k <= 16, \\<script>, \\</b>, \\<!-- x -->');
  });

  it('HTML escapes text', () => {
    expect(tableToHtml(table)).toContain('<td>&lt;b&gt;</td>');
  });

  it('HTML names a row by its label columns (row headers) and the table by its caption', () => {
    const html = tableToHtml({ ...table, labels: 1 }, { caption: 'Values <by name>', wide: true });
    expect(html).toContain('<div class="table-scroll wide"><table><caption class="visually-hidden">Values &lt;by name&gt;</caption>');
    expect(html).toContain('<th scope="col" class="label" style="--i: 0">name</th><th scope="col" class="num">value | unit</th>');
    expect(html).toContain('<tr><th scope="row" class="label" style="--i: 0">&lt;b&gt;</th><td class="num"></td></tr>');
  });
});

describe('LaTeX', () => {
  it('escapes what LaTeX would read as commands, and sets minus signs, quotes and symbols as such', () => {
    expect(latexText('50% of $0.5 & #1_a {b} ~ ^ \\ <x> |')).toBe('50\\% of \\$0.5 \\& \\#1\\_a \\{b\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} \\textless{}x\\textgreater{} \\textbar{}');
    // A minus before a number (also an interval's bounds), never a hyphen inside a name.
    expect(latexText('-0.4 [-0.5, -.3] (-2) knee-3d x-1')).toBe('\\ensuremath{-}0.4 [\\ensuremath{-}0.5, \\ensuremath{-}.3] (\\ensuremath{-}2) knee-3d x-1');
    expect(latexText('1 ± 2 · 3 × 4 ≤ 5 ≥ 6 − 7 a–b a—b … "q"')).toBe("1 \\ensuremath{\\pm} 2 \\ensuremath{\\cdot} 3 \\ensuremath{\\times} 4 \\ensuremath{\\leq} 5 \\ensuremath{\\geq} 6 \\ensuremath{-} 7 a--b a---b \\dots{} ``q''");
    expect(latexText('two\nlines')).toBe('two lines');
    // A range of numbers takes an en dash; a date, a name or a version keeps its hyphens.
    expect(latexText('1-2 points (0.5-0.9%) and 4-12. On 2026-11-30 Qwen3-30B-A3B v1-2.x')).toBe('1--2 points (0.5--0.9\\%) and 4--12. On 2026-11-30 Qwen3-30B-A3B v1-2.x');
  });

  const results: Table = {
    columns: [
      { key: 'model', title: 'model' },
      { key: 'selector', title: 'selector' },
      { key: 'k', title: 'k* mean [95% CI]', align: 'right' },
    ],
    labels: 2,
    rows: [
      { model: 'GPT-5', selector: 'accuracy-max', k: '20.0 [20.0, 20.0]' },
      { model: 'GPT-5', selector: 'knee_paper', k: null },
      { model: 'Qwen3', selector: 'accuracy-max', k: '-1.0 [-2.0, 0.5]' },
    ],
  };

  it('writes a booktabs tabular, the rows grouped by their first label and the title as a comment', () => {
    expect(tableToLatex(results, { title: 'balanced (C_max $0.5)' })).toBe(
      [
        '% balanced (C_max $0.5)',
        '% Needs \\usepackage{booktabs}.',
        '\\begin{tabular}{llr}',
        '\\toprule',
        'model & selector & k* mean [95\\% CI] \\\\',
        '\\midrule',
        'GPT-5 & accuracy-max & 20.0 [20.0, 20.0] \\\\',
        ' & knee\\_paper &  \\\\',
        '\\addlinespace',
        'Qwen3 & accuracy-max & \\ensuremath{-}1.0 [\\ensuremath{-}2.0, 0.5] \\\\',
        '\\bottomrule',
        '\\end{tabular}',
        '',
      ].join('\n'),
    );
    // Without two label columns, no row is grouped.
    expect(tableToLatex({ ...results, labels: 1 })).toContain('\nGPT-5 & knee\\_paper &  \\\\\n');
  });

  it('wraps long text in a paragraph column, a long title to its widest cell, and sets whole-cell Markdown emphasis in bold', () => {
    const latex = tableToLatex({
      columns: [
        { key: 'claim', title: 'claim' },
        { key: 'value', title: 'measured (95% interval)' },
        { key: 'share', title: 'seeds whose k* differs (where it picks)', align: 'right' },
      ],
      rows: [
        { claim: '**1**', value: 'holds in 3 of 3, does not hold in 0, cannot tell in 0', share: '[0%, 56%] of 3' },
        { claim: '2', value: 'short', share: '100% [89%, 100%] of 30' },
      ],
    });
    expect(latex).toContain('% Needs \\usepackage{booktabs} and \\usepackage{array}.\n\\begin{tabular}{l>{\\raggedright\\arraybackslash}p{16em}r}\n');
    // "seeds whose k* differs (where it picks)" in lines of at most 22 characters, the widest cell's.
    expect(latex).toContain('claim & measured (95\\% interval) & \\begin{tabular}[b]{@{}r@{}}seeds whose k* differs \\\\ (where it picks)\\end{tabular} \\\\\n');
    expect(latex).toContain('\\textbf{1} & holds in 3 of 3');
    // A line that begins with "[" after a line break or a rule is guarded: LaTeX would read it as their optional argument.
    expect(latex).toContain('\\\\\n2 & short');
    expect(tableToLatex({ columns: [{ key: 'x', title: '[a] x' }], rows: [{ x: '[0, 1]' }] })).toContain('\\toprule\n{}[a] x \\\\\n\\midrule\n{}[0, 1] \\\\\n');
    // A separator stays at the end of the line before it, never on a line of its own.
    const modes = tableToLatex({ columns: [{ key: 'm', title: 'most frequent k* (balanced · accuracy-critical · cost-constrained)', align: 'right' }], rows: [{ m: '108 · 128 · 56' }] });
    expect(modes).toContain('\\begin{tabular}[b]{@{}r@{}}most frequent \\\\ k* (balanced \\ensuremath{\\cdot} \\\\ accuracy-critical \\ensuremath{\\cdot} \\\\ cost-constrained)\\end{tabular}');
  });

  it('writes the numbers a report quotes as one definition each, under the study\'s name, and a warning for the log', () => {
    const lines = latexNumbers('paper', { 'claim1.cost_saved': '41.1%', 'claim3.diff.ci': '[-0.4, +0.2]' }, 'Incomplete: 10 of 100 (10.0%)').split('\n');
    expect(lines[2]).toMatch(/^\\providecommand\\studynumber\[2\]\{\\ifcsname studynumber@#1@#2\\endcsname/);
    expect(lines.slice(3)).toEqual([
      '\\PackageWarningNoLine{studynumber}{Incomplete: 10 of 100 (10.0\\csname @percentchar\\endcsname )}',
      '\\expandafter\\def\\csname studynumber@paper@claim1.cost_saved\\endcsname{41.1\\%}',
      '\\expandafter\\def\\csname studynumber@paper@claim3.diff.ci\\endcsname{[\\ensuremath{-}0.4, +0.2]}',
      '',
    ]);
    // A log message is written, not typeset: markup characters become spaces.
    expect(latexMessage('a {b}_#\\ "c"\nd')).toBe('a  b     "c" d');
  });

  it('says why a table has no rows, across its columns', () => {
    expect(tableToLatex({ ...results, rows: [] }, { empty: 'no accuracy-max in the results' })).toContain('\\midrule\n\\multicolumn{3}{l}{No rows: no accuracy-max in the results.} \\\\\n\\bottomrule');
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
