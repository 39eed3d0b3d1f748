/**
 * REPRODUCTION.md quotes the reports of the paper study (`npm start`) and of the ablations
 * (`npm run ablations`). This runs both studies, as their files define them, into a temporary
 * folder, computes each report's summary (nothing is drawn), and checks every marked number and
 * verdict of the document against it, so the document cannot drift from the data. It also
 * checks that the paper study resumes to the same report: every file but the figures' drawings
 * (SVG, PNG and PDF are drawn from the Vega-Lite specs compared here; drawing them twice takes
 * longer than the whole study).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportFile } from '../harness/experiment.js';
import { runStudy, type RunSummary } from '../harness/run/run.js';
import { loadReportInput } from '../harness/store/reader.js';
import { Store } from '../harness/store/store.js';
import { loadStudy } from '../harness/study/study.js';
import { reportDocuments, reportSummary } from '../experiments/inference-scaling/report/index.js';
import { analyze } from '../experiments/inference-scaling/report/analysis.js';
import { allFigures } from '../experiments/inference-scaling/report/figures/index.js';
import { TEXT_WIDTH, TEXT_HEIGHT } from '../experiments/inference-scaling/report/figures/theme.js';
import { compileVegaLite, drawFigure, svgSize } from '../harness/render/vega.js';
import { root, tempDir } from './harness/helpers.js';

const STUDIES = { paper: 'paper.yaml', ablations: 'ablations.yaml' } as const;
type StudyName = keyof typeof STUDIES;

const dir = tempDir('reproduction-');
const document = readFileSync(join(root, 'REPRODUCTION.md'), 'utf8');
/** The document with code blocks and spans blanked out (same length): commands and parameters, not results. */
const prose = document.replace(/```[\s\S]*?```|`[^`]*`/g, (code) => code.replace(/[^\n]/g, ' '));
const quotes = {} as Record<StudyName, Record<string, string>>;

async function run(name: StudyName): Promise<RunSummary> {
  const study = await loadStudy(join(root, 'experiments', 'inference-scaling', STUDIES[name]), { cwd: root });
  return runStudy({ study, dbPath: join(dir, `${name}.sqlite`), threads: 2, shard: null, commandLine: 'reproduction test' });
}

function withStore<T>(name: StudyName, f: (store: Store) => T): T {
  const store = Store.open(join(dir, `${name}.sqlite`), 'read');
  try {
    return f(store);
  } finally {
    store.close();
  }
}

interface Mark {
  study: StudyName;
  name: string;
  /** Offset of the marker in the document. */
  at: number;
  length: number;
}

function marks(text: string): Mark[] {
  return [...text.matchAll(/<!-- (paper|ablations):([^\s]+) -->/g)].map((m) => ({ study: m[1] as StudyName, name: m[2] as string, at: m.index, length: m[0].length }));
}

/** A quoted value must start a word: "41.6%" may follow a space or "(", never "1" (as in "141.6%"). */
const startsWord = (text: string, at: number) => at === 0 || /[\s([*|,;:"'-]/.test(text[at - 1] as string);

beforeAll(async () => {
  for (const name of Object.keys(STUDIES) as StudyName[]) {
    expect(await run(name)).toMatchObject({ status: 'done', failed: 0 });
    quotes[name] = withStore(name, (store) => reportSummary(loadReportInput(store)).quotes);
  }
}, 600_000);

describe('REPRODUCTION.md', () => {
  it('quotes every marked number and verdict exactly as the reports write it', () => {
    const found = marks(prose);
    expect(found.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const m of found) {
      const value = quotes[m.study][m.name];
      if (value === undefined) {
        wrong.push(`${m.study}:${m.name} is not in the report's quotes`);
        continue;
      }
      const start = m.at - value.length;
      if (prose.slice(start, m.at) !== value || !startsWord(prose, start)) {
        wrong.push(`${m.study}:${m.name}: the report says "${value}", the document "${prose.slice(Math.max(0, m.at - value.length - 8), m.at)}"`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives the verdict of each of the paper\'s five claims', () => {
    const named = new Set(marks(document).map((m) => `${m.study}:${m.name}`));
    for (const claim of [1, 2, 3, 4, 5]) expect(named.has(`paper:claim${claim}.verdict`), `claim ${claim}`).toBe(true);
  });

  it('writes no result that is not quoted: no percentage or decimal outside markers and code', () => {
    let text = prose;
    // Marked values are removed with their markers (from the end, so offsets stay valid).
    for (const m of marks(text).reverse()) {
      const value = quotes[m.study][m.name] ?? '';
      text = `${text.slice(0, m.at - value.length)}\u0000${text.slice(m.at + m.length)}`;
    }
    const loose = [...text.matchAll(/\d+(\.\d+)?%|\d+\.\d+/g)].map((m) => `"${m[0]}" in "${text.slice(Math.max(0, m.index - 30), m.index + 10).replace(/\s+/g, ' ')}"`);
    expect(loose).toEqual([]);
  });
});

describe('the paper study (npm start)', () => {
  it('resumes with nothing to do, and the report is the same bytes', async () => {
    const documents = (): Promise<ReportFile[]> => reportDocuments(withStore('paper', (store) => loadReportInput(store)));
    const before = await documents();
    const again = await run('paper');
    expect(again).toMatchObject({ status: 'done', ok: 0, failed: 0, alreadyDone: again.cells });
    const after = await documents();
    expect(after.map((f) => f.path)).toEqual(before.map((f) => f.path));
    after.forEach((file, i) => expect(file.content, file.path).toEqual(before[i]?.content));
    expect(before.map((f) => f.path)).toEqual(expect.arrayContaining(['index.html', 'summary.json', 'claims.md', 'tables/claims.csv']));
  }, 120_000);
});

describe('the figures of both reports', () => {
  it('each fits the text width of a two-column paper and the height of a page, with 7 to 10.5 pt text, and its PDF embeds its fonts', async () => {
    const faults: string[] = [];
    for (const name of Object.keys(STUDIES) as StudyName[]) {
      const figures = allFigures(analyze(withStore(name, (store) => loadReportInput(store))));
      expect(figures.length, name).toBeGreaterThan(15);
      for (const figure of figures) {
        const { svg, pdf } = await drawFigure(compileVegaLite(figure.spec), { pngScale: 1 });
        const at = `${name}: ${figure.name}`;
        const { width, height } = svgSize(svg);
        if (width > TEXT_WIDTH) faults.push(`${at} is ${width} pt wide`);
        if (height > TEXT_HEIGHT) faults.push(`${at} is ${height} pt high`);
        // The SVG is in points (1 unit = 1 pt), so a text's font size in px is its size in print.
        const texts = svg.match(/<text[^>]*>/g) ?? [];
        if (texts.length === 0) faults.push(`${at} has no text`);
        for (const tag of texts) {
          const size = Number(/font-size="([\d.]+)px"/.exec(tag)?.[1]);
          if (!(size >= 7 && size <= 10.5)) faults.push(`${at} has text at ${size} pt: ${tag}`);
        }
        // Text as text in embedded TrueType subsets, never as Type 3 outlines, which publishers' checks refuse.
        const fonts = Buffer.from(pdf).toString('latin1');
        if (!fonts.includes('/FontFile2') || fonts.includes('/Subtype /Type3')) faults.push(`${at}: its PDF's fonts are not embedded TrueType`);
      }
    }
    expect(faults).toEqual([]);
  }, 180_000);
});
