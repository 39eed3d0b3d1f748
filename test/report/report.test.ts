import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportFile, ReportInput } from '../../harness/experiment.js';
import { escapeHtml } from '../../harness/render/table.js';
import { buildReport, reportDocuments } from '../../experiments/inference-scaling/report/index.js';
import { analyze } from '../../experiments/inference-scaling/report/analysis.js';
import { loadStudyData } from '../../experiments/inference-scaling/report/data.js';
import { feasibleSetDefinition } from '../../experiments/inference-scaling/report/page.js';
import { BALANCE_DEFINITION } from '../../experiments/inference-scaling/report/tables.js';
import { MODEL_CATALOG, SCENARIO_CATALOG } from '../../experiments/inference-scaling/catalog.js';
import { SELECTOR_DEFINITIONS, SELECTOR_IDS } from '../../experiments/inference-scaling/selectors.js';
import { syntheticReportInput } from './synthetic.js';

const small = (): ReportInput =>
  syntheticReportInput({ models: ['gpt5', 'gpt5-nano', 'nemotron-ultra-253b', 'qwen3-30b-a3b'], seeds: 6, kCount: 16, failEvery: 97 });

const text = (files: ReportFile[], path: string): string => {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`${path} not produced; files: ${files.map((x) => x.path).join(', ')}`);
  return typeof f.content === 'string' ? f.content : Buffer.from(f.content).toString('utf8');
};

const bytes = (f: ReportFile) => Buffer.from(typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content);

describe('the report', () => {
  let first: ReportFile[];
  const progress: [string, number, number][] = [];

  it('writes figures in four formats, tables, claims, a summary and the page', async () => {
    const input = small();
    input.progress = (stage, done, total) => progress.push([stage, done, total]);
    // No figure cache here: both builds below draw every figure.
    first = await buildReport(input, { renderCacheDir: null });
    const paths = first.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    for (const name of ['picks', 'savings', 'stability', 'accuracy-vs-k--balanced', 'cost-vs-k--cost-constrained', 'projections--accuracy-critical']) {
      for (const ext of ['vl.json', 'svg', 'png', 'pdf']) expect(paths).toContain(`figures/${name}.${ext}`);
    }
    for (const t of ['claims', 'balanced', 'accuracy-critical', 'cost-constrained', 'paired', 'model-pairs', 'adaptivity']) {
      expect(paths).toContain(`tables/${t}.csv`);
      expect(paths).toContain(`tables/${t}.md`);
      expect(paths).toContain(`tables/${t}.tex`);
    }
    expect(paths).toEqual(expect.arrayContaining(['index.html', 'claims.md', 'summary.json']));
    // Text stays text in an embedded font: no Type 3 glyph outlines, which publishers' checks refuse.
    const type3 = first.filter((f) => f.path.endsWith('.pdf') && bytes(f).includes('/Subtype /Type3')).map((f) => f.path);
    expect(type3).toEqual([]);
  });

  it('draws PNGs at 216 dpi, or at the resolution the input asks for (--dpi), everything else the same', async () => {
    const pngOf = (files: ReportFile[], name: string) => {
      const png = bytes(files.find((f) => f.path === `figures/${name}.png`) as ReportFile);
      return { width: png.readUInt32BE(16), dpi: Math.round(png.readUInt32BE(png.indexOf('pHYs', 0, 'latin1') + 4) * 0.0254) };
    };
    const width = Number(/width="([\d.]+)"/.exec(text(first, 'figures/picks.svg'))?.[1]);
    expect(pngOf(first, 'picks')).toEqual({ width: Math.ceil(width * 3), dpi: 216 });
    const at300 = await buildReport({ ...small(), pngDpi: 300 }, { renderCacheDir: null });
    expect(pngOf(at300, 'picks')).toEqual({ width: Math.ceil((width * 300) / 72), dpi: 300 });
    const others = (files: ReportFile[]) => files.filter((f) => !f.path.endsWith('.png')).map((f) => [f.path, bytes(f).toString('base64')]);
    expect(others(at300)).toEqual(others(first));
  });

  it('reports progress for its long stages', () => {
    const stages = new Set(progress.map(([s]) => s));
    expect([...stages]).toEqual(expect.arrayContaining(['statistics', 'figures', 'page']));
    const figures = progress.filter(([s]) => s === 'figures');
    expect(figures.map(([, done]) => done)).toEqual(Array.from({ length: figures.length }, (_, i) => i));
    expect(figures[figures.length - 1]?.[1]).toBe(first.filter((f) => f.path.endsWith('.vl.json')).length);
  });

  it('is byte-identical when built again, from trials in another order, after a resume that computed nothing', async () => {
    const input = small();
    input.trials.reverse();
    input.runs.push({ ...input.runs[0]!, id: 9, startedAt: '2030-01-01T00:00:00.000Z', endedAt: '2030-01-01T00:00:01.000Z', trialsDone: 0, trialsFailed: 0 });
    const again = await buildReport(input, { renderCacheDir: null });
    expect(again.map((f) => f.path)).toEqual(first.map((f) => f.path));
    const differing = again.filter((f, i) => !bytes(f).equals(bytes(first[i]!))).map((f) => f.path);
    expect(differing).toEqual([]);
  });

  it('is byte-identical when its figures come from the figure cache', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'report-cache-'));
    try {
      const filling = await buildReport(small(), { renderCacheDir: cacheDir });
      const cached = await buildReport(small(), { renderCacheDir: cacheDir });
      for (const built of [filling, cached]) {
        expect(built.map((f) => f.path)).toEqual(first.map((f) => f.path));
        expect(built.filter((f, i) => !bytes(f).equals(bytes(first[i]!))).map((f) => f.path)).toEqual([]);
      }
      expect(readdirSync(cacheDir).filter((e) => !e.startsWith('set-'))).toHaveLength(first.filter((f) => f.path.endsWith('.vl.json')).length);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('summarises the claims for a terminal, one verdict per claim', () => {
    const claims = text(first, 'claims.md');
    for (const n of [1, 2, 3, 4, 5]) expect(claims).toMatch(new RegExp(`^${n}\\. \\[(holds|does not hold|cannot tell)\\] `, 'm'));
    expect(claims).toMatch(/quoted: 63% latency, 58% cost/);
  });

  it('keeps every number in summary.json, matching the claims table', () => {
    const summary = JSON.parse(text(first, 'summary.json'));
    const csv = text(first, 'tables/claims.csv').trim().split('\n');
    expect(summary.claims.length).toBe(csv.length - 1);
    expect(summary.cells.length).toBe(3 * 4 * 9);
  });

  it('shows provenance on the page: manifest hash, experiment, code and package hashes, runs that computed trials, failures', () => {
    const html = text(first, 'index.html');
    expect(html).toContain('f'.repeat(64));
    expect(html).toContain('2025-11-20 10:00:00.000Z');
    expect(html).not.toContain('2025-11-21 09:00:00.000Z');
    expect(html).toContain('Error: synthetic failure');
    // What ran the trials, beside the commit: the experiment, its code's hash and the packages'.
    expect(html).toContain('<th scope="row">experiment</th><td>inference-scaling v2</td>');
    expect(html).toContain('<th scope="row">experiment code (hash)</th><td>5d0c7e0a9d0e</td>');
    expect(html).toContain('<th scope="row">packages (package-lock.json hash)</th><td>9a1b2c3d4e5f</td>');
    expect(html.match(/class="chart"/g)?.length).toBe(first.filter((f) => f.path.endsWith('.vl.json')).length);
  });

  it('leaves a merge\'s own run out of the provenance: it copied trials the shards\' runs computed', async () => {
    const input = small();
    const merge = { ...input.runs[0]!, id: 9, status: 'merged', gitDirtyHash: 'abcdef0123456789abcdef', codeHash: null, lockfileHash: null, commandLine: 'harness merge m.sqlite a.sqlite b.sqlite' };
    input.runs = [...input.runs, merge];
    const html = text(await reportDocuments(input, { resamples: 20 }), 'index.html');
    expect(html).toContain('<th scope="row">commits</th><td>0123456789abcdef0123456789abcdef01234567</td>');
    expect(html).toContain('<th scope="row">experiment code (hash)</th><td>5d0c7e0a9d0e</td>');
    expect(html).not.toContain('harness merge m.sqlite');
    expect(html).not.toContain('(modified)');
  });

  it('marks the commit of a run made with uncommitted changes, as the commits row does', async () => {
    const input = small();
    input.runs[0] = { ...input.runs[0]!, gitDirtyHash: 'abcdef0123456789abcdef' };
    const html = text(await reportDocuments(input, { resamples: 20 }), 'index.html');
    expect(html).toContain('<th scope="row">commits</th><td>0123456789abcdef0123456789abcdef01234567 + uncommitted changes abcdef012345</td>');
    const runs = html.slice(html.indexOf('<h3>Runs that computed trials</h3>'));
    expect(runs).toContain('<td>0123456789ab (modified)</td>');
    expect(runs).toContain('(modified): run from a checkout that differed from its commit: tracked files edited, or new files that git does not ignore');
    // A clean run's commit is not marked.
    expect(text(first, 'index.html')).toContain('<td>0123456789ab</td>');
    expect(text(first, 'index.html')).not.toContain('(modified)');
  });

  it('says in its method what each selector of the study picks', () => {
    const html = text(first, 'index.html');
    const listed = [...html.matchAll(/<li><code>([a-z0-9-]+)<\/code>: ([^<]+)\.<\/li>/g)].map((m) => [m[1], m[2]]);
    expect(listed).toEqual(SELECTOR_IDS.map((id) => [id, escapeHtml(SELECTOR_DEFINITIONS[id])]));
  });

  it('records a model with no feasible k as a result, not an error', () => {
    const table = text(first, 'tables/cost-constrained.md');
    expect(table).toMatch(/\| GPT-5 \| accuracy-max \| n\/a \| n\/a \| n\/a \| n\/a \| n\/a \| n\/a \| n\/a \| n\/a \| 6 of 6 \|/);
  });
});

describe('the setup and the code the results come from', () => {
  const writer = { version: '0.1.0', commit: '0123456789abcdef0123456789abcdef01234567', modified: true };
  // The study's own scenario M, and M swept to 100.
  const input = { ...syntheticReportInput({ scenarios: ['balanced'], models: ['gpt5', 'qwen3-30b-a3b'], seeds: 3, kCount: 8, variants: [{}, { 'sim.M': 100 }] }), writer };
  let files: ReportFile[];
  beforeAll(async () => {
    files = await reportDocuments(input, { resamples: 50 });
  });
  const csvRows = (path: string) => {
    const [header, ...rows] = text(files, path).trim().split('\n');
    return rows.map((row) => Object.fromEntries(row.split(',').map((cell, i) => [header!.split(',')[i], cell])));
  };

  it('tables each condition\'s scenario as simulated, and each model, from the catalog and the study\'s settings', () => {
    const balanced = SCENARIO_CATALOG.find((s) => s.id === 'balanced')!;
    const budgets = { intent: balanced.intent, C_max: String(balanced.C_max), T_max: String(balanced.T_max), acc_min: String(balanced.acc_min), P: String(balanced.P), k_max: String(balanced.k_max) };
    // The catalog's intent speaks of the paper's setup: where the study changes it, it says so.
    expect(csvRows('tables/scenarios.csv')).toEqual([
      { scenario: 'balanced', variant: '', ...budgets, M: String(balanced.M) },
      { scenario: 'balanced', variant: 'sim.M=100', ...budgets, intent: `${balanced.intent}; the study changes M from the paper's ${balanced.M}`, M: '100' },
    ]);
    const models = csvRows('tables/models.csv');
    expect(models.map((m) => m.model)).toEqual(['gpt5', 'qwen3-30b-a3b']);
    for (const row of models) {
      const spec = MODEL_CATALOG.find((m) => m.id === row.model)!;
      expect(row).toEqual(Object.fromEntries(Object.entries({ ...spec, model: spec.id, id: undefined }).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])));
    }
    expect(text(files, 'tables/models.md')).toContain('| GPT-5 | large | 1024 ± 64 / 2048 ± 128 | $1.25 / $10.00 | 0.5 / 5 | 0.94 ± 0.02 |');
    expect(JSON.parse(text(files, 'summary.json')).conditions.map((c: { setup: { M: number } }) => c.setup.M)).toEqual([balanced.M, 100]);
  });

  it('gives each estimate of a CSV the columns the README says an estimate of its kind takes', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const kinds = new Map<string, string[]>();
    for (const file of files.filter((f) => f.path.startsWith('tables/') && f.path.endsWith('.csv'))) {
      const header = text(files, file.path).split('\n')[0]!.split(',');
      for (const stem of header.filter((c) => c.endsWith('_lo')).map((c) => c.slice(0, -'_lo'.length))) {
        const suffixes = header.filter((c) => c.startsWith(`${stem}_`) && !c.slice(stem.length + 1).includes('_')).map((c) => c.slice(stem.length));
        const kind = suffixes.join(',');
        kinds.set(kind, [...(kinds.get(kind) ?? []), `${file.path}: ${stem}`]);
      }
    }
    // An estimate's four columns, a share's three (four with its count: an ablation's) and two models' means compared.
    const documented = ['_estimate,_lo,_hi', '_mean,_sd,_lo,_hi', '_share,_lo,_hi', '_share,_lo,_hi,_n'];
    expect([...kinds.keys()].filter((kind) => !documented.includes(kind))).toEqual([]);
    expect([...kinds.keys()].sort()).toEqual(expect.arrayContaining(['_estimate,_lo,_hi', '_mean,_sd,_lo,_hi', '_share,_lo,_hi']));
    expect(readme).toContain('an estimate takes four columns: `_mean`, `_sd` (the standard deviation of the values it is the mean of), and `_lo`, `_hi` (its 95% bootstrap interval)');
    expect(readme).toContain('a share takes three, `_share`, `_lo`, `_hi` (its 95% Wilson interval), and `_n` too, the count it is a share of');
    expect(readme).toContain('`_estimate`, `_lo`, `_hi`');
    expect(kinds.get('_estimate,_lo,_hi')).toEqual(['tables/model-pairs.csv: accuracy_diff_pts', 'tables/model-pairs.csv: cost_ratio']);
  });

  it('titles a scenario\'s table with its budgets, and gives the share of picks outside F with its Wilson interval', () => {
    const md = text(files, 'tables/balanced.md');
    expect(md.split('\n')[0]).toMatch(/^# balanced \(C_max \$0\.50, T_max 60 s, acc_min 0\.88\): /);
    // Its balance column, above 1 for a baseline's pick outside F, is defined where it is read.
    expect(md.split('\n')[0]).toContain(`; ${BALANCE_DEFINITION}; `);
    const rows = new Map(csvRows('tables/balanced.csv').map((r) => [`${r.model} ${r.selector}`, r]));
    const header = md.split('\n')[2]!.split(' | ');
    const outside = header.indexOf('k* outside F');
    expect(outside).toBeGreaterThan(0);
    const names: Record<string, string> = { 'GPT-5': 'gpt5', 'Qwen3-30B-A3B': 'qwen3-30b-a3b' };
    const lines = md.split('\n').slice(4).filter((l) => l.startsWith('| '));
    expect(lines.length).toBe(2 * 9);
    for (const line of lines) {
      const cells = line.split(' | ');
      const row = rows.get(`${names[cells[0]!.slice(2)]} ${cells[1]}`)!;
      const percent = (x: string) => `${Math.round(100 * Number(x)).toFixed(0)}%`;
      expect(cells[outside], line).toBe(row.infeasible_share === '' ? 'n/a' : `${percent(row.infeasible_share!)} [${percent(row.infeasible_lo!)}, ${percent(row.infeasible_hi!)}]`);
    }
  });

  it('shows the setup with the method, the claims as claims.md words them, and the code that wrote the report', () => {
    const html = text(files, 'index.html');
    const method = html.slice(html.indexOf('<h2 id="method">'), html.indexOf('<h2 id="provenance">'));
    expect(method).toContain('<h3 id="table-scenarios">Scenarios: ');
    expect(method).toContain('<h3 id="table-models">Models: ');
    // F as the paper's rule defines it, with the latency model: the tables and figures need not repeat it.
    expect(method).toContain(`<li>${escapeHtml("F: the feasible set, the k whose mean cost, latency and accuracy meet the budgets; latency: the paper's, (1/P) times the sum of the k calls' times.")} Balance: `);
    expect(files.filter((f) => f.path.endsWith('.md') || f.path === 'index.html').filter((f) => text(files, f.path).includes('F here:')).map((f) => f.path)).toEqual([]);
    const tablesSection = html.slice(html.indexOf('<h2 id="tables">'), html.indexOf('<h2 id="method">'));
    expect(tablesSection).toContain('id="table-balanced"');
    expect(tablesSection).not.toContain('table-scenarios');
    const claims = html.slice(html.indexOf('<h2 id="claims">'), html.indexOf('<details>'));
    for (const line of text(files, 'claims.md').split('\n').filter((l) => l.startsWith('   '))) expect(claims).toContain(escapeHtml(line.trim()));
    // Each claim heads its row.
    expect(claims.match(/<tr><th scope="row">\d\. /g)).toHaveLength(5);
    expect(html).toContain('<th scope="row">report written by</th><td>harness 0.1.0, commit 0123456789ab (with changes to tracked files)</td>');
    expect(JSON.parse(text(files, 'summary.json')).writer).toEqual(writer);
  });
});

describe('a study off the paper\'s settings: chance constraints, straggler latency, a budget of its own', () => {
  const base = syntheticReportInput({ scenarios: ['balanced', 'cost-constrained'], models: ['gpt5', 'qwen3-30b-a3b'], seeds: 3, kCount: 8 });
  const params = { feasibility: 'chance', delta: 0.1, sim: { latency: 'waves' }, scenarios: { balanced: { C_max: 0.4 }, 'cost-constrained': { intent: 'bulk traffic', T_max: 90 } } };
  const input: ReportInput = { ...base, manifest: { ...base.manifest, body: { ...(base.manifest.body as Record<string, unknown>), params } } as ReportInput['manifest'] };
  const rule =
    'the k whose cost and latency budgets hold together in at least 90% of the Monte Carlo runs (chance constraints, delta = 0.1) and whose mean accuracy meets acc_min; ' +
    'latency: ceil(k/P) waves of P calls, each as slow as its slowest call (stragglers)';
  let files: ReportFile[];
  beforeAll(async () => {
    files = await reportDocuments(input, { resamples: 20 });
  });

  it('defines F by the rule, delta and latency model the trials ran under: in the method, each table\'s title and the captions of the figures that show F', () => {
    const html = text(files, 'index.html');
    const method = html.slice(html.indexOf('<h2 id="method">'), html.indexOf('<h2 id="provenance">'));
    expect(method).toContain(`<li>${escapeHtml(`F: the feasible set, ${rule}.`)} Balance: `);
    expect(html).not.toContain('mean cost, latency and accuracy meet the budgets');
    for (const scenario of ['balanced', 'cost-constrained']) expect(text(files, `tables/${scenario}.md`).split('\n')[0], scenario).toMatch(new RegExp(`; F: the feasible set, A: accuracy\\)\\. F here: ${rule.replace(/[()*.]/g, '\\$&')}$`));
    for (const figure of ['accuracy-vs-k--balanced', 'cost-vs-k--cost-constrained', 'projections--balanced', 'balance']) {
      const caption = html.slice(html.indexOf(`<figure id="${figure}"`)).split('</figcaption>')[0]!;
      expect(caption, figure).toContain(escapeHtml(`F here: ${rule}.`));
    }
  });

  it("with the rule swept, F under the first condition's value, then where the others differ", () => {
    const swept = analyze(syntheticReportInput({ scenarios: ['balanced'], models: ['gpt5'], seeds: 2, kCount: 4, variants: [{ feasibility: 'means' }, { feasibility: 'chance' }] }), 0);
    expect(swept.data.conditions.map((c) => c.variantLabel)).toEqual(['feasibility=chance', 'feasibility=means']);
    expect(feasibleSetDefinition(swept)).toBe(
      'F: the feasible set, in feasibility=chance: the k whose cost and latency budgets hold together in at least 95% of the Monte Carlo runs (chance constraints, delta = 0.05) and whose mean accuracy meets acc_min; ' +
        "latency: the paper's, (1/P) times the sum of the k calls' times. Where the conditions differ: in feasibility=means, F: the k whose mean cost, latency and accuracy meet the budgets.",
    );
  });

  it('says which of the paper\'s settings of a scenario the study changed, beside the intent that speaks of them', () => {
    const rows = text(files, 'tables/scenarios.md').split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| condition'));
    expect(rows).toEqual([
      "| balanced | the notebook's defaults; the study changes C_max from the paper's $0.50 | $0.40 | 60 | 0.88 | 4 | 128 | 300 |",
      // An intent of the study's own speaks of the study's setup.
      '| cost-constrained | bulk traffic | $0.05 | 90 | 0.88 | 4 | 128 | 300 |',
    ]);
  });
});

describe('a condition whose swept value the catalog refuses', () => {
  it('has no budgets, and the report data of the other conditions still loads', () => {
    const input = syntheticReportInput({ scenarios: ['balanced'], models: ['gpt5'], seeds: 1, kCount: 4, variants: [{ 'scenarios.balanced.C_max': 0.25 }, { 'scenarios.balanced.C_max': -1 }] });
    const conditions = loadStudyData(input).conditions.map((c) => [c.variantLabel, c.constraints, c.setup]);
    expect(conditions).toEqual([
      ['scenarios.balanced.C_max=-1', null, null],
      ['scenarios.balanced.C_max=0.25', { C_max: 0.25, T_max: 60, acc_min: 0.88 }, { intent: "the notebook's defaults", C_max: 0.25, T_max: 60, acc_min: 0.88, P: 4, k_max: 128, M: 300 }],
    ]);
  });
});
