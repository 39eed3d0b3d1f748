/**
 * `harness render`: a report's figure spec, drawn again, gives the report's own bytes (SVG, PNG
 * and PDF); a restyled one is drawn as edited, at the resolution asked for; a spec that is not
 * JSON, not Vega-Lite, or loads its data is refused with the file, the place, the rule and the
 * value, and nothing is written.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../experiments/inference-scaling/report/index.js';
import * as msg from '../../harness/messages.js';
import { syntheticReportInput } from '../report/synthetic.js';
import { runHarness, treeSnapshot } from '../reliability/helpers.js';
import { cli, tempDir } from './helpers.js';

const dir = tempDir('harness-render-');
const cacheBefore = process.env.HARNESS_RENDER_CACHE;

beforeAll(async () => {
  // Every drawing made here anew, none from an earlier one.
  process.env.HARNESS_RENDER_CACHE = 'off';
  const files = await buildReport(syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], seeds: 3, kCount: 8 }), { resamples: 50, renderCacheDir: null });
  for (const f of files) {
    mkdirSync(dirname(join(dir, 'report', f.path)), { recursive: true });
    writeFileSync(join(dir, 'report', f.path), f.content);
  }
}, 120_000);

afterAll(() => {
  if (cacheBefore === undefined) delete process.env.HARNESS_RENDER_CACHE;
  else process.env.HARNESS_RENDER_CACHE = cacheBefore;
});

const figure = (folder: string, name: string, ext: string) => readFileSync(join(dir, folder, `${name}.${ext}`));

describe('harness render', () => {
  it("draws a report's spec as the report drew it, byte for byte, and a restyled one as edited, at the resolution asked for", async () => {
    const drawn = await cli(['render', 'report/figures/picks.vl.json', 'report/figures/balance.vl.json', '--out', 'again', '--json'], dir);
    expect(drawn.code, drawn.stderr).toBe(0);
    const files = ['picks', 'balance'].flatMap((name) => ['svg', 'png', 'pdf'].map((ext) => `again/${name}.${ext}`));
    expect(JSON.parse(drawn.stdout)).toEqual({ files, dpi: 216 });
    for (const name of ['picks', 'balance']) for (const ext of ['svg', 'png', 'pdf']) expect(figure('again', name, ext).equals(figure('report/figures', name, ext))).toBe(true);

    // Restyled: no title (the paper's caption says it), and 300 dpi.
    const spec = JSON.parse(readFileSync(join(dir, 'report/figures/picks.vl.json'), 'utf8')) as Record<string, unknown>;
    delete spec.title;
    mkdirSync(join(dir, 'restyled'));
    writeFileSync(join(dir, 'restyled/picks.vl.json'), JSON.stringify(spec));
    const restyled = await cli(['render', 'restyled/picks.vl.json', '--dpi', '300'], dir);
    // Progress on stderr, as plain lines off a terminal.
    expect(restyled).toEqual({ code: 0, stdout: `${msg.renderWritten(1, ['restyled/picks.svg', 'restyled/picks.png', 'restyled/picks.pdf'])}\n`, stderr: 'figures: 0/1\nfigures: 1/1\n' });
    const svg = figure('restyled', 'picks', 'svg').toString();
    const titled = figure('report/figures', 'picks', 'svg').toString();
    const height = (text: string) => Number(/<svg[^>]*height="([\d.]+)"/.exec(text)![1]);
    expect(height(svg)).toBeLessThan(height(titled));
    // 300 dpi: the PNG is 300/72 pixels per point of the SVG.
    const png = PNG.sync.read(figure('restyled', 'picks', 'png'));
    const width = Number(/<svg[^>]*width="([\d.]+)"/.exec(svg)![1]);
    expect(png.width).toBe(Math.round((width * 300) / 72));
    expect(figure('restyled', 'picks', 'pdf').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // Saved with a UTF-8 byte order mark, as some editors do: the same spec.
    writeFileSync(join(dir, 'restyled/bom.vl.json'), `\ufeff${JSON.stringify(spec)}`);
    expect((await cli(['render', 'restyled/bom.vl.json', '--dpi', '300'], dir)).code).toBe(0);
    expect(figure('restyled', 'bom', 'png').equals(figure('restyled', 'picks', 'png'))).toBe(true);
    // The same spec, drawn again: the same bytes.
    const first = ['svg', 'png', 'pdf'].map((ext) => figure('restyled', 'picks', ext));
    expect((await cli(['render', 'restyled/picks.vl.json', '--dpi', '300'], dir)).code).toBe(0);
    expect(['svg', 'png', 'pdf'].map((ext) => figure('restyled', 'picks', ext))).toEqual(first);
  }, 120_000);

  it('refuses a spec that is missing, not JSON, not Vega-Lite, or loads its data, naming the file, the place, the rule and the value; nothing is written', async () => {
    mkdirSync(join(dir, 'bad'));
    const files: Record<string, string> = {
      'broken.vl.json': '{"mark": "point"',
      'mark.vl.json': JSON.stringify({ mark: 'dot', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quantitative' } } }),
      'type.vl.json': JSON.stringify({ mark: 'point', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quant' } } }),
      'typo.vl.json': JSON.stringify({ mark: 'point', data: { values: [] }, encodng: {} }),
      'stranger.vl.json': JSON.stringify({ mark: 'point', data: { values: [] }, foo: 1 }),
      // A required property left out: the shape the spec has lacks it, whatever the others say of its keys.
      'nodata.vl.json': JSON.stringify({ facet: { row: { field: 'g', type: 'nominal' } }, spec: { mark: 'point' } }),
      'nomark.vl.json': JSON.stringify({ data: { values: [] }, encoding: {} }),
      // Nothing of any kind of spec: each kind's, not one picked.
      'empty.vl.json': '{}',
      // A property that the spec's own shape alone lacks: that shape's complaint, not another's ("facet", "hconcat").
      'facet-width.vl.json': JSON.stringify({ data: { values: [{ a: 1, g: 'x' }] }, width: 300, facet: { field: 'g', type: 'nominal' }, columns: 2, spec: { mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } } }),
      'hconcat-columns.vl.json': JSON.stringify({ data: { values: [{ a: 1 }] }, columns: 2, hconcat: [{ mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } }] }),
      // Valid to the schema, but a number of columns Vega cannot lay out ("Invalid array length"); a data field so named is no matter.
      'columns.vl.json': JSON.stringify({ data: { values: [{ a: 1, g: 'x', columns: -1 }] }, facet: { field: 'g', type: 'nominal' }, columns: -1, spec: { mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } } }),
      'url.vl.json': JSON.stringify({ layer: [{ mark: 'point', data: { url: 'runs.csv' }, encoding: { x: { field: 'a', type: 'quantitative' } } }] }),
      'colour.vl.json': JSON.stringify({ mark: { type: 'point', colour: 'red' }, data: { values: [{ a: 1 }] } }),
      'font.vl.json': JSON.stringify({ mark: 'point', data: { values: [{ a: 1 }] }, config: { axis: { labelFont: 'Times' } } }),
      'v4.vl.json': JSON.stringify({ $schema: 'https://vega.github.io/schema/vega-lite/v4.json', mark: 'point', data: { values: [{ a: 1 }] } }),
      'expression.vl.json': JSON.stringify({ mark: 'point', data: { values: [{ a: 1 }] }, transform: [{ filter: 'datum.a.b.c > 0' }], encoding: { x: { field: 'a', type: 'quantitative' } } }),
      // Valid Vega-Lite that Vega would draw otherwise than it asks, with a warning alone.
      'field.vl.json': JSON.stringify({ mark: 'point', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'aa', type: 'quantitative' } } }),
      // Nominal, and a facet's: drawn as one category "undefined", every panel's marks in one, without a warning from Vega.
      'nominal.vl.json': JSON.stringify({ mark: 'point', data: { values: [{ a: 1, group: 'x' }] }, encoding: { x: { field: 'a', type: 'quantitative' }, color: { field: 'grup', type: 'nominal' } } }),
      'facet.vl.json': JSON.stringify({ data: { values: [{ a: 1, group: 'x' }] }, facet: { row: { field: 'grop', type: 'nominal' } }, spec: { layer: [{ mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } }] } }),
      // Fields a transform makes, and those of a named dataset, are the data's.
      'made.vl.json': JSON.stringify({ datasets: { rows: [{ a: 1 }] }, data: { name: 'rows' }, transform: [{ calculate: 'datum.a * 2', as: 'twice' }, { fold: ['a', 'twice'] }], mark: 'point', encoding: { x: { field: 'value', type: 'quantitative' }, y: { field: 'key', type: 'nominal' }, color: { field: 'twice', type: 'quantitative' } } }),
      'layers.vl.json': JSON.stringify({
        data: { values: [{ a: 1, s: 'x' }] },
        layer: ['#0072B2', '#ff00ff'].map((colour) => ({ mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' }, color: { field: 's', type: 'nominal', scale: { domain: ['x'], range: [colour] } } } })),
      }),
      // A colour misspelt where the schema takes any string, in a mark and in a scale's range.
      'paint.vl.json': JSON.stringify({ mark: { type: 'point', color: 'steelbleu' }, data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quantitative' } } }),
      'range.vl.json': JSON.stringify({ mark: 'bar', data: { values: [{ a: 1, s: 'x' }] }, encoding: { x: { field: 'a', type: 'quantitative' }, fill: { field: 's', type: 'nominal', scale: { range: ['#0072B2x'] } } } }),
      'background.vl.json': JSON.stringify({ background: 'ivroy', mark: 'point', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quantitative' } } }),
      // A letter a formula editor pastes, which the font lacks, and a Chinese title.
      'alpha.vl.json': JSON.stringify({ title: 'k* for 𝛼 = 0.05', mark: 'point', data: { values: [{ a: 1 }] } }),
      'cjk.vl.json': JSON.stringify({ mark: 'point', data: { values: [{ a: 1, m: '模型' }] }, encoding: { y: { field: 'm', type: 'nominal' } } }),
    };
    writeFileSync(join(dir, 'bad', 'utf16.vl.json'), Buffer.from(`\ufeff${files['font.vl.json']}`, 'utf16le'));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, 'bad', name), content);
    const before = treeSnapshot(join(dir, 'bad'));
    const refused = async (argv: string[]) => {
      const result = await cli(['render', ...argv], dir);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      return result.stderr.trimEnd();
    };
    expect(await refused(['bad/none.vl.json'])).toBe(msg.renderSpecMissing('bad/none.vl.json'));
    expect(await refused(['bad/broken.vl.json'])).toMatch(/^bad\/broken\.vl\.json: not JSON \(.+\)\. A Vega-Lite spec is a JSON file/);
    expect(await refused(['bad/mark.vl.json'])).toMatch(/^bad\/mark\.vl\.json: \/mark must be one of "boxplot", .*"point", .* or an object; received "dot"\. Fix it in the file/);
    expect(await refused(['bad/type.vl.json'])).toBe(
      msg.renderSpecInvalid('bad/type.vl.json', { path: '/encoding/x/type', rule: 'must be one of "quantitative", "ordinal", "temporal", "nominal", "geojson"', received: 'quant' }),
    );
    // A name no shape of Vega-Lite has, with the nearest that one has, and what was given under it.
    expect(await refused(['bad/typo.vl.json'])).toContain('bad/typo.vl.json: the spec has no property "encodng" (did you mean "encoding"?); received {}.');
    // Only a name a shape allowed there has is suggested: no "for" (a property of width's step) at the top.
    expect(await refused(['bad/stranger.vl.json'])).toContain('bad/stranger.vl.json: the spec has no property "foo"; received 1.');
    expect(await refused(['bad/nodata.vl.json'])).toBe(
      msg.renderSpecInvalid('bad/nodata.vl.json', { path: '', rule: 'lacks "data", which a spec of its kind must have', received: { facet: { row: { field: 'g', type: 'nominal' } }, spec: { mark: 'point' } }, fix: 'Give the rows inline, as "data": {"values": [...]}, as a report\'s specs do.' }),
    );
    // One view's keys, which a layer may have too: either is a way on.
    expect(await refused(['bad/nomark.vl.json'])).toContain('bad/nomark.vl.json: the spec lacks "mark", or "layer": a spec of each kind has one of these; received {"data":{"values":[]},"encoding":{}}.');
    expect(await refused(['bad/empty.vl.json'])).toContain(
      'bad/empty.vl.json: the spec lacks "layer", or "concat", or "vconcat", or "hconcat", or "data" and "mark", or "repeat" and "spec", or "data" and "facet" and "spec": a spec of each kind has one of these; received {}.',
    );
    expect(await refused(['bad/facet-width.vl.json'])).toContain(
      'bad/facet-width.vl.json: the spec has no property "width"; received 300. A figure of several views takes its width from each view: set it in "spec" (a facet\'s view), or in each view of "hconcat", "vconcat" or "concat".',
    );
    expect(await refused(['bad/hconcat-columns.vl.json'])).toContain('bad/hconcat-columns.vl.json: the spec has no property "columns"; received 2. Only "facet" and "concat" wrap their views in rows');
    expect(await refused(['bad/columns.vl.json'])).toContain('bad/columns.vl.json: /columns must be a whole number, at least 0: the views in a row (leave it out for one row); received -1.');
    expect(await refused(['bad/colour.vl.json'])).toContain('bad/colour.vl.json: /mark has no property "colour" (did you mean "color"?); received "red".');
    expect(await refused(['bad/url.vl.json'])).toContain('bad/url.vl.json: /layer/0/data/url is not loaded: figures are drawn offline');
    expect(await refused(['bad/font.vl.json'])).toContain('bad/font.vl.json: /config/axis/labelFont is not a font the figures have');
    expect(await refused(['bad/v4.vl.json'])).toContain('bad/v4.vl.json: /$schema names Vega-Lite 4, and figures are drawn with Vega-Lite 6');
    expect(await refused(['bad/utf16.vl.json'])).toBe(msg.renderSpecUtf16('bad/utf16.vl.json'));
    // Valid Vega-Lite whose expression fails as Vega draws it: no figure of what was left.
    expect(await refused(['bad/expression.vl.json'])).toBe(`figures: 0/1\n${msg.renderFailed('bad/expression.vl.json', "Cannot read properties of undefined (reading 'c')")}`);
    // A field no row has, before anything is drawn: where, the nearest name the data have, and all of them.
    const noRow = (file: string, path: string, field: string, close: string, fields: string) =>
      msg.renderSpecInvalid(file, { path, rule: `names a field that no row of its data has and no transform makes, which Vega would draw as nothing (did you mean "${close}"?)`, received: field, fix: `Name one of the data's fields: ${fields}.` });
    expect(await refused(['bad/field.vl.json'])).toBe(noRow('bad/field.vl.json', '/encoding/x/field', 'aa', 'a', '"a"'));
    expect(await refused(['bad/nominal.vl.json'])).toBe(noRow('bad/nominal.vl.json', '/encoding/color/field', 'grup', 'group', '"a", "group"'));
    expect(await refused(['bad/facet.vl.json'])).toBe(noRow('bad/facet.vl.json', '/facet/row/field', 'grop', 'group', '"a", "group"'));
    // On a terminal, the refusal starts a line of its own, below the bar it stopped.
    const onTerminal = await cli(['render', 'bad/expression.vl.json'], dir, { terminal: 80, env: { NO_COLOR: '1' } });
    expect(onTerminal.stderr).toBe(`\rfigures [--------------------] 0/1\n${msg.renderFailed('bad/expression.vl.json', "Cannot read properties of undefined (reading 'c')")}\n`);
    const layers = await refused(['bad/layers.vl.json']);
    expect(layers).toContain('bad/layers.vl.json: not drawn, since Vega-Lite or Vega warns of it, and it would be drawn other than it asks: Conflicting scale property "range"');
    expect(layers).toContain('set it alike in every layer that sets it');
    expect(await refused(['bad/paint.vl.json'])).toBe(`figures: 0/1\n${msg.renderFailed('bad/paint.vl.json', `it warns: ${msg.notAColour('stroke', 'steelbleu', 'the mark "marks" (symbols)')}`)}`);
    expect(await refused(['bad/paint.vl.json'])).toContain('not drawn, since a paint in it is no colour, and it would be drawn other than it asks: the stroke of the mark "marks" (symbols) is "steelbleu", which is not a colour');
    expect(await refused(['bad/range.vl.json'])).toContain(msg.notAColour('fill', '#0072B2x', 'the mark "marks" (rects)'));
    expect(await refused(['bad/background.vl.json'])).toContain(msg.notAColour('background', 'ivroy', 'the figure'));
    expect(await refused(['bad/alpha.vl.json'])).toBe(
      msg.renderSpecInvalid('bad/alpha.vl.json', {
        path: '/title',
        rule: 'has "𝛼" (U+1D6FC), which DejaVu Sans lacks (the PNG would show a box for it, and the PDF would draw it from another font, as Type 3, which IEEE PDF eXpress and ACM refuse)',
        received: 'k* for 𝛼 = 0.05',
        fix: 'Write "α" instead.',
      }),
    );
    expect(await refused(['bad/cjk.vl.json'])).toContain('bad/cjk.vl.json: /data/values/0/m has "模" (U+6A21), which DejaVu Sans lacks (');
    // Text no drawing shows (a description, a tooltip's title) and characters that draw nothing may be anything.
    const undrawn = { description: 'Figure 🙂', title: 'k*\uFEFF and é, ü, –, ×, ≤, µ, °, ², α, “q”', mark: 'point', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quantitative' }, tooltip: [{ field: 'a', title: 'k* 中文' }] } };
    writeFileSync(join(dir, 'undrawn.vl.json'), JSON.stringify(undrawn));
    expect((await cli(['render', 'undrawn.vl.json', '--out', 'undrawn'], dir)).code).toBe(0);
    expect((await cli(['render', 'bad/made.vl.json', '--out', 'made'], dir)).code).toBe(0);
    expect(await refused(['bad'])).toBe(msg.renderSpecIsFolder('bad'));
    // A good spec beside a bad one: nothing drawn, for either, and said.
    writeFileSync(join(dir, 'bad/good.vl.json'), JSON.stringify({ mark: 'point', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quantitative' } } }));
    const withGood = treeSnapshot(join(dir, 'bad'));
    expect(await refused(['bad/good.vl.json', 'bad/type.vl.json'])).toContain('bad/type.vl.json: /encoding/x/type');
    expect(await refused(['bad/good.vl.json', 'bad/type.vl.json'])).toMatch(new RegExp(`${msg.renderNoneWritten(2).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(await refused(['bad/good.vl.json', 'bad/field.vl.json'])).toContain(msg.renderNoneWritten(2));
    expect(await refused(['bad/good.vl.json', 'bad/good.vl.json'])).toBe(msg.renderSpecTwice('bad/good.vl.json'));
    writeFileSync(join(dir, 'restyled/good.vl.json'), readFileSync(join(dir, 'bad/good.vl.json')));
    expect(await refused(['bad/good.vl.json', 'restyled/good.vl.json', '--out', 'bad'])).toBe(`${msg.renderSameName('bad/good.vl.json', 'restyled/good.vl.json', 'bad', 'good')} ${msg.renderNoneWritten(2)}`);
    expect(treeSnapshot(join(dir, 'bad'))).toEqual(withGood);
    expect(Object.keys(before).every((name) => name in withGood)).toBe(true);
    // Fonts missing on this machine: how to get them, not a fault of the spec.
    const noFonts = await runHarness(['render', 'bad/good.vl.json', '--out', 'no-fonts'], { cwd: dir, env: { HARNESS_FONT_DIR: '/nonexistent/fonts', HARNESS_RENDER_CACHE: 'off' } });
    expect(noFonts.code).toBe(2);
    expect(noFonts.stderr).toContain("Cannot draw bad/good.vl.json: font file /nonexistent/fonts/DejaVuSans.ttf (DejaVu Sans regular) not found: install Debian's fonts-dejavu-core");
    expect(noFonts.stderr).not.toMatch(/passes Vega-Lite's schema|fix the file/);
  }, 60_000);
});
