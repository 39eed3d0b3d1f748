/**
 * Everything the report computes from the data, in one value the tables, figures and page read.
 */
import type { ReportInput } from '../../../harness/experiment.js';
import { listInWords } from '../../../harness/text.js';
import { analyzeAblation, type Ablation } from './ablation.js';
import { evaluateClaims, type Claims } from './claims.js';
import { loadStudyData, type Condition, type ModelInfo, type StudyData } from './data.js';
import { baselineVariant } from './factors.js';
import { cellStats, pairedStats, PickIndex, Statistician, type CellStats, type PairedStats } from './statistics.js';

export interface Analysis {
  data: StudyData;
  index: PickIndex;
  cells: CellStats[];
  paired: PairedStats[];
  /** The paper's claims; in a study with variants, judged on the baseline variant. */
  claims: Claims;
  /** The factors of a study with variants; null without. */
  ablation: Ablation | null;
  cell(condition: string, model: string, selector: string): CellStats | undefined;
  condition(id: string): Condition;
}

/** `data`: the input's study data when already loaded (it depends on the input alone). */
export function analyze(input: ReportInput, resamples?: number, data: StudyData = loadStudyData(input)): Analysis {
  const index = new PickIndex(data.picks);
  const stats = new Statistician(data.study, resamples);
  const cells = cellStats(data, index, stats, (done, total) => input.progress('statistics', done, total));
  const paired = pairedStats(data, index, stats);
  const cell = cellLookup(cells);
  const ablation = analyzeAblation({ data, index, stats, cell }, (done, total) => input.progress('ablation', done, total));
  input.progress('claims', 0, 1);
  const claims = ablation?.claims.find((v) => v.variant === ablation.baseline)?.claims ?? evaluateClaims(data, index, stats);
  input.progress('claims', 1, 1);
  return { data, index, cells, paired, claims, ablation, cell, condition: conditionLookup(data) };
}

/**
 * The estimates of every cell alone (no bootstrap, no paired comparisons, no claims, no factor
 * effects; of a study with variants only which one is the baseline): all that the figures
 * without intervals need (figures/index.ts, showsNoIntervals), in a fraction of analyze's time,
 * so that the report hands them to its drawing threads sooner.
 */
export function analyzeEstimates(data: StudyData): Analysis {
  const index = new PickIndex(data.picks);
  const cells = cellStats(data, index, new Statistician(data.study, 0));
  const baseline = baselineVariant(data);
  return {
    data,
    index,
    cells,
    paired: [],
    claims: { rows: [], modelPairs: [], adaptivity: [] },
    ablation: baseline === null ? null : { baseline, factors: [], groups: [], levels: [], claims: [] },
    cell: cellLookup(cells),
    condition: conditionLookup(data),
  };
}

/** The models with results in a condition: a study may leave a model out of a scenario (`exclude`). */
export function modelsIn(a: Analysis, condition: string): ModelInfo[] {
  return a.data.models.filter((m) => a.data.selectors.some((s) => a.cell(condition, m.id, s) !== undefined));
}

/**
 * The sentence a figure adds where a model has no results in one of `conditions`: in a figure
 * across conditions its row there is empty, which would read as a selector that picked nothing;
 * a figure of one condition leaves its panel out. '' where every model has results.
 */
export function noResultsNote(a: Analysis, conditions: readonly Condition[], shown: 'empty row' | 'no panel'): string {
  const missing = conditions.flatMap((c) => {
    const models = new Set(modelsIn(a, c.id).map((m) => m.id));
    return a.data.models.filter((m) => !models.has(m.id)).map((m) => (shown === 'no panel' ? m.label : `${m.label} in ${c.label}`));
  });
  if (missing.length === 0) return '';
  const why = '(left out of the study, or every trial failed)';
  return shown === 'no panel' ? ` No results for ${listInWords(missing)} here ${why}: no panel.` : ` No results for ${listInWords(missing)} ${why}: an empty row, not a selector that picked nothing.`;
}

function cellLookup(cells: readonly CellStats[]): Analysis['cell'] {
  const byKey = new Map(cells.map((c) => [PickIndex.key(c.condition, c.model, c.selector), c]));
  return (condition, model, selector) => byKey.get(PickIndex.key(condition, model, selector));
}

function conditionLookup(data: StudyData): Analysis['condition'] {
  const conditions = new Map(data.conditions.map((c) => [c.id, c]));
  return (id) => conditions.get(id) as Condition;
}

/** The analysis seen through the baseline variant's conditions (all of them without variants). */
export function baselineView(a: Analysis): Analysis {
  if (!a.ablation) return a;
  const baseline = a.ablation.baseline;
  return conditionsView(a, (c) => c.variantName === baseline, (c) => c.labelInVariant);
}

/** The analysis seen through the conditions `keep` accepts, each labelled by `label`. */
export function conditionsView(a: Analysis, keep: (c: Condition) => boolean, label: (c: Condition) => string): Analysis {
  const conditions = a.data.conditions.filter(keep).map((c) => ({ ...c, label: label(c) }));
  const ids = new Set(conditions.map((c) => c.id));
  const data: StudyData = { ...a.data, conditions, picks: a.data.picks.filter((p) => ids.has(p.condition)) };
  const condition = conditionLookup(data);
  return {
    ...a,
    data,
    cells: a.cells.filter((c) => ids.has(c.condition)),
    paired: a.paired.filter((p) => ids.has(p.condition)),
    condition: (id) => condition(id) ?? a.condition(id),
  };
}
