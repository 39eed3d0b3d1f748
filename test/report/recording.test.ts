/**
 * Recorded canvas drawings (harness/render/recording.ts): a replay makes the calls Vega would
 * have made, so a figure painted from its recording, in any thread, is the figure Vega draws.
 */
import * as vega from 'vega';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCanvas, type CanvasRenderingContext2D } from '@napi-rs/canvas';
import { PNG } from 'pngjs';
import { paintFigure, paintRecording } from '../../harness/render/canvas.js';
import { record, recordDrawing, RecordingUnsupported, replay } from '../../harness/render/recording.js';
import { compileVegaLite, drawFigure, svgSize, type VegaLiteSpec } from '../../harness/render/vega.js';

/** What the figures are made of: dashes, clipping, a log axis, opacity, text, a legend, facets. */
const spec = {
  title: { text: 'Recorded', subtitle: 'dashes, clipping, text' },
  config: { font: 'DejaVu Sans' },
  data: { values: Array.from({ length: 24 }, (_, i) => ({ k: (i % 12) + 1, cost: 0.01 * 2 ** (i % 12), accuracy: 1 - 0.6 / ((i % 12) + 2), model: i < 12 ? 'small' : 'large' })) },
  facet: { column: { field: 'model', type: 'nominal' } },
  spec: {
    width: 120,
    height: 80,
    layer: [
      {
        mark: { type: 'line', point: true, clip: true, strokeDash: [6, 2] },
        encoding: {
          x: { field: 'cost', type: 'quantitative', scale: { type: 'log', domain: [0.02, 10] } },
          y: { field: 'accuracy', type: 'quantitative', scale: { zero: false } },
          color: { field: 'model', type: 'nominal' },
          opacity: { value: 0.7 },
        },
      },
      { mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { datum: 0.8 } } },
      { mark: { type: 'text', dx: 4, align: 'left' }, encoding: { x: { field: 'cost', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' }, text: { field: 'k' } } },
    ],
  },
} as unknown as VegaLiteSpec;

async function viewOf(source: VegaLiteSpec): Promise<vega.View> {
  const view = new vega.View(vega.parse(compileVegaLite(source)), { renderer: 'none' });
  await view.runAsync();
  return view;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** A context that writes down what it is asked to do. */
function logger(): { context: object; log: string[] } {
  const log: string[] = [];
  const context = new Proxy(
    {},
    {
      get: (_target, name) => (...args: unknown[]) => log.push(`${String(name)}(${args.map((a) => JSON.stringify(a)).join(',')})`),
      set: (_target, name, value) => {
        log.push(`${String(name)}=${JSON.stringify(value)}`);
        return true;
      },
    },
  );
  return { context, log };
}

describe('recorded drawings', () => {
  // vega.ts installs its text metrics when it first draws: views made here measure text as figures do.
  beforeAll(() => drawFigure(compileVegaLite(spec), { pngScale: 1 }));

  it('paint the same PNG and PDF bytes as Vega drawing the view itself', async () => {
    const view = await viewOf(spec);
    try {
      const size = svgSize(await view.toSVG());
      const options = { pngScale: 3, title: 'Recorded' };
      const live = await paintFigure((context) => view.toCanvas(1, { externalContext: context }), size, options);
      const replayed = await paintRecording(await recordDrawing(view), size, options);
      expect(same(replayed.png, live.png)).toBe(true);
      expect(same(replayed.pdf, live.pdf)).toBe(true);
    } finally {
      view.finalize();
    }
  });

  it('survive the copy to another thread', async () => {
    const view = await viewOf(spec);
    try {
      const recording = await recordDrawing(view);
      expect(structuredClone(recording)).toEqual(recording);
      expect(recording.length).toBeGreaterThan(100);
    } finally {
      view.finalize();
    }
  });

  it('leave out a state change that repeats the state, and only that', async () => {
    const recording = await record((c) => {
      c.lineCap = 'round';
      c.lineCap = 'round';
      c.setLineDash([4, 3]);
      c.setLineDash([4, 3]);
      c.save();
      c.lineCap = 'butt';
      c.setLineDash([]);
      c.restore();
      // Restored: the context is back to round caps and the dash, so these change nothing.
      c.lineCap = 'round';
      c.setLineDash([4, 3]);
      c.globalAlpha = 0.5;
      c.moveTo(1, 2);
      c.arc(3, 4, 5, 0, Math.PI);
      c.fill();
    });
    const { context, log } = logger();
    replay(recording, context);
    expect(log).toEqual(['lineCap="round"', 'setLineDash([4,3])', 'save()', 'lineCap="butt"', 'setLineDash([])', 'restore()', 'globalAlpha=0.5', 'moveTo(1,2)', `arc(3,4,5,0,${Math.PI})`, 'fill()']);
  });

  it('paint a figure the same whatever the thread painted before or paints meanwhile (its raster canvas is reused)', async () => {
    const small = await viewOf(spec);
    const large = await viewOf({ ...spec, spec: { ...(spec as { spec: object }).spec, width: 300, height: 200 } } as unknown as VegaLiteSpec);
    try {
      const options = { pngScale: 3, title: 'Recorded' };
      const paint = async (view: vega.View) => paintRecording(await recordDrawing(view), svgSize(await view.toSVG()), options);
      const alone = await paint(small);
      // Its pixels are those of a canvas of its own size with an alpha channel (the PNG's is opaque).
      const { width, height } = svgSize(await small.toSVG());
      const own = createCanvas(Math.ceil(width * 3), Math.ceil(height * 3));
      const ownContext = own.getContext('2d');
      Object.assign(ownContext, { lang: 'en', fontVariantLigatures: 'none', fillStyle: 'white' });
      const fillText = ownContext.fillText.bind(ownContext); // text without the lines' dash, as figures draw it
      ownContext.fillText = (...args) => { const dash = ownContext.getLineDash(); ownContext.setLineDash([]); fillText(...args); ownContext.setLineDash(dash); };
      ownContext.fillRect(0, 0, own.width, own.height);
      ownContext.scale(3, 3);
      replay(await recordDrawing(small), ownContext);
      expect(Buffer.from(PNG.sync.read(Buffer.from(alone.png)).data).equals(Buffer.from(own.data()))).toBe(true);
      await paint(large); // a larger figure first: the canvas grows
      // A figure that leaves its context changed, and one that fails halfway, change nothing after them.
      const size = svgSize(await small.toSVG());
      await paintFigure((c) => { c.translate(40, 40); c.setLineDash([1, 1]); c.globalAlpha = 0.2; c.fillStyle = 'red'; c.fillRect(0, 0, 500, 500); }, size, options);
      await expect(paintFigure((c) => { c.scale(5, 5); throw new Error('halfway'); }, size, options)).rejects.toThrow('halfway');
      expect(same((await paint(small)).png, alone.png)).toBe(true);
      // Two at once: a drawing that waits halfway, and another figure painted meanwhile.
      const halves = async (c: CanvasRenderingContext2D) => {
        c.fillStyle = 'navy';
        c.fillRect(0, 0, size.width / 2, size.height / 2);
        await new Promise((resolve) => setTimeout(resolve, 20));
        c.fillStyle = 'orange';
        c.fillRect(size.width / 4, size.height / 4, size.width / 2, size.height / 2);
      };
      const halvesAlone = await paintFigure(halves, size, options);
      const [waited, replayed] = await Promise.all([paintFigure(halves, size, options), paint(small)]);
      expect(same(waited.png, halvesAlone.png)).toBe(true);
      expect(same(replayed.png, alone.png)).toBe(true);
    } finally {
      small.finalize();
      large.finalize();
    }
  });

  it('refuse what they cannot replay, and the figure is drawn from the view instead', async () => {
    await expect(record((c) => c.createLinearGradient(0, 0, 1, 1))).rejects.toThrow(RecordingUnsupported);
    await expect(record((c) => c.measureText('k'))).rejects.toThrow(/measureText, which a recorded drawing cannot answer/);
    // A property the recorder does not know is not dropped: the recording fails.
    await expect(record((c) => Object.assign(c, { letterSpacing: '2px' }))).rejects.toThrow(TypeError);

    const gradient = { config: { font: 'DejaVu Sans' }, data: (spec as { data: unknown }).data, width: 120, height: 80, mark: { type: 'area', color: { gradient: 'linear', stops: [{ offset: 0, color: 'white' }, { offset: 1, color: 'darkgreen' }] } }, encoding: { x: { field: 'k', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' } } } as unknown as VegaLiteSpec;
    const view = await viewOf(gradient);
    try {
      await expect(recordDrawing(view)).rejects.toThrow(RecordingUnsupported);
      const size = svgSize(await view.toSVG());
      const live = await paintFigure((context) => view.toCanvas(1, { externalContext: context }), size, { pngScale: 2 });
      const drawn = await drawFigure(compileVegaLite(gradient), { pngScale: 2 });
      expect(same(drawn.png, live.png)).toBe(true);
      expect(same(drawn.pdf, live.pdf)).toBe(true);
    } finally {
      view.finalize();
    }
  });
});
