/**
 * Everything the report computes from the data, in one value the tables, figures and page read.
 */
import type { ReportInput } from '../../../harness/experiment.js';
import { evaluateClaims, type Claims } from './claims.js';
import { loadStudyData, type Condition, type StudyData } from './data.js';
import { cellStats, pairedStats, PickIndex, Statistician, type CellStats, type PairedStats } from './statistics.js';

export interface Analysis {
  data: StudyData;
  index: PickIndex;
  cells: CellStats[];
  paired: PairedStats[];
  claims: Claims;
  cell(condition: string, model: string, selector: string): CellStats | undefined;
  condition(id: string): Condition;
}

export function analyze(input: ReportInput, resamples?: number): Analysis {
  const data = loadStudyData(input);
  const index = new PickIndex(data.picks);
  const stats = new Statistician(data.study, resamples);
  const cells = cellStats(data, index, stats, (done, total) => input.progress('statistics', done, total));
  const paired = pairedStats(data, index, stats);
  input.progress('claims', 0, 1);
  const claims = evaluateClaims(data, index, stats);
  input.progress('claims', 1, 1);
  const byKey = new Map(cells.map((c) => [PickIndex.key(c.condition, c.model, c.selector), c]));
  const conditions = new Map(data.conditions.map((c) => [c.id, c]));
  return {
    data,
    index,
    cells,
    paired,
    claims,
    cell: (condition, model, selector) => byKey.get(PickIndex.key(condition, model, selector)),
    condition: (id) => conditions.get(id) as Condition,
  };
}
