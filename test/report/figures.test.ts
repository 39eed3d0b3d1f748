import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import type { Json, ReportInput } from '../../harness/experiment.js';
import { textWidth } from '../../harness/render/canvas.js';
import { recordDrawing } from '../../harness/render/recording.js';
import { vegaLiteProblem } from '../../harness/render/spec-check.js';
import { compileVegaLite, renderSvg, svgSize } from '../../harness/render/vega.js';
import { analyze, analyzeEstimates, conditionsView } from '../../experiments/inference-scaling/report/analysis.js';
import { curveKey, type Band } from '../../experiments/inference-scaling/report/data.js';
import { allFigures, leftOutFigures, showsNoIntervals, type Figure } from '../../experiments/inference-scaling/report/figures/index.js';
import { reportDocuments } from '../../experiments/inference-scaling/report/index.js';
import { adaptivityTable } from '../../experiments/inference-scaling/report/tables.js';
import { curveFigure, placedText, POINT_CLASS_SCALE, RING_PADDING } from '../../experiments/inference-scaling/report/figures/curves.js';
import { balanceFigure, picksFigure } from '../../experiments/inference-scaling/report/figures/picks.js';
import { stabilityFigure, stabilitySummaryFigure } from '../../experiments/inference-scaling/report/figures/stability.js';
import { projectionsFigure } from '../../experiments/inference-scaling/report/figures/projections.js';
import { savingsFigure } from '../../experiments/inference-scaling/report/figures/savings.js';
import { sizeClassFigure } from '../../experiments/inference-scaling/report/figures/models.js';
import { latencyFigure } from '../../experiments/inference-scaling/report/figures/latency.js';
import { NO_INTERVAL } from '../../experiments/inference-scaling/report/figures/intervals.js';
import { AXIS, powerOfTwoTicks, TEXT_HEIGHT, TEXT_WIDTH, TOOLTIP_FORMAT, withNoteAbove } from '../../experiments/inference-scaling/report/figures/theme.js';
import { fmt } from '../../experiments/inference-scaling/report/format.js';
import { SELECTOR_COLOURS } from '../../experiments/inference-scaling/report/selectors.js';
import { SELECTOR_IDS } from '../../experiments/inference-scaling/selectors.js';
import { listInWords } from '../../harness/text.js';
import { wilsonInterval } from '../../harness/stats/proportion.js';
import { ALL_SELECTORS, syntheticReportInput } from './synthetic.js';

const schemaPath = createRequire(import.meta.url).resolve('vega-lite/vega-lite-schema.json');
const ajv = new Ajv({ strict: false, allErrors: false, logger: false });
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));

/** Every value of `key` anywhere inside `node`. */
function collect(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) node.forEach((n) => collect(n, key, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}

describe('figure specs', () => {
  // Small, with a swept parameter (two conditions per scenario) and a model with no feasible k.
  const input = syntheticReportInput({ scenarios: ['balanced', 'cost-constrained'], models: ['gpt5', 'gpt5-nano', 'qwen3-30b-a3b'], seeds: 5, kCount: 12, variants: [{ 'sim.M': 100 }, { 'sim.M': 300 }] });
  const a = analyze(input, 200);
  const figures = allFigures(a);
  const ACROSS = ['picks', 'balance', 'savings', 'stability', 'stability-summary', 'size-classes', 'latency-violations'];
  /** A figure across conditions, as drawn for the first swept value. */
  const named = (name: string) => figures.find((f) => f.name === `${name}--sim.m-100`)!;

  it('one of each kind per swept value, titled with it, and the per-condition ones for every condition', () => {
    const names = figures.map((f) => f.name);
    expect(leftOutFigures(a)).toEqual([]);
    expect(names.filter((n) => ACROSS.includes(n.split('--')[0]!))).toEqual(ACROSS.flatMap((n) => [`${n}--sim.m-100`, `${n}--sim.m-300`]));
    for (const value of ['100', '300']) {
      for (const n of ACROSS) {
        const figure = figures.find((f) => f.name === `${n}--sim.m-${value}`)!;
        expect(figure.title).toMatch(new RegExp(`[(;] ?sim\\.M=${value}\\)$`));
        expect(figure.title).not.toMatch(/\) \(/);
        expect(figure.caption.startsWith(figure.title)).toBe(true);
        expect((figure.spec as unknown as { title: { text: string } }).title.text).toBe(figure.title);
        // Its scenarios alone, named by scenario: the swept value is in the title.
        const rows = (figure.spec as unknown as { datasets: { rows: Record<string, unknown>[] } }).datasets.rows;
        const shown = new Set(rows.map((r) => r.condition).filter((c) => c !== undefined));
        if (shown.size > 0) expect([...shown].sort()).toEqual(['balanced', 'cost-constrained']);
      }
    }
    for (const c of a.data.conditions) {
      expect(names).toEqual(expect.arrayContaining([`accuracy-vs-k--${c.slug}`, `cost-vs-k--${c.slug}`, `projections--${c.slug}`]));
    }
    // The swept value gets a figure per scenario.
    expect(names).toEqual(expect.arrayContaining(['sweep--sim.m-balanced', 'sweep--sim.m-cost-constrained']));
    expect(new Set(names).size).toBe(names.length);
  });

  it('draws early only figures whose specs need no interval (the same from estimates alone)', () => {
    const preview = new Map(allFigures(analyzeEstimates(a.data)).map((f) => [f.name, f]));
    const early = figures.filter(showsNoIntervals).map((f) => f.name);
    expect(early).toEqual(expect.arrayContaining(['stability--sim.m-100', 'stability-summary--sim.m-300', 'projections--balanced-sim.m-100', 'cost-vs-k--cost-constrained-sim.m-300']));
    for (const figure of figures) {
      const same = JSON.stringify(preview.get(figure.name)?.spec) === JSON.stringify(figure.spec);
      if (showsNoIntervals(figure)) expect(same, figure.name).toBe(true);
    }
    // And the check can fail: figures with intervals differ from their previews.
    expect(JSON.stringify(preview.get('savings--sim.m-100')?.spec)).not.toBe(JSON.stringify(named('savings').spec));
  });

  it.each(figures.map((f) => [f.name, f] as const))('%s validates against the Vega-Lite schema and compiles', (_name, figure) => {
    const spec = JSON.parse(JSON.stringify(figure.spec));
    const ok = validate(spec);
    expect(ok ? [] : validate.errors?.slice(0, 3)).toEqual([]);
    expect(() => compileVegaLite(figure.spec)).not.toThrow();
  });

  it.each(figures.map((f) => [f.name, f] as const))('%s can be painted from a recording, in the painting thread', async (_name, figure) => {
    // A figure whose drawing cannot be recorded is still drawn, from the view, but in its drawing
    // thread: every figure of the study should be recordable (recording.ts).
    const view = new vega.View(vega.parse(compileVegaLite(figure.spec)), { renderer: 'none' });
    try {
      await view.runAsync();
      expect((await recordDrawing(view)).length).toBeGreaterThan(0);
    } finally {
      view.finalize();
    }
  });

  it.each(figures.map((f) => [f.name, f] as const))('%s has a title, DejaVu Sans, data inline and tooltips', (_name, figure) => {
    const spec = figure.spec as unknown as Record<string, unknown>;
    expect((spec.title as { text?: unknown }).text).toMatch(/\w/);
    expect((spec.config as Record<string, unknown>).font).toBe('DejaVu Sans');
    expect(Object.keys(spec.datasets as object).length).toBeGreaterThan(0);
    expect(collect(spec, 'url')).toEqual([]);
    expect(collect(spec, 'tooltip').length).toBeGreaterThan(0);
    // Intervals come from the seeded bootstrap as data, never from Vega-Lite's random ci0/ci1.
    expect(JSON.stringify(spec)).not.toMatch(/"ci0"|"ci1"|"errorbar"|"errorband"/);
  });

  it('gives every selector the same colour in every figure', () => {
    const coloured = new Set<string>();
    for (const figure of figures) {
      for (const scale of collect(figure.spec, 'scale')) {
        const s = (scale ?? {}) as { domain?: unknown[]; range?: unknown[] };
        if (!Array.isArray(s.domain) || !Array.isArray(s.range) || !s.domain.every((d) => typeof d === 'string' && d in SELECTOR_COLOURS)) continue;
        s.domain.forEach((d, i) => expect(s.range?.[i], `${figure.name}: ${String(d)}`).toBe(SELECTOR_COLOURS[d as string]));
        coloured.add(figure.name);
      }
    }
    // Every figure shows selectors in colour but one, which colours models by size class.
    expect(figures.map((f) => f.name).filter((name) => !coloured.has(name))).toEqual(['size-classes--sim.m-100', 'size-classes--sim.m-300']);
  });

  it('draws a k as Pareto, feasible or not feasible in the same shades in every figure that classes it', () => {
    const classing = figures.filter((f) => f.name.startsWith('accuracy-vs-k') || f.name.startsWith('cost-vs-k') || f.name.startsWith('projections'));
    expect(classing.length).toBe(3 * a.data.conditions.length);
    for (const figure of classing) {
      const scales = collect(figure.spec, 'scale').map((s) => JSON.stringify(s)).filter((s) => s.includes('"not feasible"'));
      expect([...new Set(scales)], figure.name).toEqual([JSON.stringify(POINT_CLASS_SCALE)]);
    }
  });

  it.each(figures.map((f) => [f.name, f] as const))('%s: its tooltips name the k they are about', (_name, figure) => {
    const titles = collect(figure.spec, 'tooltip').flatMap((t) => (Array.isArray(t) ? t : [t]).map((x) => String((x as { title?: string }).title ?? '')));
    expect(titles.some((title) => /\bk\*?(\b|$)|\bk\*/.test(title))).toBe(true);
  });

  it('accuracy and cost against k: a model that no k is feasible for in any seed says so in its panel, clear of what it draws', async () => {
    let notes = 0;
    for (const figure of figures.filter((f) => /^(accuracy|cost)-vs-k--/.test(f.name))) {
      const condition = a.data.conditions.find((c) => figure.name.endsWith(`--${c.slug}`))!;
      const infeasible = a.data.models
        .filter((m) => a.data.curves.get(curveKey(condition.id, m.id))!.every((p) => p.feasibleShare === 0))
        .map((m) => m.label);
      const rows = (figure.spec as unknown as { datasets: { rows: Record<string, unknown>[] } }).datasets.rows;
      expect(rows.filter((r) => r.kind === 'note').map((r) => r.model), figure.name).toEqual(infeasible);
      const cells = groupsNamed(await sceneOf(figure.spec), /^cell$/)[0]!;
      cells.forEach((cell, i) => {
        const marks = (cell.items ?? []) as (SceneItem & { items: (SceneItem & { dx?: number; dy?: number })[] })[];
        const note = marks.findLast((m) => m.marktype === 'text' && m.items.some((t) => t.text === 'no feasible k'))?.items[0];
        expect(note !== undefined, `${figure.name}, ${a.data.models[i]!.label}`).toBe(infeasible.includes(a.data.models[i]!.label));
        if (!note) return;
        notes++;
        const box = textBox(note);
        expect(box.y0).toBeGreaterThanOrEqual(0);
        for (const mark of marks.filter((m) => m.marktype === 'symbol').flatMap((m) => m.items)) {
          const nearest = [Math.min(Math.max(mark.x!, box.x0), box.x1), Math.min(Math.max(mark.y!, box.y0), box.y1)];
          expect(Math.hypot(mark.x! - nearest[0]!, mark.y! - nearest[1]!), figure.name).toBeGreaterThan(Math.sqrt((mark.size as number) / Math.PI));
        }
      });
    }
    // The synthetic study has such a model: GPT-5 under cost-constrained, in both figures.
    expect(notes).toBeGreaterThanOrEqual(2);
  });

  it('size classes: a model run in a scenario keeps its row there without a pick, with no mark', async () => {
    // GPT-5 has no pick under cost-constrained, where a medium and a small model have theirs.
    const figure = sizeClassFigure(analyze(syntheticReportInput({ models: ['gpt5', 'gpt5-mini', 'gpt5-nano'], seeds: 3, kCount: 12 }), 50));
    const rows = (figure.spec as unknown as { datasets: { rows: Record<string, unknown>[] } }).datasets.rows;
    const drawn = (figure.spec as unknown as { vconcat: { title: { text: string } }[] }).vconcat.map((v) => v.title.text);
    const unpicked = rows.filter((r) => r.mean === null && drawn.includes(String(r.condition)));
    expect(unpicked.map((r) => `${String(r.condition)}: ${String(r.model)}`)).toContain('cost-constrained: GPT-5');
    const labels = texts(await sceneOf(figure.spec), 'axis-label').map((t) => String(t.text));
    for (const model of new Set(unpicked.map((r) => r.model))) {
      // Once per scenario drawn, in the first column.
      expect(labels.filter((l) => l === model).length, String(model)).toBe(drawn.length);
    }
  });

  it("size classes: each scenario's cost axis ends at the powers of ten just around its costs, no empty decade beyond them", async () => {
    const study = analyze(syntheticReportInput({ models: ['gpt5', 'gpt5-mini', 'gpt5-nano'], seeds: 3, kCount: 12 }), 50);
    const dollars = (text: string) => Number(text.replace('$', ''));
    let panels = 0;
    for (const condition of study.data.conditions) {
      const figure = sizeClassFigure(conditionsView(study, (c) => c.id === condition.id, (c) => c.scenario));
      const rows = (figure.spec as unknown as { datasets: { rows: Record<string, unknown>[] } }).datasets.rows;
      const costs = rows.filter((r) => r.measure === 'cost per request at k* ($, log)').flatMap((r) => [r.lo, r.mean, r.hi]).filter((v): v is number => typeof v === 'number');
      if ((figure.spec as unknown as { vconcat: unknown[] }).vconcat.length === 0 || costs.length === 0) continue;
      panels += 1;
      const labels = texts(await sceneOf(figure.spec), 'axis-label').map((t) => String(t.text)).filter((t) => t.startsWith('$')).map(dollars);
      const decade = (v: number) => Math.log10(v);
      const whole = (v: number) => v + 0; // -0 as 0
      expect(whole(Math.round(decade(Math.max(...labels)))), condition.id).toBe(whole(Math.ceil(decade(Math.max(...costs)) - 1e-9)));
      expect(whole(Math.round(decade(Math.min(...labels)))), condition.id).toBe(whole(Math.floor(decade(Math.min(...costs)) + 1e-9)));
    }
    expect(panels).toBeGreaterThan(0);
  });

  it('tooltips write cost and latency as the tables do, and name a value without its axis\'s scale note or a unit in another row', () => {
    // Vega's own number formatting, which its tooltips use (d3-format; not in vega's types).
    const locale = (vega as unknown as { defaultLocale(): { format(specifier: string): (x: number) => string } }).defaultLocale();
    // The formats give the tables' text: 3 significant digits, trailing zeros kept.
    for (const x of [0.09402, 0.435, 0.9575, 0.00087]) expect(locale.format(TOOLTIP_FORMAT.cost)(x)).toBe(fmt.cost(x));
    for (const x of [86, 53.76, 247.3, 8.7]) expect(locale.format(TOOLTIP_FORMAT.latency)(x)).toBe(fmt.latency(x));
    for (const figure of figures) {
      const tips = collect(figure.spec, 'tooltip').flatMap((t) => (Array.isArray(t) ? t : [])) as { field?: string; title?: string; format?: string }[];
      const titles = tips.map((t) => t.title ?? '');
      expect(titles.filter((t) => /\(log\)|, log\)/.test(t)), figure.name).toEqual([]);
      // A cost or latency in seconds is written as the tables write it (a share or a ratio of them is not).
      const measured = tips.filter((t) => t.format && /^(mean )?(cost|latency)\b(?!.*(saved|\/))/.test(t.title ?? ''));
      for (const t of measured) expect([TOOLTIP_FORMAT.cost, TOOLTIP_FORMAT.latency], `${figure.name}: ${t.title}`).toContain(t.format);
      // Figures of a measure per column say the measure where they give its mean, not in a row of its own.
      if (titles.some((t) => t.startsWith('mean ') && /\(%|\/ T_max/.test(t))) expect(tips.filter((t) => t.field === 'measure'), figure.name).toEqual([]);
    }
  });

  it('curve tooltips show k and the values', () => {
    const curve = figures.find((f) => f.name.startsWith('accuracy-vs-k'))!;
    const titles = collect(curve.spec, 'tooltip').flatMap((t) => (Array.isArray(t) ? t.map((x) => (x as { title: string }).title) : []));
    expect(titles).toEqual(expect.arrayContaining(['k', 'mean accuracy', 'most frequent k*']));
  });

  it('projections: one row per model, aligned across the columns; one x scale per column, its axis once under the bottom row', async () => {
    const figure = figures.find((f) => f.name.startsWith('projections--'))!;
    const view = await viewOf(figure.spec);
    const scene = (view as unknown as { scenegraph(): { root: SceneItem } }).scenegraph().root;
    const headers = ['latency (s) vs cost ($)', 'accuracy vs cost ($)', 'accuracy vs latency (s)'];
    const xTitles = ['cost ($, log)', 'cost ($, log)', 'latency (s, log)'];
    const columns = groupsNamed(scene, /^concat_\d+_cell$/);
    expect(columns).toHaveLength(3);
    let [kept, rounded] = [0, 0];
    const tops = columns[0]!.map((c) => c.y);
    columns.forEach((cells, j) => {
      // Rows in model order, the model's name inside the first panel of its row.
      expect(cells.map((c) => texts(c, 'mark').find((t) => t.text !== '')?.text ?? null)).toEqual(a.data.models.map((m) => (j === 0 ? m.label : null)));
      // Each row at the same height in every column, evenly spaced.
      expect(cells.map((c) => c.y)).toEqual(tops);
      tops.slice(1).forEach((top, i) => expect(top - tops[i]!).toBe(tops[1]! - tops[0]!));
      // No panel has an x axis of its own: the column's one is drawn in its footer, titled.
      // (An x axis's labels are centred under their ticks; the y axis's stand right-aligned beside them.)
      for (const cell of cells) expect(texts(cell, 'axis-label').filter((t) => t.align === 'center')).toEqual([]);
      // One x scale for the whole column, its domain reaching every model's extremes.
      const x = view.scale(`concat_${j}_x`);
      const field = xTitles[j]!.startsWith('cost') ? 'cost' : 'latency';
      const rows = (figure.spec as unknown as { datasets: { rows: Record<string, unknown>[] } }).datasets.rows;
      const values = rows.filter((r) => r.kind === 'point').map((r) => r[field] as number);
      expect(x.type).toBe('log');
      expect(x.domain()[0]).toBeLessThanOrEqual(Math.min(...values));
      expect(x.domain()[1]).toBeGreaterThanOrEqual(Math.max(...values));
      // Spanning two decades or more, it keeps to the data (and the budget), not rounded out to
      // whole decades: its padding beyond them, no more, and at least two decades labelled.
      const limit = (a.data.conditions[0]!.constraints as Record<string, number> | null)?.[field === 'cost' ? 'C_max' : 'T_max'];
      const drawn = [...values, ...rows.filter((r) => r.kind === 'pick').map((r) => r[field] as number), ...(limit === undefined ? [] : [limit])];
      const [lo, hi] = [Math.min(...drawn), Math.max(...drawn)];
      const px = (v: number) => x(v) as number;
      const gaps = [px(lo) - px(x.domain()[0]), px(x.domain()[1]) - px(hi)];
      if (Math.log10(hi / lo) >= 2) {
        kept++;
        expect(gaps.map((gap) => Math.abs(gap - RING_PADDING) < 1e-6), `${field}: ${gaps}, ${x.domain()}, ${lo}-${hi}`).toEqual([true, true]);
      } else {
        // A shorter one is rounded out to whole decades, so that it has a labelled decade at all.
        rounded++;
        expect(x.domain().map((v: number) => Number.isInteger(Math.log10(v)))).toEqual([true, true]);
      }
      expect(texts(footerOf(scene, j), 'axis-label').length).toBeGreaterThanOrEqual(2);
    });
    // The synthetic study has axes of both kinds.
    expect([kept, rounded].every((n) => n > 0)).toBe(true);
    // The latency axes of the first column label the same decades in every row, the even ones.
    for (const cell of columns[0]!) {
      const labels = texts(cell, 'axis-label').map((t) => Number(t.text));
      expect(labels.length).toBeGreaterThan(0);
      for (const v of labels) expect(Math.abs(Math.round(Math.log10(v)) % 2), String(v)).toBe(0);
    }
    // The model's name is drawn after the rings, over them.
    const marks = (columns[0]![0]!.items ?? []).map((m) => m.marktype);
    expect(marks.lastIndexOf('text')).toBeGreaterThan(marks.lastIndexOf('symbol'));
    const footers = groupsNamed(scene, /^concat_\d+_column_footer$/);
    expect(footers.map((f) => texts(f[0]!, 'axis-title').map((t) => t.text))).toEqual(xTitles.map((t) => [t]));
    expect(groupsNamed(scene, /_column_header$/).map((h) => texts(h[0]!, 'title-text')[0]?.text)).toEqual(headers);
    view.finalize();
  });

  it('measure columns: one x scale per measure, shared by the scenarios; the share of seeds always 0 to 100%, inside the frame', async () => {
    const view = await viewOf(named('latency-violations').spec);
    // One scale per column, none per panel: the rows of a column are read against one axis.
    expect(view.scale('concat_0_x')).toBeTypeOf('function');
    // From 0 to 100%, a little beyond each, so that a share of 0 or 100% is a whole point inside the frame.
    const [lo, hi] = view.scale('concat_1_x').domain() as [number, number];
    expect([lo < 0 && lo > -5, hi > 100 && hi < 105]).toEqual([true, true]);
    expect(view.scale('concat_1_x').ticks!(6)).toEqual([0, 20, 40, 60, 80, 100]);
    // The budget (a ratio of 1) is drawn inside the frame, not on its edge.
    expect(view.scale('concat_0_x').domain()[1]).toBeGreaterThan(1);
    view.finalize();
  });

  it('draws k* on a log axis, as the curves do, ticked at powers of two evenly spaced down from the largest k drawn, every label drawn', async () => {
    const figure = named('picks');
    const scene = await sceneOf(figure.spec);
    const labels = [...new Set(texts(scene, 'axis-label').map((t) => String(t.text)).filter((t) => /^\d+$/.test(t)))].map(Number);
    type Row = { lo: number | null; mean: number | null; hi: number | null };
    const ks = (figure.spec as unknown as { datasets: { rows: Row[] } }).datasets.rows.flatMap((r) => [r.lo, r.mean, r.hi].filter((v): v is number => v !== null));
    // Powers of two, evenly spaced (2 or 4 apart, at most four), every one asked for drawn, the
    // largest the last at or under the largest k drawn (an interval's end included).
    const asked = (JSON.stringify(figure.spec).match(/"values":\[(\d+(?:,\d+)*)\],"tickCount"/)?.[1] ?? '').split(',').map(Number);
    expect(labels).toEqual(asked);
    expect(labels.length).toBeGreaterThan(1);
    expect(labels.length).toBeLessThanOrEqual(4);
    expect(labels.every((v) => Number.isInteger(Math.log2(v)))).toBe(true);
    expect(new Set(labels.slice(1).map((v, i) => v / labels[i]!)).size).toBe(1);
    const largest = labels.at(-1)!;
    expect(largest <= Math.max(...ks) && Math.max(...ks) < 2 * largest).toBe(true);
  });

  it("names in the stability figure's subtitle the selector whose k* repeats least, from the data", () => {
    const mean = (selector: string) => {
      const shares = a.cells.filter((c) => c.selector === selector && c.spread.modeShare !== null).map((c) => c.spread.modeShare!);
      return shares.reduce((x, y) => x + y, 0) / shares.length;
    };
    const least = [...a.data.selectors].sort((x, y) => mean(x) - mean(y))[0]!;
    const subtitleOf = (f: Figure) => (f.spec as unknown as { title: { subtitle: string[] } }).title.subtitle.join(' ');
    expect(subtitleOf(named('stability'))).toContain(`${least} scatters most (on average`);
    // Every selector as stable as the next: none named.
    const alike = { ...a, cells: a.cells.map((c) => ({ ...c, spread: { ...c.spread, modeShare: 1 } })) } as typeof a;
    expect(subtitleOf(stabilityFigure(alike))).not.toContain('scatter');
  });

  it("gives each stability circle's share of the seeds with a pick, as the tables give the modal k*'s", () => {
    type Circle = { condition: string; model: string; selector: string; k: number | null; seeds: number; share: number };
    const circles = (stabilityFigure(a).spec as unknown as { datasets: { rows: Circle[] } }).datasets.rows.filter((r) => r.k !== null && r.k !== undefined);
    let checked = 0;
    let partly = 0;
    for (const condition of a.data.conditions) {
      for (const model of a.data.models) {
        for (const selector of a.data.selectors) {
          const own = circles.filter((r) => r.condition === condition.label && r.model === model.label && r.selector === selector);
          const picks = a.index.cell(condition.id, model.id, selector);
          const picked = picks.filter((p) => p.kStar !== null).length;
          const cell = a.cell(condition.id, model.id, selector);
          if (own.length === 0 || !cell) continue;
          expect(own.reduce((n, r) => n + r.seeds, 0)).toBe(picked);
          for (const r of own) expect(r.share).toBeCloseTo(r.seeds / picked, 3);
          expect(Math.max(...own.map((r) => r.share))).toBeCloseTo(cell.spread.modeShare!, 3);
          checked++;
          // A cell with seeds that pick nothing, where a share of all the seeds would differ.
          if (picked < picks.length) partly++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
    // No cell here has seeds that pick nothing, where a share of all the seeds would differ: one made so.
    expect(partly).toBe(0);
    const [condition, model, selector] = [a.data.conditions[0]!, a.data.models[0]!, a.data.selectors[0]!];
    const index = Object.create(a.index) as typeof a.index;
    index.cell = (c, m, s) => a.index.cell(c, m, s).map((p, i) => (c === condition.id && m === model.id && s === selector && i === 0 ? { ...p, kStar: null } : p));
    const seeds = a.index.cell(condition.id, model.id, selector).length;
    const lacking = (stabilityFigure({ ...a, index } as typeof a).spec as unknown as { datasets: { rows: Circle[] } }).datasets.rows.filter(
      (r) => r.condition === condition.label && r.model === model.label && r.selector === selector && r.k !== null && r.k !== undefined,
    );
    expect(lacking.reduce((n, r) => n + r.seeds, 0)).toBe(seeds - 1);
    for (const r of lacking) expect(r.share).toBeCloseTo(r.seeds / (seeds - 1), 3);
  });

  it('says in the subtitle why a ring or a dot is missing, only where one is', () => {
    const subtitleOf = (f: Figure) => (f.spec as unknown as { title: { subtitle: string[] } }).title.subtitle.join(' ');
    const condition = a.data.conditions[0]!;
    const everyPick = a.data.models.every((m) => a.data.selectors.every((s) => a.cell(condition.id, m.id, s)?.spread.mode !== null));
    expect(everyPick).toBe(true);
    expect(subtitleOf(curveFigure(a, condition, 'accuracy'))).not.toContain('No ring');
    expect(subtitleOf(projectionsFigure(a, condition))).not.toContain('No ring');
    // knee-paper picks nothing for the first model in any seed.
    const [model, knee] = [a.data.models[0]!.id, 'knee-paper'];
    const unpicked = {
      ...a,
      cell: (...args: Parameters<typeof a.cell>) => {
        const c = a.cell(...args);
        return c && args[1] === model && args[2] === knee ? { ...c, spread: { ...c.spread, mode: null } } : c;
      },
    } as typeof a;
    expect(subtitleOf(curveFigure(unpicked, condition, 'accuracy'))).toContain('No ring: no k picked in any seed.');
    expect(subtitleOf(projectionsFigure(unpicked, condition))).toContain('No ring: no k picked in any seed.');
    // A model no k is feasible for: the curve panel says so; the projections name it.
    const infeasibleIn = (c: (typeof a.data.conditions)[number]) => a.data.models.filter((m) => (a.data.curves.get(curveKey(c.id, m.id)) ?? []).every((p) => p.feasibleShare === 0)).map((m) => m.label);
    const tight = a.data.conditions.find((c) => infeasibleIn(c).length > 0)!;
    expect(tight).toBeDefined();
    expect(subtitleOf(projectionsFigure(a, tight))).toContain(`No feasible k for ${listInWords(infeasibleIn(tight))}.`);
    expect(subtitleOf(projectionsFigure(a, condition))).not.toContain('No feasible k');
    // Balance: a dot missing where no pick, or no feasible k, gives it a value.
    const balanceRows = (named('balance').spec as unknown as { datasets: { rows: { mean: unknown }[] } }).datasets.rows;
    expect(subtitleOf(named('balance')).includes('No dot: in no seed a pick with a balance: none, no feasible k to measure it against, or a pick outside F where F has one value of a measure and the pick another (no range scales its regret).')).toBe(balanceRows.some((r) => r.mean === null));
  });

  it('says on a cost axis that the band is there, too narrow to see, within how far of the line', () => {
    const subtitleOf = (f: Figure) => (f.spec as unknown as { title: { subtitle: string[] } }).title.subtitle.join(' ');
    for (const condition of a.data.conditions) {
      expect(subtitleOf(curveFigure(a, condition, 'accuracy'))).not.toContain('too narrow');
      const rows = (curveFigure(a, condition, 'cost').spec as unknown as { datasets: { rows: { kind: string; mean: number; lo: number; hi: number }[] } }).datasets.rows.filter((r) => r.kind === 'curve');
      const widest = Math.max(...rows.map((r) => Math.max(r.hi / r.mean - 1, 1 - r.lo / r.mean)));
      expect(subtitleOf(curveFigure(a, condition, 'cost')).replace(/\s+/g, ' ')).toContain(`within ${Math.round(100 * widest)}% of the line, too narrow to see at this scale`);
    }
  });

  it('ticks a log k axis at every other power of two down from the largest where every one would crowd it, evenly', () => {
    expect(powerOfTwoTicks(4, 128)).toEqual([4, 8, 16, 32, 64, 128]);
    expect(powerOfTwoTicks(4, 128, 4)).toEqual([8, 32, 128]);
    expect(powerOfTwoTicks(4, 1024)).toEqual([4, 16, 64, 256, 1024]);
    // Evenly spaced: not 8 beside 16 at the low end.
    expect(powerOfTwoTicks(8, 1024)).toEqual([16, 64, 256, 1024]);
    expect(powerOfTwoTicks(1, 128)).toEqual([2, 8, 32, 128]);
    expect(powerOfTwoTicks(3, 130)).toEqual([4, 8, 16, 32, 64, 128]);
    expect(powerOfTwoTicks(12, 13)).toEqual([8, 16]);
  });

  it('ticks a log k axis of picks within one octave at the powers of two around them', async () => {
    const octave = (c: NonNullable<ReturnType<typeof a.cell>>) => ({ ...c, kStar: { ...c.kStar, mean: c.kStar.mean === null ? null : 12, lo: c.kStar.lo === null ? null : 12, hi: c.kStar.hi === null ? null : 13 } });
    const within = { ...a, cell: (...args: Parameters<typeof a.cell>) => { const c = a.cell(...args); return c && octave(c); } } as typeof a;
    const labels = [...new Set(texts(await sceneOf(picksFigure(within).spec), 'axis-label').map((t) => String(t.text)).filter((t) => /^\d+$/.test(t)))];
    expect(labels).toEqual(['8', '16']);
  });

  it('picks: a dot is hollow exactly where the pick lies outside F in most seeds, and the caption says so only then', async () => {
    // Outside F in every seed for the first selector, in a third of the seeds for the second, never for the rest.
    const [always, sometimes] = a.data.selectors;
    const outsideShare = (selector: string) => (selector === always ? 1 : selector === sometimes ? 1 / 3 : 0);
    const cell: typeof a.cell = (...key) => {
      const c = a.cell(...key);
      return c && { ...c, infeasible: wilsonInterval(Math.round(outsideShare(c.selector) * c.trials), c.trials) };
    };
    const dots = async (figure: ReturnType<typeof picksFigure>) => {
      const cells = groupsNamed(await sceneOf(figure.spec), /^cell$/)[0]!;
      type Dot = SceneItem & { fill?: string; datum?: { selector: string; mean: number | null } };
      return cells.flatMap((c) => (c.items ?? []).filter((m) => m.marktype === 'symbol').flatMap((m) => (m.items ?? []) as Dot[]));
    };
    const figure = picksFigure({ ...a, cell });
    const drawn = await dots(figure);
    const hollow = drawn.filter((d) => d.fill === 'white');
    expect(hollow.length).toBeGreaterThan(0);
    expect(new Set(hollow.map((d) => d.datum?.selector))).toEqual(new Set([always]));
    expect(drawn.filter((d) => d.datum?.selector === always).every((d) => d.fill === 'white')).toBe(true);
    expect(figure.caption).toContain('Hollow dot: the pick lies outside the feasible set F');
    const none = picksFigure({ ...a, cell: (...key) => { const c = a.cell(...key); return c && { ...c, infeasible: wilsonInterval(0, c.trials) }; } });
    expect((await dots(none)).some((d) => d.fill === 'white')).toBe(false);
    expect(none.caption).not.toContain('Hollow');
  });

  it('stability summary: a bar or line at 100% ends inside its panel, and the axis labels of neighbouring panels stand apart', async () => {
    // Every selector of every model at the same k* in every seed: every bar and line at 100%.
    const stable = { ...a, cell: (...key: Parameters<typeof a.cell>) => { const c = a.cell(...key); return c && { ...c, spread: { ...c.spread, modeShare: c.spread.modeShare === null ? null : 1 } }; } } as typeof a;
    type Placed = { x: number; x2: number; y: number; text: string; role: string; marktype: string };
    type Node = SceneItem & { x?: number; y?: number; width?: number; x2?: number; text?: unknown };
    const placed: Placed[] = [];
    const half = (text: string) => textWidth('regular', AXIS.labelFontSize, text) / 2;
    // A mark's items sit at the mark's origin; a group item's marks at the item's x and y.
    const visit = (n: Node, x: number, y: number, role: string, marktype: string): void => {
      if (!n.marktype && n.x !== undefined) {
        const [at, text] = [x + n.x, String(n.text ?? '')];
        const [from, to] = marktype === 'text' ? [at - half(text), at + half(text)] : marktype === 'rule' ? [at, x + (n.x2 ?? n.x)] : [at, at + (n.width ?? 0)];
        placed.push({ x: from, x2: to, y: y + (n.y ?? 0), text, role, marktype });
      }
      const [hx, hy] = n.marktype ? [x, y] : [x + (n.x ?? 0), y + (n.y ?? 0)];
      for (const child of n.items ?? []) visit(child, hx, hy, n.marktype ? (n.role ?? '') : role, n.marktype ?? marktype);
    };
    const scene = await sceneOf(stabilitySummaryFigure(stable).spec);
    visit(scene, 0, 0, '', '');
    const cells = placed.filter((p) => p.role === 'scope' && p.marktype === 'group');
    expect(cells.length).toBe(a.data.conditions.length);
    const marks = placed.filter((p) => p.role === 'mark' && (p.marktype === 'rect' || p.marktype === 'rule'));
    expect(marks.length).toBeGreaterThan(0);
    for (const m of marks) expect(cells.some((c) => m.x >= c.x && m.x2 < c.x2 - 1)).toBe(true);
    const labels = placed.filter((p) => p.role === 'axis-label' && /%$/.test(p.text));
    expect(labels.length).toBe(3 * a.data.conditions.length);
    for (const row of new Set(labels.map((l) => Math.round(l.y)))) {
      const line = labels.filter((l) => Math.round(l.y) === row).sort((p, q) => p.x - q.x);
      for (let i = 1; i < line.length; i++) expect(line[i]!.x, `${line[i - 1]!.text} then ${line[i]!.text}`).toBeGreaterThan(line[i - 1]!.x2);
    }
  });

  it('rings: dashed exactly where fewer than half the seeds chose the ring\'s k*, in the curves and the projections, and the caption says so only then', async () => {
    const condition = a.data.conditions[0]!;
    const [unsettled] = a.data.selectors;
    const withShares = (share: (selector: string) => number) => ({
      ...a,
      cell: (...key: Parameters<typeof a.cell>) => {
        const c = a.cell(...key);
        return c && { ...c, spread: { ...c.spread, modeShare: c.spread.modeShare === null ? null : share(c.selector) } };
      },
    }) as typeof a;
    type Ring = SceneItem & { strokeDash?: number[] | null; datum?: { selector: string; kind: string } };
    const rings = async (figure: Figure) => {
      const out: Ring[] = [];
      const visit = (n: SceneItem): void => {
        if (n.marktype === 'symbol' && n.role === 'mark') out.push(...((n.items ?? []) as Ring[]).filter((i) => i.datum?.kind === 'pick'));
        for (const child of n.items ?? []) visit(child);
      };
      visit(await sceneOf(figure.spec));
      return out;
    };
    const dashed = (r: Ring) => Array.isArray(r.strokeDash) && r.strokeDash[1]! > 0;
    // A solid ring has no dash pattern at all: a PDF writer draws even a gapless pattern such as
    // [1, 0] as one filled piece per unit of length (the projections' PDFs were 2.5 times larger).
    const solid = (r: Ring) => r.strokeDash == null || r.strokeDash.length === 0;
    const mixed = withShares((s) => (s === unsettled ? 0.4 : 0.5));
    for (const figure of [curveFigure(mixed, condition, 'accuracy'), projectionsFigure(mixed, condition)]) {
      const drawn = await rings(figure);
      expect(drawn.some((r) => r.datum?.selector === unsettled), figure.name).toBe(true);
      for (const r of drawn) {
        expect(dashed(r), `${figure.name} ${r.datum?.selector}`).toBe(r.datum?.selector === unsettled);
        expect(solid(r), `${figure.name} ${r.datum?.selector}`).toBe(r.datum?.selector !== unsettled);
      }
      expect(subtitleOf(figure), figure.name).toContain('Dashed ring: a k* fewer than half the seeds chose.');
    }
    const settled = withShares(() => 1);
    for (const figure of [curveFigure(settled, condition, 'accuracy'), projectionsFigure(settled, condition)]) {
      expect((await rings(figure)).every(solid), figure.name).toBe(true);
      expect(subtitleOf(figure), figure.name).not.toContain('Dashed ring');
    }
  });

  it('says when cost and latency saved nearly coincide, and only then', () => {
    const note = (f: ReturnType<typeof savingsFigure>) => f.caption.includes('Cost and latency saved differ by');
    expect(note(savingsFigure(a))).toBe(true);
    const apart = a.paired.map((p) => ({ ...p, latencySaved: { ...p.latencySaved, mean: p.latencySaved.mean === null ? null : p.latencySaved.mean + 5 } }));
    expect(note(savingsFigure({ ...a, paired: apart } as typeof a))).toBe(false);
  });

  it('keeps the names on a band axis at their bands (no label pushed flush onto its neighbour)', async () => {
    for (const name of ['size-classes', 'stability-summary', 'picks']) {
      const scene = await sceneOf(named(name).spec);
      const names = texts(scene, 'axis-label').filter((t) => a.data.models.some((m) => m.label === t.text) || a.data.selectors.includes(t.text as string));
      expect(names.length, name).toBeGreaterThan(0);
      expect(new Set(names.map((t) => t.baseline)), name).toEqual(new Set(['middle']));
    }
  });

  it('balance: linear from 0 to 1, where the selectors that respect the budgets lie; a mean beyond 1 drawn as a triangle at "> 1"', async () => {
    // Balances stretched so that the largest is 3: some means lie beyond 1, as a baseline's outside F do.
    const top = Math.max(...a.cells.map((c) => c.balance.hi ?? c.balance.mean ?? 0));
    const figure = balanceFigure(withBalances(a, (v) => (v * 3) / top));
    const rows = (figure.spec as unknown as { datasets: { rows: { mean: number | null; beyond: boolean; atMean: number | null }[] } }).datasets.rows;
    const beyond = rows.filter((r) => r.mean !== null && r.mean > 1);
    expect(beyond.length).toBeGreaterThan(0);
    expect(beyond.length).toBeLessThan(rows.length);
    for (const r of rows) expect(r.beyond).toBe(r.mean !== null && r.mean > 1);
    expect(new Set(beyond.map((r) => r.atMean))).toEqual(new Set([1.2]));
    const scene = await sceneOf(figure.spec);
    expect([...new Set(texts(scene, 'axis-label').map((t) => String(t.text)).filter((t) => !a.data.models.some((m) => m.label === t)))]).toEqual(['0', '0.5', '1', '> 1']);
    const cells = groupsNamed(scene, /^cell$/)[0]!;
    const symbols = cells.flatMap((cell) => (cell.items ?? []).filter((m) => m.marktype === 'symbol').flatMap((m) => (m.items ?? []) as (SceneItem & { shape?: string; datum?: { beyond: boolean } })[]));
    const triangles = symbols.filter((d) => d.shape === 'triangle-right');
    expect(triangles.length).toBe(beyond.length);
    expect(triangles.every((d) => d.datum?.beyond)).toBe(true);
    expect(figure.caption).toContain('A triangle at "> 1"');
  });

  it('balance: without a mean or interval beyond 1, the axis ends at 1 and says nothing of triangles', async () => {
    // Only an interval beyond 1: the axis says "> 1", and the caption speaks of the line, not of triangles.
    const within = withBalances(a, (v) => Math.min(v, 0.9));
    const cell: typeof a.cell = (...key) => {
      const c = within.cell(...key);
      return c && { ...c, balance: { ...c.balance, hi: c.balance.hi === null ? null : c.balance.hi + 0.3 } };
    };
    const reaching = balanceFigure({ ...within, cell });
    const rows = (reaching.spec as unknown as { datasets: { rows: { beyond: boolean; atHi: number | null }[] } }).datasets.rows;
    expect(rows.some((r) => r.beyond)).toBe(false);
    expect(rows.some((r) => r.atHi === 1.2)).toBe(true);
    expect(reaching.caption).toContain('A line to "> 1"');
    expect(reaching.caption).not.toContain('triangle');
    const figure = balanceFigure(withBalances(a, (v) => Math.min(v, 0.9)));
    expect([...new Set(texts(await sceneOf(figure.spec), 'axis-label').map((t) => String(t.text)).filter((t) => /\d/.test(t) && !a.data.models.some((m) => m.label === t)))]).toEqual(['0', '0.5', '1']);
    expect(figure.caption).not.toContain('triangle');
  });

  it('budget labels lie over the rings, one text mark each where clear of everything, else on a white halo of filled (never stroked) text', async () => {
    const figure = figures.find((f) => f.name.startsWith('cost-vs-k--'))!;
    const scene = await sceneOf(figure.spec);
    const cells = groupsNamed(scene, /^cell$/)[0]!;
    expect(cells.length).toBe(a.data.models.length);
    for (const cell of cells) {
      const marks = (cell.items ?? []) as (SceneItem & { items: (SceneItem & { fill?: string; stroke?: string })[] })[];
      const label = marks.findLastIndex((m) => m.marktype === 'text' && m.items.some((t) => String(t.text).startsWith('C_max')));
      const rings = marks.findIndex((m) => m.marktype === 'symbol' && m.items.some(isRing));
      expect(rings).toBeGreaterThanOrEqual(0);
      expect(label).toBeGreaterThan(rings);
      // Clear of everything in this small study: the label alone, no white copy of it anywhere.
      expect(marks.filter((m) => m.marktype === 'text' && m.items.some((t) => t.fill === 'white'))).toEqual([]);
    }
    // A label that covers something (no place was clear) is drawn over eight white copies of it.
    const rows = [
      { kind: 'budget', model: 'A', place: 'above-right', halo: false },
      { kind: 'budget', model: 'B', place: 'above-right', halo: true },
    ];
    const layers = placedText(rows, 'budget', { datum: 1 }, 'C_max') as { mark: { color: string }; transform: { filter: string }[] }[];
    expect(layers.map((l) => [l.mark.color, l.transform[0]!.filter])).toEqual([
      ['#333333', "datum.kind === 'budget' && datum.place === 'above-right' && datum.halo === false"],
      ...Array(8).fill(['white', "datum.kind === 'budget' && datum.place === 'above-right' && datum.halo === true"]),
      ['#333333', "datum.kind === 'budget' && datum.place === 'above-right' && datum.halo === true"],
    ]);
  });

  it('accuracy and cost against k: k on a log axis, labelled at every power of two from the least k to the largest', async () => {
    // Candidate k 4, 8, ..., 128.
    const long = analyze(syntheticReportInput({ scenarios: ['balanced'], models: ['gpt5', 'gpt5-nano'], selectors: ['accuracy-max', 'fixed-k'], seeds: 3, kCount: 32 }), 50);
    for (const metric of ['accuracy', 'cost'] as const) {
      const spec = curveFigure(long, long.data.conditions[0]!, metric).spec;
      const x = JSON.stringify(spec).match(/"x":\{"field":"k","type":"quantitative","title":"k \(samples, log\)","scale":(\{[^}]*\})/);
      expect(JSON.parse(x![1]!)).toMatchObject({ type: 'log', base: 2 });
      const labels = texts(await sceneOf(spec), 'axis-label').map((t) => String(t.text)).filter((t) => /^\d+$/.test(t));
      expect(new Set(labels), metric).toEqual(new Set(['4', '8', '16', '32', '64', '128']));
    }
  });

  it('sweep: the panels line up whatever their ranges of k*, the parameter named in words and by its path', async () => {
    // Candidate k up to 128: accuracy-max picks tens of k for GPT-5 and over a hundred for GPT-5 Nano.
    const models = ['gpt5', 'gpt5-mini', 'gpt5-nano', 'nemotron-ultra-253b', 'nemotron-h-47b', 'qwen3-30b-a3b'];
    const wide = analyze(syntheticReportInput({ scenarios: ['balanced'], models, selectors: ['accuracy-max', 'fixed-k'], seeds: 3, kCount: 32, variants: [{ 'sim.M': 100 }, { 'sim.M': 300 }] }), 50);
    const figure = allFigures(wide).find((f) => f.name === 'sweep--sim.m-balanced')!;
    expect(figure.title).toBe('k* against the Monte Carlo size M: balanced');
    const scene = await sceneOf(figure.spec);
    const labels = texts(scene, 'axis-label').map((t) => String(t.text));
    expect(labels).toEqual(expect.arrayContaining(['20', '100']));
    // Two rows of three: each panel straight under the one above it.
    const cells = groupsNamed(scene, /^cell$/).flat();
    expect(cells).toHaveLength(6);
    for (let column = 0; column < 3; column++) expect(cells[column + 3]!.x, `column ${column}`).toBe(cells[column]!.x);
    expect(JSON.stringify(figure.spec)).toContain('"title":"Monte Carlo size M"');
    expect(subtitleOf(figure)).toContain('In the study: sim.M.');
  });

  it('picks and balance: every dot lies whole inside its panel, at either end of the axis too', async () => {
    for (const name of ['picks', 'balance']) {
      const cells = groupsNamed(await sceneOf(named(name).spec), /^cell$/)[0]!;
      const dots = cells.flatMap((cell) =>
        (cell.items ?? []).filter((m) => m.marktype === 'symbol').flatMap((mark) => (mark.items ?? []).map((dot) => ({ dot, width: cell.width as number }))),
      );
      expect(dots.length, name).toBeGreaterThan(0);
      const outside = dots.filter(({ dot, width }) => {
        const r = Math.sqrt((dot.size as number) / Math.PI);
        return dot.x! - r < 0 || dot.x! + r > width;
      });
      expect(outside.map(({ dot }) => dot.datum), name).toEqual([]);
    }
  });

  it('stability: every circle lies whole inside its panel, at the smallest and at the largest k too', async () => {
    const scene = await sceneOf(named('stability').spec);
    const cells = groupsNamed(scene, /^cell$/)[0]!;
    expect(cells.length).toBeGreaterThan(0);
    let circles = 0;
    for (const cell of cells) {
      for (const mark of (cell.items ?? []).filter((m) => m.marktype === 'symbol')) {
        for (const circle of mark.items ?? []) {
          const r = Math.sqrt((circle.size as number) / Math.PI);
          expect(circle.x! - r).toBeGreaterThanOrEqual(0);
          expect(circle.x! + r).toBeLessThanOrEqual(cell.width as number);
          circles++;
        }
      }
    }
    expect(circles).toBeGreaterThan(0);
  });

  it('log cost axes are ticked at powers of ten only, in every panel', async () => {
    for (const name of [figures.find((f) => f.name.startsWith('cost-vs-k--'))!.name, figures.find((f) => f.name.startsWith('projections--'))!.name, 'size-classes--sim.m-100']) {
      const all = texts(await sceneOf(figures.find((f) => f.name === name)!.spec), 'axis-label').map((t) => String(t.text));
      // A tick between the decades would come with an empty label (and a grid line).
      expect(all.filter((t) => t === ''), name).toEqual([]);
      const labels = all.filter((t) => t.startsWith('$'));
      expect(labels.length, name).toBeGreaterThan(0);
      for (const label of labels) expect(Number.isInteger(Math.log10(Number(label.slice(1)))), `${name}: ${label}`).toBe(true);
    }
  });

  it('projections: without any point for the last model, the rows end with the row above, its axes under it', async () => {
    const condition = a.data.conditions[0]!;
    const last = a.data.models[a.data.models.length - 1]!;
    const curves = new Map(a.data.curves);
    curves.delete(curveKey(condition.id, last.id));
    const figure = projectionsFigure({ ...a, data: { ...a.data, curves } }, condition);
    const scene = await sceneOf(figure.spec);
    const columns = groupsNamed(scene, /^concat_\d+_cell$/);
    const footers = groupsNamed(scene, /^concat_\d+_column_footer$/);
    columns.forEach((cells, j) => {
      expect(cells).toHaveLength(a.data.models.length - 1);
      // The footer (axis and title) starts where the last drawn row ends.
      const bottom = cells.at(-1)!.y + (cells.at(-1)!.height as number);
      expect(footers[j]![0]!.y).toBe(bottom);
    });
  });
});

/** The figures wider than the text width or higher than a page, with their sizes. */
/** Each figure's spec valid against the Vega-Lite schema, drawn with no warning, within the text width and a page. */
async function expectDrawnWithin(figures: readonly Figure[]): Promise<void> {
  for (const figure of figures) {
    expect(validate(JSON.parse(JSON.stringify(figure.spec))) ? [] : validate.errors?.slice(0, 3), figure.name).toEqual([]);
    expect(vegaLiteProblem(figure.spec), figure.name).toBeNull();
    const warnings: string[] = [];
    await renderSvg(compileVegaLite(figure.spec, warnings), warnings);
    expect(warnings, figure.name).toEqual([]);
  }
  expect(await oversized(figures)).toEqual([]);
}

async function oversized(figures: readonly Figure[]): Promise<string[]> {
  const tooLarge: string[] = [];
  for (const figure of figures) {
    const { width, height } = svgSize(await renderSvg(compileVegaLite(figure.spec)));
    if (width > TEXT_WIDTH) tooLarge.push(`${figure.name}: ${width} pt wide`);
    if (height > TEXT_HEIGHT) tooLarge.push(`${figure.name}: ${height} pt high`);
  }
  return tooLarge;
}

/** The figure's view, evaluated (the caller finalizes it). */
async function viewOf(spec: Parameters<typeof compileVegaLite>[0]): Promise<vega.View> {
  const view = new vega.View(vega.parse(compileVegaLite(spec)), { renderer: 'none' });
  await view.runAsync();
  return view;
}

/** The figure laid out by Vega: its scenegraph. */
async function sceneOf(spec: Parameters<typeof compileVegaLite>[0]): Promise<SceneItem> {
  const view = await viewOf(spec);
  const root = (view as unknown as { scenegraph(): { root: SceneItem } }).scenegraph().root;
  view.finalize();
  return root;
}

/** A figure's subtitle, its lines joined. */
const subtitleOf = (figure: Figure): string => (figure.spec as unknown as { title: { subtitle: string[] } }).title.subtitle.join(' ');

describe('sweep figures: the swept parameter in words, with its unit, and what its k* show', () => {
  const sweeps = (variants: Record<string, Json>[], scenarios = ['balanced']) =>
    allFigures(analyze(syntheticReportInput({ scenarios, models: ['gpt5', 'gpt5-nano'], selectors: ['accuracy-max', 'fixed-k'], seeds: 3, kCount: 8, variants }), 20)).filter((f) => f.name.startsWith('sweep--'));
  const xTitle = (figure: Figure) => (collect(figure.spec, 'x')[0] as { title: string | string[] }).title;
  const SETTLES = 'A selector whose k* settles stops moving as M grows.';
  const bySize = sweeps([{ 'sim.M': 100 }, { 'sim.M': 300 }]);
  const byBudget = sweeps([{ 'scenarios.balanced.C_max': 0.25 }, { 'scenarios.balanced.C_max': 0.5 }], ['balanced', 'cost-constrained']);
  const crossed = sweeps([0.5, 2].flatMap((scale) => [4, 16].map((k) => ({ 'sim.sd_A_scale': scale, fixed_k: k }))));
  const unnamed = sweeps([{ 'custom.knob': 1 }, { 'custom.knob': 2 }]);
  const zipped = sweeps([{ 'sim.M': 100, 'sim.k_max': 16 }, { 'sim.M': 300, 'sim.k_max': 32 }, { 'sim.M': 1000, 'sim.k_max': 64 }]);

  it('the Monte Carlo size alone is said to settle k* as it grows', () => {
    expect(bySize.map((f) => f.title)).toEqual(['k* against the Monte Carlo size M: balanced']);
    expect(xTitle(bySize[0]!)).toBe('Monte Carlo size M');
    expect(subtitleOf(bySize[0]!)).toBe(`Dot: mean k* over seeds; line: 95% bootstrap interval. ${SETTLES} In the study: sim.M.`);
  });

  it("a scenario's budget: named with its unit, k* said to move with it; the other scenarios' picks said not to depend on it", () => {
    expect(byBudget.map((f) => f.title)).toEqual(['k* against the cost budget C_max of balanced: balanced', 'k* against the cost budget C_max of balanced: cost-constrained']);
    for (const figure of byBudget) {
      expect([xTitle(figure)].flat().join(' '), figure.name).toBe('cost budget C_max of balanced ($)');
      expect(subtitleOf(figure), figure.name).not.toContain('settles');
      expect(subtitleOf(figure), figure.name).toContain('In the study: scenarios.balanced.C_max.');
    }
    expect(subtitleOf(byBudget[0]!)).toContain('The budget decides which k are feasible, so k* may move with it.');
    expect(subtitleOf(byBudget[1]!)).toContain('The cost budget C_max of balanced applies to balanced only: the picks of cost-constrained do not depend on it.');
  });

  it('the fixed k and the accuracy spread, swept across each other: one figure per value of the other, each in its words', () => {
    expect(crossed.map((f) => f.title)).toEqual([
      'k* against the fixed k of the 1D baseline: balanced (sim.sd_A_scale=0.5)',
      'k* against the fixed k of the 1D baseline: balanced (sim.sd_A_scale=2)',
      'k* against the accuracy spread (sd_A scale): balanced (fixed_k=4)',
      'k* against the accuracy spread (sd_A scale): balanced (fixed_k=16)',
    ]);
    expect(subtitleOf(crossed[0]!)).toContain("fixed-k's k* is the value itself; no other selector reads it.");
    expect(subtitleOf(crossed[2]!)).toContain("Every model's accuracy spread sd_A is scaled by the value");
    for (const figure of crossed) expect(subtitleOf(figure), figure.name).not.toContain('settles');
  });

  it('a parameter without words: named by its path, once', () => {
    expect(unnamed.map((f) => f.title)).toEqual(['k* against custom.knob: balanced']);
    expect(xTitle(unnamed[0]!)).toBe('custom.knob');
    expect(subtitleOf(unnamed[0]!)).toBe("Dot: mean k* over seeds; line: 95% bootstrap interval. How far a selector's k* moves with custom.knob shows how much its pick depends on it.");
  });

  it('zipped parameters: k* against their values together, each value a line of its label, as the axis title names them', async () => {
    expect(zipped.map((f) => [f.name, f.title])).toEqual([['sweep--sim.m-sim.k-max-balanced', 'k* against the Monte Carlo size M and the largest k (k_max) together: balanced']]);
    const figure = zipped[0]!;
    expect(xTitle(figure)).toEqual(['Monte Carlo size M', 'largest k (k_max)']);
    expect(subtitleOf(figure)).toContain('Swept together (zipped): each value on the axis gives Monte Carlo size M, then largest k (k_max), a line each.');
    expect(subtitleOf(figure)).toContain(SETTLES);
    const labels = texts(await sceneOf(figure.spec), 'axis-label').map((t) => t.text);
    expect(labels).toEqual(expect.arrayContaining([['100', '16'], ['300', '32'], ['1000', '64']]));
  });

  it('each is a valid spec that Vega draws without a warning, within the text width and a page', async () => {
    await expectDrawnWithin([...bySize, ...byBudget, ...crossed, ...unnamed, ...zipped]);
  });
});

describe('figures at the size of the paper study', () => {
  // Every model, scenario and selector (the names set the widths), and a swept parameter for the ablation figures.
  const input = syntheticReportInput({ seeds: 4, kCount: 12, variants: [{ 'sim.M': 100 }, { 'sim.M': 300 }] });
  const a = analyze(input, 100);
  const figures = allFigures(a);

  it('accuracy and cost against k: each budget label clear of every ring, point and stretch of the curve, wherever the curve meets the budget', async () => {
    const curves = figures.filter((f) => /^(accuracy|cost)-vs-k--/.test(f.name));
    expect(curves.length).toBeGreaterThan(0);
    const places = new Set<unknown>();
    for (const figure of curves) {
      for (const row of (figure.spec as unknown as { datasets: { rows: Record<string, unknown>[] } }).datasets.rows) if (row.kind === 'budget') places.add(row.place);
      for (const cell of groupsNamed(await sceneOf(figure.spec), /^cell$/)[0]!) {
        const marks = (cell.items ?? []) as (SceneItem & { items: (SceneItem & { dx?: number; dy?: number; align?: string; fontSize?: number })[] })[];
        const label = marks.findLast((m) => m.marktype === 'text' && m.items.some((t) => /^(C_max|acc_min)/.test(String(t.text))))?.items[0];
        expect(label, figure.name).toBeDefined();
        const box = textBox(label!);
        const rings = marks.filter((m) => m.marktype === 'symbol').flatMap((m) => m.items.filter(isRing));
        expect(rings.length, figure.name).toBeGreaterThan(0);
        const points = marks.filter((m) => m.name === 'curve_points_marks').flatMap((m) => m.items);
        expect(points.length, figure.name).toBeGreaterThan(0);
        for (const mark of [...rings, ...points]) {
          const r = Math.sqrt((mark.size as number) / Math.PI);
          const nearestX = Math.min(Math.max(mark.x!, box.x0), box.x1);
          const nearestY = Math.min(Math.max(mark.y!, box.y0), box.y1);
          expect(Math.hypot(mark.x! - nearestX, mark.y! - nearestY), `${figure.name}: ${JSON.stringify(mark.datum)}`).toBeGreaterThan(r);
        }
        // The line between the points, sampled every half point.
        const line = [...points].sort((p, q) => p.x! - q.x!);
        for (let i = 1; i < line.length; i++) {
          const [p, q] = [line[i - 1]!, line[i]!];
          const steps = Math.ceil(2 * Math.hypot(q.x! - p.x!, q.y! - p.y!));
          for (let s = 0; s <= steps; s++) {
            const [x, y] = [p.x! + ((q.x! - p.x!) * s) / steps, p.y! + ((q.y! - p.y!) * s) / steps];
            expect(x > box.x0 && x < box.x1 && y > box.y0 && y < box.y1, `${figure.name}: the curve at (${x}, ${y}) crosses ${label!.text}`).toBe(false);
          }
        }
      }
    }
    // The synthetic study's curves meet the budgets at places that put the labels in more than one place.
    expect(places.size).toBeGreaterThan(1);
  });

  it('projections: each model\'s name one text mark where it is clear of every point, ring, cross and budget line, else over a white halo', async () => {
    type Item = SceneItem & { strokeWidth?: number; x2?: number; y2?: number; fontWeight?: string };
    let [clear, haloed] = [0, 0];
    for (const figure of figures.filter((f) => f.name.startsWith('projections--'))) {
      for (const cell of groupsNamed(await sceneOf(figure.spec), /^concat_0_cell$/)[0]!) {
        const marks = (cell.items ?? []) as (SceneItem & { items: Item[] })[];
        const names = marks.filter((m) => m.marktype === 'text').flatMap((m) => m.items);
        const label = names.find((t) => t.fill !== 'white');
        expect(label, figure.name).toBeDefined();
        const halo = names.filter((t) => t.fill === 'white');
        expect(halo.map((t) => t.text), figure.name).toEqual(halo.length === 0 ? [] : Array(8).fill(label!.text));
        if (halo.length > 0) {
          haloed++;
          continue;
        }
        clear++;
        const box = textBox({ ...label!, dx: 0, dy: 0 }, label!.fontWeight === 'bold' ? 'bold' : 'regular');
        const inBox = (x: number, y: number) => x > box.x0 && x < box.x1 && y > box.y0 && y < box.y1;
        for (const symbol of marks.filter((m) => m.marktype === 'symbol').flatMap((m) => m.items)) {
          const r = Math.sqrt(symbol.size!) / 2 + (symbol.strokeWidth ?? 0) / 2;
          const nearest = [Math.min(Math.max(symbol.x!, box.x0), box.x1), Math.min(Math.max(symbol.y!, box.y0), box.y1)] as const;
          expect(Math.hypot(symbol.x! - nearest[0], symbol.y! - nearest[1]), `${figure.name}: ${String(label!.text)} over ${JSON.stringify(symbol.datum)}`).toBeGreaterThan(r);
        }
        const rules = marks.filter((m) => m.marktype === 'rule').flatMap((m) => m.items);
        expect(rules.length, figure.name).toBeGreaterThan(0);
        for (const rule of rules) {
          const [x0, y0, x1, y1] = [rule.x!, rule.y!, rule.x2 ?? rule.x!, rule.y2 ?? rule.y!];
          for (let s = 0; s <= 200; s++) expect(inBox(x0 + ((x1 - x0) * s) / 200, y0 + ((y1 - y0) * s) / 200), `${figure.name}: a budget line under ${String(label!.text)}`).toBe(false);
        }
      }
    }
    // The synthetic study has names of both kinds.
    expect(clear).toBeGreaterThan(0);
    expect(haloed).toBeGreaterThan(0);
  });

  it('draws every selector in its colour as the palette defines it, opaque (the colour-vision check holds for those colours)', async () => {
    const palette = new Set(Object.values(SELECTOR_COLOURS).map((c) => c.toLowerCase()));
    let seen = 0;
    const faded: string[] = [];
    for (const figure of figures) {
      const visit = (n: SceneItem & { opacity?: number; fillOpacity?: number; strokeOpacity?: number }): void => {
        for (const [paint, alpha] of [[n.fill, n.fillOpacity], [n.stroke, n.strokeOpacity]] as const) {
          if (typeof paint !== 'string' || !palette.has(paint.toLowerCase())) continue;
          seen++;
          if ((n.opacity ?? 1) * (alpha ?? 1) !== 1) faded.push(`${figure.name}: ${paint} at ${(n.opacity ?? 1) * (alpha ?? 1)}`);
        }
        for (const child of n.items ?? []) visit(child);
      };
      visit(await sceneOf(figure.spec));
    }
    expect(seen).toBeGreaterThan(1000);
    expect([...new Set(faded)]).toEqual([]);
  });

  it('projections of k to 1024, whose latencies reach a million seconds, keep to the text width', async () => {
    const wide = allFigures(analyze(syntheticReportInput({ seeds: 2, kCount: 256 }), 20)).filter((f) => f.name.startsWith('projections--'));
    expect(wide.length).toBeGreaterThan(0);
    expect(await oversized(wide)).toEqual([]);
    expect(await hiddenLabels(wide)).toEqual([]);
  });

  it('hides no axis label for want of room (Vega hides every other where two overlap), in any figure', async () => {
    expect(await hiddenLabels(figures)).toEqual([]);
  });

  it('k axes: every label asked for is drawn (none dropped for want of room), in picks and in the curves', async () => {
    // Candidates up to 128, as in the paper: six powers of two from 4.
    const paperK = allFigures(analyze(syntheticReportInput({ seeds: 3, kCount: 32 }), 50));
    const kFigures = paperK.filter((f) => /^(picks|accuracy-vs-k|cost-vs-k)/.test(f.name));
    expect(kFigures.length).toBeGreaterThan(3);
    for (const figure of kFigures) {
      const asked = (JSON.stringify(figure.spec).match(/"values":\[(\d+(?:,\d+)*)\],"tickCount":\d+,"format":"d"/)?.[1] ?? '').split(',');
      expect(asked.length, figure.name).toBeGreaterThan(1);
      // A label Vega drops for overlap stays in the scene, at opacity 0.
      const drawn = new Set(texts(await sceneOf(figure.spec), 'axis-label').filter((t) => (t as { opacity?: number }).opacity !== 0).map((t) => String(t.text)));
      expect(asked.filter((v) => !drawn.has(v)), figure.name).toEqual([]);
    }
    // Picks: labelled at every power of two from the smallest pick to the largest, both ends too.
    const picks = paperK.find((f) => f.name === 'picks')!;
    const ends = (picks.spec as unknown as { datasets: { rows: { lo: number | null; mean: number | null; hi: number | null }[] } }).datasets.rows.flatMap((r) => [r.lo, r.mean, r.hi]).filter((v): v is number => v !== null);
    const [least, most] = [Math.ceil(Math.log2(Math.min(...ends))), Math.floor(Math.log2(Math.max(...ends)))];
    expect(most - least).toBeGreaterThanOrEqual(4);
    const labelled = texts(await sceneOf(picks.spec), 'axis-label').filter((t) => (t as { opacity?: number }).opacity !== 0).map((t) => String(t.text));
    for (let e = least; e <= most; e++) expect(labelled, `2^${e}`).toContain(String(2 ** e));
  });

  it('projections: name up to three models no k is feasible for, count more, and fit a page with a note above', async () => {
    const c = a.data.conditions[0]!;
    const without = (n: number) => {
      const curves = new Map(a.data.curves);
      for (const m of a.data.models.slice(0, n)) curves.set(curveKey(c.id, m.id), (curves.get(curveKey(c.id, m.id)) ?? []).map((p) => ({ ...p, feasibleShare: 0 })));
      return { ...a, data: { ...a.data, curves } } as typeof a;
    };
    const subtitleOf = (f: Figure) => (f.spec as unknown as { title: { subtitle: string[] } }).title.subtitle.join(' ');
    const names = a.data.models.map((m) => m.label);
    expect(subtitleOf(projectionsFigure(without(2), c))).toContain(`No feasible k for ${names[0]} and ${names[1]}.`);
    expect(subtitleOf(projectionsFigure(without(4), c))).toContain(`No feasible k for 4 of the ${names.length} models (their points all light).`);
    const all = projectionsFigure(without(names.length), c);
    expect(subtitleOf(all)).toContain('No feasible k for any model.');
    // With the note an incomplete study's figures carry above the subtitle, still within a page.
    const noted = withNoteAbove(all, 'INCOMPLETE STUDY: 100 of 200 trials (50.0%); figures, tables and verdicts will change.');
    expect(svgSize(await renderSvg(compileVegaLite(noted.spec))).height).toBeLessThanOrEqual(TEXT_HEIGHT);
  });

  it("a feasibility rule not the paper's: said where the figures show F, the projections within a page still, with a note above", async () => {
    const rule = { feasibility: 'chance', delta: 0.1, latency: 'waves' };
    const ruled = { ...a, data: { ...a.data, conditions: a.data.conditions.map((c) => ({ ...c, rule })) } } as typeof a;
    const c = ruled.data.conditions[0]!;
    // Its longest subtitle: no model with a feasible k.
    const curves = new Map(a.data.curves);
    for (const m of a.data.models) curves.set(curveKey(c.id, m.id), (curves.get(curveKey(c.id, m.id)) ?? []).map((p) => ({ ...p, feasibleShare: 0 })));
    const longest = projectionsFigure({ ...ruled, data: { ...ruled.data, curves } } as typeof a, c);
    const said =
      'F here: the k whose cost and latency budgets hold together in at least 90% of the Monte Carlo runs (chance constraints, delta = 0.1) and whose mean accuracy meets acc_min; ' +
      'latency: ceil(k/P) waves of P calls, each as slow as its slowest call (stragglers).';
    // The balance figure as the report draws it: the conditions of one swept value.
    const page = (of: typeof a) => conditionsView(of, (x) => x.variant['sim.M'] === 100, (x) => x.scenario);
    const drawn = [curveFigure(ruled, c, 'accuracy'), curveFigure(ruled, c, 'cost'), projectionsFigure(ruled, c), balanceFigure(page(ruled)), longest];
    for (const figure of drawn) expect(subtitleOf(figure), figure.name).toContain(said);
    const paper = a.data.conditions[0]!;
    for (const figure of [curveFigure(a, paper, 'accuracy'), projectionsFigure(a, paper), balanceFigure(page(a))]) expect(subtitleOf(figure), figure.name).not.toContain('F here');
    expect(await oversized(drawn)).toEqual([]);
    const noted = withNoteAbove(longest, 'INCOMPLETE STUDY: 100 of 200 trials (50.0%); figures, tables and verdicts will change.');
    expect(svgSize(await renderSvg(compileVegaLite(noted.spec))).height).toBeLessThanOrEqual(TEXT_HEIGHT);
  });

  it('size classes: leaves out, and names, a scenario where accuracy-max picked for no model (nothing for its log axis to span)', async () => {
    const none = a.data.conditions[0]!;
    const empty = { mean: null, lo: null, hi: null };
    const unpicked = {
      ...a,
      cell: (...args: Parameters<typeof a.cell>) => {
        const c = a.cell(...args);
        return c && args[0] === none.id && args[2] === 'accuracy-max' ? { ...c, cost: { ...c.cost, ...empty }, accuracy: { ...c.accuracy, ...empty } } : c;
      },
    } as typeof a;
    const figure = sizeClassFigure(unpicked);
    const spec = figure.spec as unknown as { vconcat: { title: { text: string } }[]; title: { subtitle: string[] } };
    expect(spec.vconcat.map((v) => v.title.text)).toEqual(a.data.conditions.slice(1).map((c) => c.label));
    expect(spec.title.subtitle.join(' ')).toContain(`Not shown: ${none.label}, where no model had one.`);
    const warnings: string[] = [];
    await renderSvg(compileVegaLite(figure.spec, warnings), warnings);
    expect(warnings).toEqual([]);
  });

  it('draws nothing that Vega-Lite or Vega warns about, nor text its font lacks, so that render draws each spec again as it is', async () => {
    for (const figure of figures) {
      expect(vegaLiteProblem(figure.spec), figure.name).toBeNull();
      const warnings: string[] = [];
      await renderSvg(compileVegaLite(figure.spec, warnings), warnings);
      expect(warnings, figure.name).toEqual([]);
    }
  });

  it('every one fits the text width of a two-column paper, subtitle included, and a page: a swept value has figures of its own', async () => {
    expect(figures.length).toBeGreaterThan(20);
    expect(await oversized(figures)).toEqual([]);
  });

  it('stability: each selector name fits its column pitch (a long one in two lines), so that no two run together', async () => {
    const stability = figures.find((f) => f.name.startsWith('stability--'))!;
    const headers = groupsNamed(await sceneOf(stability.spec), /column_header$/).flat();
    expect(headers.map((h) => h.datum?.selector)).toEqual(SELECTOR_IDS);
    const pitch = headers[1]!.x! - headers[0]!.x!;
    for (const header of headers) {
      const label = texts(header, 'title-text')[0]!;
      const lines = Array.isArray(label.text) ? label.text.map(String) : [String(label.text)];
      expect(lines.join(''), 'the name, whole').toBe(header.datum?.selector);
      for (const line of lines) expect(textWidth('regular', label.fontSize!, line), line).toBeLessThanOrEqual(pitch);
    }
  });
});

describe('a study of more scenarios than fit a page, two of its own, listed in its own order', () => {
  const own = (id: string, C_max: number, T_max: number) => ({ id, intent: id, C_max, T_max, acc_min: 0.85, P: 1, k_max: 12, M: 100 });
  const scenarios = ['balanced', 'tight-latency', 'accuracy-critical', 'loose', 'cost-constrained'];
  const input = syntheticReportInput({ scenarios, newScenarios: [own('tight-latency', 0.5, 20), own('loose', 5, 300)], seeds: 4, kCount: 12 });
  const a = analyze(input, 100);
  const figures = allFigures(a);
  const ACROSS = ['picks', 'balance', 'savings', 'stability', 'stability-summary', 'size-classes', 'latency-violations'];

  it('sets its conditions side by side in parts of at most three, in the order the study lists them, each named in its title', () => {
    expect(a.data.conditions.map((c) => c.scenario)).toEqual(scenarios);
    const across = figures.filter((f) => ACROSS.includes(f.name.split('--')[0]!));
    expect(across.map((f) => f.name)).toEqual(ACROSS.flatMap((n) => [`${n}--part-1-of-2`, `${n}--part-2-of-2`]));
    for (const figure of across) {
      const [part, parts] = figure.name.match(/part-(\d)-of-(\d)$/)!.slice(1);
      expect(figure.title, figure.name).toMatch(new RegExp(`[(;] ?part ${part} of ${parts}\\)$`));
      expect(figure.title, figure.name).not.toMatch(/\) \(/);
      const rows = (figure.spec as unknown as { datasets: { rows: Record<string, unknown>[] } }).datasets.rows;
      const shown = [...new Set(rows.map((r) => r.condition).filter((c) => c !== undefined))];
      const expected = part === '1' ? scenarios.slice(0, 3) : scenarios.slice(3);
      if (shown.length > 0) expect(new Set(shown), figure.name).toEqual(new Set(expected));
    }
  });

  it('every figure fits the text width and a page', async () => {
    expect(await oversized(figures)).toEqual([]);
  });
});

describe('a study of long model names, a fourth scenario and a swept budget', () => {
  const LONG = 'GPT-5 (2025-08-07, reasoning effort: high)';
  const OWN = 'Our fine-tuned Llama-3.1-8B-Instruct (LoRA r=16)';
  const enterprise = { id: 'enterprise', intent: 'enterprise SLA', C_max: 0.3, T_max: 120, acc_min: 0.97, P: 4, k_max: 128, M: 300 };
  const own = { name: OWN, size: 'small' as const, mu_in: 1024, sd_in: 64, mu_out: 2048, sd_out: 128, c_in: 1e-7, c_out: 2e-7, t_in: 1e-4, t_out: 1e-3, mu_A: 0.9, sd_A: 0.05 };
  const input = syntheticReportInput({
    scenarios: ['accuracy-critical', 'balanced', 'cost-constrained', 'enterprise'],
    newScenarios: [enterprise],
    models: ['gpt5', 'gpt5-nano', 'qwen3-30b-a3b', 'my-ft'],
    modelParams: { gpt5: { name: LONG }, 'my-ft': own },
    selectors: ['knee-chord', 'accuracy-max', 'knee-paper', 'utopia', 'accuracy-max-2d', 'fixed-k'],
    seeds: 4,
    kCount: 12,
    variants: [{ 'scenarios.balanced.C_max': 0.25 }, { 'scenarios.balanced.C_max': 1 }],
  });
  const figures = allFigures(analyze(input, 100));

  it('every figure is a valid spec that Vega draws without a warning, within the text width and a page: names cut or in lines, titles wrapped', async () => {
    expect(figures.length).toBeGreaterThan(40);
    await expectDrawnWithin(figures);
  });

  it('a title wider than the text width in lines, and every name whole in the data that tooltips give', () => {
    const wrappedTitles = figures.filter((f) => Array.isArray((f.spec as unknown as { title: { text: unknown } }).title.text));
    expect(wrappedTitles.length).toBeGreaterThan(0);
    for (const f of wrappedTitles) expect(((f.spec as unknown as { title: { text: string[] } }).title.text).join(' '), f.name).toBe(f.title);
    for (const f of figures) {
      const rows = (f.spec as unknown as { datasets: { rows: Record<string, unknown>[] } }).datasets.rows;
      const models = new Set(rows.map((r) => r.model).filter((m) => m !== undefined));
      if (models.size > 0) expect([...models].filter((m) => String(m).includes('\u2026')), f.name).toEqual([]);
      if (models.size > 0) expect([...models], f.name).toEqual(expect.arrayContaining([OWN]));
    }
  });
});

describe('cost against k when a request costs fractions of a cent', () => {
  // The paper's models at a thousandth of their prices: decade labels down to $0.000001.
  const a = analyze(syntheticReportInput({ scenarios: ['balanced'], models: ['gpt5', 'gpt5-nano', 'qwen3-30b-a3b'], seeds: 3, kCount: 12 }), 50);
  const cheap = (b: Band) => ({ ...b, mean: b.mean / 1000, lo: b.lo === null ? null : b.lo / 1000, hi: b.hi === null ? null : b.hi / 1000 });
  const curves = new Map([...a.data.curves].map(([key, points]) => [key, points.map((p) => ({ ...p, cost: cheap(p.cost) }))]));
  const cents = { ...a, data: { ...a.data, curves } };

  it('fits the text width, every panel beside an axis of the same width', async () => {
    const figure = curveFigure(cents, a.data.conditions[0]!, 'cost');
    const cost = await sceneOf(figure.spec);
    const labels = texts(cost, 'axis-label').map((t) => String(t.text));
    expect(labels).toEqual(expect.arrayContaining(['$0.00001']));
    expect(svgSize(await renderSvg(compileVegaLite(figure.spec))).width).toBeLessThanOrEqual(TEXT_WIDTH);
    const cells = groupsNamed(cost, /^cell$/).flat();
    expect(cells).toHaveLength(3);
    const pitch = cells[1]!.x! - cells[0]!.x!;
    expect(cells[2]!.x! - cells[1]!.x!).toBe(pitch);
    // Every label within its axis's room, clear of the axis title beyond it.
    const extent = Number(JSON.stringify(figure.spec).match(/"minExtent":(\d+)/)![1]);
    const tooWide = labels.filter((l) => l.startsWith('$') && textWidth('regular', AXIS.labelFontSize, l) > extent - AXIS.tickSize - AXIS.labelPadding);
    expect(tooWide).toEqual([]);
  });
});

describe('a study that runs only some of the selectors', () => {
  const input = syntheticReportInput({ models: ['gpt5', 'qwen3-max'], selectors: ['knee-paper', 'fixed-k'], seeds: 4, kCount: 12 });
  const a = analyze(input, 100);

  it('gets no figure comparing selectors it does not run (none drawn empty), and the page says which and why', async () => {
    const comparisons = ['savings', 'size-classes', 'latency-violations'];
    expect(allFigures(a).map((f) => f.name).filter((name) => comparisons.includes(name))).toEqual([]);
    const leftOut = leftOutFigures(a);
    expect(leftOut.map((f) => [f.name, f.reason])).toEqual([
      ['savings', 'no accuracy-max in the results'],
      ['size-classes', 'no accuracy-max in the results; no small or medium model in the results'],
      ['latency-violations', 'no accuracy-max-2d or knee-2d in the results'],
    ]);
    const documents = await reportDocuments(input, { resamples: 100 });
    const page = String(documents.find((f) => f.path === 'index.html')?.content);
    for (const f of leftOut) expect(page).toContain(`<li><code>${f.name}</code>, ${f.shows}: ${f.reason}.</li>`);
    expect(documents.map((f) => f.path).filter((p) => comparisons.some((c) => p === `figures/${c}.vl.json`))).toEqual([]);
  });

  it('its tables of comparisons it cannot make say why they have no row; their CSVs keep the header alone', async () => {
    const documents = await reportDocuments(input, { resamples: 100 });
    const text = (path: string) => String(documents.find((f) => f.path === path)?.content);
    expect(text('tables/paired.md')).toMatch(/\n\nNo rows: no accuracy-max in the results\.\n$/);
    expect(text('tables/model-pairs.md')).toMatch(/\n\nNo rows: no accuracy-max in the results; no small or medium model in the results\.\n$/);
    for (const name of ['paired', 'model-pairs']) expect(text(`tables/${name}.csv`).trim().split('\n'), name).toHaveLength(1);
    expect(text('index.html')).toContain('<p>No rows: no accuracy-max in the results.</p>');
    // A study that can make them has rows and no such line.
    const full = await reportDocuments(syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], seeds: 3, kCount: 8 }), { resamples: 50 });
    expect(full.filter((f) => f.path.endsWith('.md') || f.path === 'index.html').filter((f) => String(f.content).includes('No rows:')).map((f) => f.path)).toEqual([]);
  });

  it('with one seed, leaves out the stability figures, where every k* would be trivially stable', () => {
    const one = analyze(syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], seeds: 1, kCount: 8 }), 50);
    const reason = 'one seed in the results, so every k* is trivially stable';
    expect(leftOutFigures(one).map((f) => [f.name, f.reason])).toEqual([
      ['stability', reason],
      ['stability-summary', reason],
    ]);
    expect(allFigures(one).map((f) => f.name)).toEqual(expect.arrayContaining(['picks', 'savings', 'size-classes', 'latency-violations']));
    expect(allFigures(one).map((f) => f.name).filter((name) => name.startsWith('stability'))).toEqual([]);
  });

  it('without any knee, leaves the savings out for that reason', () => {
    const b = analyze(syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], selectors: ['accuracy-max', 'accuracy-max-2d'], seeds: 3, kCount: 8 }), 50);
    expect(leftOutFigures(b)).toEqual([expect.objectContaining({ name: 'savings', reason: 'no knee-paper, knee-3d or knee-chord in the results' })]);
    expect(allFigures(b).map((f) => f.name)).toEqual(expect.arrayContaining(['size-classes', 'latency-violations']));
  });
});

describe('a study with nothing for a figure to show', () => {
  it('leaves out, with the reason, the figures of picks when no selector picks a k anywhere; the curves stay', () => {
    const base = syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], seeds: 3, kCount: 8 });
    let input = base;
    for (const scenario of ['balanced', 'accuracy-critical', 'cost-constrained']) for (const selector of ALL_SELECTORS) input = withoutPicks(input, scenario, selector);
    const a = analyze(input, 50);
    const none = 'no selector picked a k in any seed';
    expect(leftOutFigures(a).map((f) => [f.name, f.reason])).toEqual([
      ['picks', none],
      ['balance', 'no pick inside a feasible set, which balance is measured over, in any seed'],
      ['savings', 'no seed in which accuracy-max and a knee both picked a k'],
      ['stability', none],
      ['stability-summary', none],
      ['size-classes', 'accuracy-max picked no k in any seed'],
      ['latency-violations', 'no 2D selector picked a k in any seed'],
    ]);
    expect(new Set(allFigures(a).map((f) => f.name.split('--')[0]))).toEqual(new Set(['accuracy-vs-k', 'cost-vs-k', 'projections']));
    // One selector's picks are enough for the figures that show every selector's.
    const onlyFixedK = ['balanced', 'accuracy-critical', 'cost-constrained']
      .flatMap((scenario) => ALL_SELECTORS.filter((s) => s !== 'fixed-k').map((selector) => [scenario, selector] as const))
      .reduce((x, [scenario, selector]) => withoutPicks(x, scenario, selector), base);
    const leftOut = leftOutFigures(analyze(onlyFixedK, 50)).map((f) => f.name);
    expect(leftOut).toEqual(expect.arrayContaining(['savings', 'size-classes', 'latency-violations']));
    expect(leftOut.filter((name) => ['picks', 'stability', 'stability-summary'].includes(name))).toEqual([]);
  });

  it('leaves out the size classes without a small or medium model, or without a large one', () => {
    const reasons = (models: string[]) => leftOutFigures(analyze(syntheticReportInput({ models, seeds: 3, kCount: 8 }), 50)).map((f) => [f.name, f.reason]);
    expect(reasons(['gpt5', 'qwen3-max'])).toEqual([['size-classes', 'no small or medium model in the results']]);
    expect(reasons(['gpt5-mini'])).toEqual([['size-classes', 'no large model in the results']]);
    expect(reasons(['gpt5-mini', 'qwen3-max'])).toEqual([]);
  });
});

/** The input with no pick for `selector` in `scenario` (for `model` alone, when given): no feasible k in any seed. */
function withoutPicks(input: ReportInput, scenario: string, selector: string, model?: string): ReportInput {
  const none = { feasible_count: 0, pareto_count: 0, k_star: null, none_reason: 'no feasible k' };
  const hit = (v: ReportInput['trials'][number]['values']) => v.scenario === scenario && v.selector === selector && (model === undefined || v.model === model);
  return { ...input, trials: input.trials.map((t) => (hit(t.values) ? { ...t, result: none } : t)) };
}

describe('captions and legends of a study that runs little: they describe what is drawn', () => {
  // GPT-5 has no feasible k under cost-constrained: there GPT-5 Nano alone, a small model, has a pick.
  const twoModels = syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], seeds: 3, kCount: 8 });
  /** The figure, once its spec validates against the Vega-Lite schema and draws with no warning, within the text width and a page. */
  const checked = async (figure: Figure): Promise<Figure> => {
    expect(validate(JSON.parse(JSON.stringify(figure.spec))) ? [] : validate.errors?.slice(0, 3), figure.name).toEqual([]);
    const warnings: string[] = [];
    const { width, height } = svgSize(await renderSvg(compileVegaLite(figure.spec, warnings), warnings));
    expect(warnings, figure.name).toEqual([]);
    expect(width, figure.name).toBeLessThanOrEqual(TEXT_WIDTH);
    expect(height, figure.name).toBeLessThanOrEqual(TEXT_HEIGHT);
    return figure;
  };

  it('size classes: a scenario where accuracy-max picked for one size class alone is left out and named; the legend lists the classes drawn', async () => {
    const figure = await checked(sizeClassFigure(analyze(twoModels, 50)));
    expect((figure.spec as unknown as { vconcat: { title: { text: string } }[] }).vconcat.map((v) => v.title.text)).toEqual(['balanced', 'accuracy-critical']);
    expect(figure.caption).toContain('Not shown: cost-constrained, where only small models had one (nothing to compare).');
    expect(texts(await sceneOf(figure.spec), 'legend-label').map((t) => String(t.text))).toEqual(['large', 'small']);
    // Without a scenario of two size classes to compare, no figure; the page says why.
    const large = ['balanced', 'accuracy-critical'].reduce((input, scenario) => withoutPicks(input, scenario, 'accuracy-max', 'gpt5'), twoModels);
    const a = analyze(large, 50);
    expect(leftOutFigures(a).find((f) => f.name === 'size-classes')?.reason).toBe('no scenario in which accuracy-max picked a k for models of two size classes');
    expect(allFigures(a).map((f) => f.name)).not.toContain('size-classes');
  });

  it('latency: its title and subtitle name only the selectors the study runs', async () => {
    const latency = (selectors: string[]) => latencyFigure(analyze(syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], selectors, seeds: 3, kCount: 8 }), 50));
    const twoD = await checked(latency(['accuracy-max-2d', 'knee-2d']));
    expect(twoD.title).toBe('Latency at the pick: the 2D baselines');
    expect(twoD.caption).toMatch(/Wilson 95% interval\. 2D: accuracy-max-2d and knee-2d, which ignore latency\.$/);
    expect(twoD.caption).not.toMatch(/accuracy-max picks|1D|fixed-k|3D/);
    const knee = latency(['knee-2d', 'fixed-k']);
    expect(knee.title).toBe('Latency at the pick: the 2D and 1D baselines');
    expect(knee.caption).toMatch(/ 2D: knee-2d, which ignores latency; 1D: fixed-k\.$/);
    const all = latency(ALL_SELECTORS);
    expect(all.title).toBe('Latency at the pick: the 2D and 1D baselines against 3D');
    expect(all.caption).toContain('Wilson 95% interval (accuracy-max picks inside the 3D feasible set: never). 2D: accuracy-max-2d and knee-2d, which ignore latency; 1D: fixed-k.');
  });

  it('savings: a gap between cost and latency saved below the last of the six significant digits the figure gives is less than that digit, never noise', () => {
    const a = analyze(twoModels, 50);
    const saved = (gap: (cost: number) => number) => {
      const paired = a.paired.map((p) => ({ ...p, latencySaved: { ...p.latencySaved, mean: p.costSaved.mean === null ? null : p.costSaved.mean + gap(p.costSaved.mean) } }));
      return savingsFigure({ ...a, paired } as typeof a).caption;
    };
    const largest = Math.max(...a.paired.flatMap((p) => (p.costSaved.mean === null ? [] : [Math.abs(p.costSaved.mean)])));
    expect(largest).toBeGreaterThanOrEqual(10);
    expect(largest).toBeLessThan(100);
    // Savings of 10% to 100% are given to four decimals: 0.0001 points is their last digit.
    expect(saved(() => 3.6e-15)).toContain('Cost and latency saved differ by less than 0.0001 percentage points: ');
    expect(saved(() => 0.00009)).toContain('Cost and latency saved differ by less than 0.0001 percentage points: ');
    expect(saved(() => 0.0024)).toContain('Cost and latency saved differ by 0.0024 percentage points at most: ');
    expect(saved(() => 0)).toContain('Cost and latency saved are equal: ');
  });

  it('stability summary: of one model, a bar per selector, with no mean over models and no line for them', async () => {
    const figure = await checked(stabilitySummaryFigure(analyze(syntheticReportInput({ scenarios: ['balanced'], models: ['gpt5-mini'], seeds: 4, kCount: 8 }), 50)));
    expect(figure.caption).toContain('Share of the seeds with a pick at the most frequent k* (bar). 100%: the same k* in every seed that picks one.');
    expect(figure.caption).not.toMatch(/mean over models|line/);
    expect(collect(figure.spec, 'mark').filter((m) => (m as { type?: string }).type === 'rule')).toEqual([]);
    // Of two models, both.
    const two = stabilitySummaryFigure(analyze(twoModels, 50));
    expect(two.caption).toContain('mean over models (bar), with the least and most stable model (the line under the bar)');
    expect(collect(two.spec, 'mark').filter((m) => (m as { type?: string }).type === 'rule')).toHaveLength(1);
  });

  it('of one seed, no figure speaks of a bootstrap interval: those that draw one say there is none', async () => {
    const figures = allFigures(analyze(syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], seeds: 1, kCount: 8 }), 50));
    for (const figure of figures) await checked(figure);
    const saying = figures.filter((f) => f.caption.includes(NO_INTERVAL)).map((f) => f.name);
    expect(saying).toEqual(['picks', 'balance', 'savings', 'size-classes', 'latency-violations']);
    expect(figures.filter((f) => /bootstrap|line: 95%/.test(f.caption)).map((f) => f.name)).toEqual([]);
    expect(figures.find((f) => f.name === 'picks')!.caption).toContain(`Dot: mean k* over the seeds with a pick; ${NO_INTERVAL}.`);
    // With seeds to resample, each describes its line.
    const three = allFigures(analyze(twoModels, 50));
    expect(three.filter((f) => f.caption.includes(NO_INTERVAL)).map((f) => f.name)).toEqual([]);
    expect(three.filter((f) => /95% bootstrap interval/.test(f.caption)).map((f) => f.name)).toEqual(saying);
  });
});

describe('figures of a study of two models, with a selector that never picks in one scenario', () => {
  const input = withoutPicks(syntheticReportInput({ models: ['gpt5', 'qwen3-max'], seeds: 4, kCount: 12 }), 'accuracy-critical', 'knee-3d');
  const a = analyze(input, 100);
  const figures = allFigures(a);
  const figure = (name: string) => figures.find((f) => f.name === name)!;

  it('stability: every cell lies under its own selector and beside its own scenario, the empty one too', async () => {
    const scene = await sceneOf(figure('stability').spec);
    const [cells] = groupsNamed(scene, /^cell$/);
    const [columns] = groupsNamed(scene, /^column_header$/);
    const [rows] = groupsNamed(scene, /^row_header$/);
    const selectors = a.data.selectors;
    const conditions = a.data.conditions.map((c) => c.label);
    expect(cells).toHaveLength(selectors.length * conditions.length);
    expect(columns!.map((h) => h.datum?.selector)).toEqual(selectors);
    expect(rows!.map((h) => h.datum?.condition)).toEqual(conditions);
    for (const cell of cells!) {
      const place = `${cell.datum?.condition} / ${cell.datum?.selector}`;
      expect(columns!.find((h) => h.x === cell.x)?.datum?.selector, place).toBe(cell.datum?.selector);
      expect(rows!.find((h) => h.y === cell.y)?.datum?.condition, place).toBe(cell.datum?.condition);
    }
    // The empty pair has its cell, with no circle in it.
    const empty = cells!.find((c) => c.datum?.condition === 'accuracy-critical' && c.datum?.selector === 'knee-3d');
    expect(empty).toBeDefined();
    expect((empty!.items ?? []).filter((m) => m.marktype === 'symbol').flatMap((m) => m.items ?? [])).toEqual([]);
  });

  it('a scenario written along its row is no longer than the row', async () => {
    for (const name of ['stability', 'latency-violations', 'savings']) {
      const headers = rowHeaderLabels(await sceneOf(figure(name).spec));
      expect(headers.length, name).toBe(a.data.conditions.length);
      for (const { lines, fontSize, height } of headers) {
        for (const line of lines) expect(textWidth('bold', fontSize, line), `${name}: ${line}`).toBeLessThanOrEqual(height);
      }
    }
  });

  it('stability: the k axis is labelled at the smallest pick and at the largest candidate k, and nowhere else', async () => {
    const kMax = Math.max(...[...a.data.curves.values()].flat().map((p) => p.k));
    const kMin = Math.min(...a.data.picks.flatMap((p) => (p.kStar === null ? [] : [p.kStar])));
    const labels = texts(await sceneOf(figure('stability').spec), 'axis-label').filter((t) => /^\d+$/.test(String(t.text)));
    expect(kMin).toBeLessThan(kMax);
    expect(new Set(labels.map((t) => String(t.text)))).toEqual(new Set([String(kMin), String(kMax)]));
    expect(labels.filter((t) => (t as { opacity?: number }).opacity === 0)).toEqual([]);
  });

  it("stability: the size legend's circles are outlined as the circles they stand for, so that each is drawn at their size", async () => {
    type Outlined = SceneItem & { strokeWidth?: number; stroke?: string };
    const outlined: { role: string; items: Outlined[] }[] = [];
    const visit = (n: SceneItem): void => {
      if (n.marktype === 'symbol') outlined.push({ role: n.role ?? '', items: (n.items ?? []) as Outlined[] });
      for (const child of n.items ?? []) visit(child);
    };
    visit(await sceneOf(figure('stability').spec));
    const outline = (role: string) => new Set(outlined.filter((m) => m.role === role).flatMap((m) => m.items.map((i) => `${i.stroke} ${i.strokeWidth}`)));
    expect(outline('legend-symbol').size).toBe(1);
    expect(outline('legend-symbol')).toEqual(outline('mark'));
  });

  it('stability: one candidate k, every pick at it, is labelled at that k alone', async () => {
    const one = analyze(syntheticReportInput({ scenarios: ['balanced'], models: ['gpt5-mini', 'qwen3-30b-a3b'], selectors: ['accuracy-max', 'max-cube'], seeds: 3, kCount: 1 }), 20);
    const ks = new Set(one.data.picks.flatMap((p) => (p.kStar === null ? [] : [p.kStar])));
    expect([...ks]).toEqual([4]);
    const labels = texts(await sceneOf(stabilityFigure(one).spec), 'axis-label').filter((t) => /^\d+$/.test(String(t.text)));
    expect(new Set(labels.map((t) => String(t.text)))).toEqual(new Set(['4']));
  });

  it('balance: the same axis whatever the largest balance, every triangle whole at its end', async () => {
    const top = Math.max(...a.cells.map((c) => c.balance.hi ?? c.balance.mean ?? 0));
    for (const largest of [3, 10.4, 27, 130]) {
      const scene = await sceneOf(balanceFigure(withBalances(a, (v) => (v * largest) / top)).spec);
      const models = new Set(a.data.models.map((m) => m.label));
      const labels = texts(scene, 'axis-label').map((t) => String(t.text)).filter((l) => !models.has(l));
      expect([...new Set(labels)], `largest ${largest}`).toEqual(['0', '0.5', '1', '> 1']);
      for (const cell of groupsNamed(scene, /^cell$/)[0]!) {
        for (const mark of (cell.items ?? []).filter((m) => m.marktype === 'symbol')) {
          for (const dot of mark.items ?? []) expect(dot.x! + Math.sqrt((dot.size as number) / Math.PI), `largest ${largest}`).toBeLessThanOrEqual(cell.width as number);
        }
      }
    }
  });
});

/** The box a one-line text item covers, from its anchor, offsets, alignment and baseline (measured as drawn). */
function textBox(t: SceneItem & { dx?: number; dy?: number }, face: 'regular' | 'bold' = 'regular'): { x0: number; x1: number; y0: number; y1: number } {
  const w = textWidth(face, t.fontSize!, String(t.text));
  const h = t.fontSize!;
  const x0 = t.x! + (t.dx ?? 0) - (t.align === 'right' ? w : t.align === 'center' ? w / 2 : 0);
  const y0 = t.y! + (t.dy ?? 0) - (t.baseline === 'bottom' ? h : t.baseline === 'middle' ? h / 2 : 0);
  return { x0, x1: x0 + w, y0, y1: y0 + h };
}

/** A selector's ring: a symbol drawn by its stroke alone. */
function isRing(item: SceneItem): boolean {
  return item.stroke !== undefined && (item.fill === undefined || item.fill === 'transparent');
}

/** The analysis with every cell's mean balance and interval mapped by `f`. */
function withBalances(a: ReturnType<typeof analyze>, f: (v: number) => number): ReturnType<typeof analyze> {
  const map = (v: number | null) => (v === null ? null : f(v));
  const cell: typeof a.cell = (...key) => {
    const c = a.cell(...key);
    return c && { ...c, balance: { ...c.balance, mean: map(c.balance.mean), lo: map(c.balance.lo), hi: map(c.balance.hi) } };
  };
  return { ...a, cell };
}

/** Each row header of the figure: its label's lines, their font size, and the height of its row. */
function rowHeaderLabels(root: SceneItem): { lines: string[]; fontSize: number; height: number }[] {
  return groupsNamed(root, /row_header$/)
    .flat()
    .map((header) => {
      const label = texts(header, 'title-text')[0]!;
      const text = label.text;
      return { lines: Array.isArray(text) ? text.map(String) : [String(text)], fontSize: label.fontSize!, height: header.height! };
    });
}

interface SceneItem {
  marktype?: string;
  width?: number;
  size?: number;
  fill?: string;
  stroke?: string;
  role?: string;
  name?: string;
  items?: SceneItem[];
  datum?: Record<string, unknown>;
  height?: number;
  x?: number;
  y?: number;
  text?: unknown;
  baseline?: string;
  align?: string;
  fontSize?: number;
}

/** Per figure, the axis labels Vega drew at opacity 0: those it hid where two overlapped. */
async function hiddenLabels(figures: readonly Figure[]): Promise<string[]> {
  const hidden: string[] = [];
  for (const figure of figures) {
    const labels = texts(await sceneOf(figure.spec), 'axis-label').filter((t) => (t as { opacity?: number }).opacity === 0);
    if (labels.length) hidden.push(`${figure.name}: ${labels.map((t) => String(t.text)).join(', ')}`);
  }
  return hidden;
}

/** Column j's footer of a concatenated figure, where its x axis is drawn. */
function footerOf(root: SceneItem, j: number): SceneItem {
  return groupsNamed(root, new RegExp(`^concat_${j}_column_footer$`))[0]![0]!;
}

/** For each group mark whose name matches, its items, with y relative to the whole figure. */
function groupsNamed(root: SceneItem, name: RegExp): (SceneItem & { y: number })[][] {
  const found: (SceneItem & { y: number })[][] = [];
  // A mark's items sit at the mark's origin; an item's marks sit at the item's x and y.
  const visit = (n: SceneItem, y: number): void => {
    if (n.marktype === 'group' && name.test(n.name ?? '')) found.push((n.items ?? []).map((item) => ({ ...item, y: y + (item.y ?? 0) })));
    for (const child of n.items ?? []) visit(child, n.marktype ? y : y + (n.y ?? 0));
  };
  visit(root, 0);
  return found;
}

/** The text items of marks with this role anywhere inside a group item, with y relative to it. */
function texts(item: SceneItem, role: string): (SceneItem & { y: number })[] {
  const out: (SceneItem & { y: number })[] = [];
  const visit = (n: SceneItem, y: number): void => {
    if (n.marktype === 'text' && n.role === role) for (const t of n.items ?? []) out.push({ ...t, y: y + (t.y ?? 0) });
    for (const child of n.items ?? []) visit(child, n.marktype ? y : y + (n.y ?? 0));
  };
  for (const mark of item.items ?? []) visit(mark, 0);
  return out;
}

describe('panels by model in rows of three, the last row not full', () => {
  /** The k axes a figure's drawing has: one per x axis title. */
  const kAxes = async (figure: Figure) => (await renderSvg(compileVegaLite(figure.spec))).split('>k (samples, log)</text>').length - 1;
  const curves = (models: string[]) => {
    const a = analyze(syntheticReportInput({ scenarios: ['balanced'], models, selectors: ['accuracy-max', 'knee-paper'], seeds: 3, kCount: 8 }), 50);
    return allFigures(a).filter((f) => /^(accuracy|cost)-vs-k--/.test(f.name));
  };

  it('gives every panel its own k axis, none floating under an empty place; full rows keep one axis under each column', async () => {
    for (const [models, axes] of [
      [['gpt5', 'gpt5-mini', 'gpt5-nano', 'qwen3-max'], 4],
      [['gpt5', 'gpt5-mini', 'gpt5-nano', 'qwen3-max', 'qwen3-30b-a3b'], 5],
      [['gpt5', 'gpt5-mini', 'gpt5-nano'], 3],
      [['gpt5', 'gpt5-mini', 'gpt5-nano', 'qwen3-max', 'qwen3-30b-a3b', 'nemotron-h-47b'], 3],
    ] as const) {
      const figures = curves([...models]);
      expect(figures).toHaveLength(2);
      for (const figure of figures) expect(await kAxes(figure), `${figure.name}, ${models.length} models`).toBe(axes);
    }
  });
});

describe('a study that leaves a model out of a scenario (exclude)', () => {
  const full = syntheticReportInput({ scenarios: ['balanced', 'accuracy-critical', 'cost-constrained'], models: ['gpt5', 'gpt5-nano', 'qwen3-30b-a3b', 'qwen3-max'], seeds: 3, kCount: 8 });
  const left = (t: { values: Readonly<Record<string, unknown>> }) => t.values['scenario'] === 'cost-constrained' && t.values['model'] === 'gpt5';
  const input = { ...full, trials: full.trials.filter((t) => !left(t)) };
  const a = analyze(input, 50);
  const figures = allFigures(a);
  const byName = (name: string) => figures.find((f) => f.name === name)!;
  const rowsOf = (figure: Figure) => (figure.spec as unknown as { datasets: { rows: Record<string, unknown>[] } }).datasets.rows;

  it('draws no panel for it in that scenario, and says why; the other scenario keeps it', () => {
    const gpt5 = a.data.models.find((m) => m.id === 'gpt5')!.label;
    for (const name of ['accuracy-vs-k', 'cost-vs-k', 'projections']) {
      const there = byName(`${name}--cost-constrained`);
      expect(rowsOf(there).some((r) => r.model === gpt5), there.name).toBe(false);
      expect(collect(there.spec, 'sort').some((s) => Array.isArray(s) && s.includes(gpt5)), there.name).toBe(false);
      expect(there.caption, there.name).toContain(`No results for ${gpt5} here (left out of the study, or every trial failed): no panel.`);
      const elsewhere = byName(`${name}--balanced`);
      expect(rowsOf(elsewhere).some((r) => r.model === gpt5), elsewhere.name).toBe(true);
      expect(elsewhere.caption, elsewhere.name).not.toContain('No results');
    }
  });

  it('says, in each figure across the scenarios, that its row there is empty for want of results, not of picks', () => {
    for (const name of ['picks', 'balance', 'savings', 'latency-violations']) {
      expect(byName(name).caption, name).toContain(`No results for ${a.data.models.find((m) => m.id === 'gpt5')!.label} in cost-constrained (left out of the study, or every trial failed): an empty row, not a selector that picked nothing.`);
    }
    const fullFigures = allFigures(analyze(full, 50));
    for (const figure of fullFigures) expect(figure.caption, figure.name).not.toContain('No results');
  });

  it("gives its claim-5 k* there as 'no results', not an empty slot", () => {
    const modes = adaptivityTable(a).display.rows.filter((r) => r.model === a.data.models.find((m) => m.id === 'gpt5')!.name).map((r) => r.modes);
    expect(modes.length).toBeGreaterThan(0);
    for (const m of modes) expect(m).toMatch(/^(\d+|none) · (\d+|none) · no results$/);
  });
});

describe('accuracy against k where no k is feasible and the budget is near the top (acc_min 0.999)', () => {
  const impossible = { id: 'impossible', intent: 'impossible', C_max: 0.0001, T_max: 1, acc_min: 0.999, P: 4, k_max: 32, M: 300 };
  const a = analyze(syntheticReportInput({ scenarios: ['impossible'], newScenarios: [impossible], models: ['gpt5', 'gpt5-nano'], seeds: 3, kCount: 8 }), 50);
  const figure = allFigures(a).find((f) => f.name === 'accuracy-vs-k--impossible')!;

  it("sets the panel's note clear of the budget's label, both at the top edge", async () => {
    const cells = groupsNamed(await sceneOf(figure.spec), /^cell$/)[0]!;
    expect(cells).toHaveLength(2);
    for (const cell of cells) {
      const texts = ((cell.items ?? []) as (SceneItem & { items: (SceneItem & { dx?: number; dy?: number })[] })[]).filter((m) => m.marktype === 'text').flatMap((m) => m.items);
      const note = textBox(texts.find((t) => t.text === 'no feasible k')!);
      const budget = textBox(texts.find((t) => t.text === 'acc_min 0.999')!);
      const overlap = note.x0 < budget.x1 && budget.x0 < note.x1 && note.y0 < budget.y1 && budget.y0 < note.y1;
      expect(overlap, JSON.stringify({ note, budget })).toBe(false);
    }
  });
});

describe('a scenario of one candidate k (k_max = P)', () => {
  const single = { id: 'single', intent: 'single', C_max: 0.5, T_max: 60, acc_min: 0.88, P: 4, k_max: 4, M: 300 };
  const a = analyze(syntheticReportInput({ scenarios: ['single'], newScenarios: [single], models: ['gpt5-mini', 'qwen3-30b-a3b'], seeds: 3, kCount: 1 }), 50);

  it('draws its k axis an octave either side of that k, with one label, not two labels on one spot', async () => {
    const curves = allFigures(a).filter((f) => /^(accuracy|cost)-vs-k--single$/.test(f.name));
    expect(curves).toHaveLength(2);
    expect(powerOfTwoTicks(4, 4)).toEqual([4]);
    for (const figure of curves) {
      const x = collect(figure.spec, 'x').find((e) => (e as { field?: string; scale?: unknown }).field === 'k' && (e as { scale?: unknown }).scale) as { scale: { domain: number[] }; axis: { values: number[] } };
      expect(x.scale.domain, figure.name).toEqual([2, 8]);
      expect(x.axis.values, figure.name).toEqual([4]);
      const svg = await renderSvg(compileVegaLite(figure.spec));
      expect(svg.split('>8</text>').length - 1, figure.name).toBe(0);
    }
  });
});
