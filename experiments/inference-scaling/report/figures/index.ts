/** Every figure of the report, in page order. */
import { baselineView, type Analysis } from '../analysis.js';
import { ablationFigures } from './ablation.js';
import { curveFigure } from './curves.js';
import { latencyFigure } from './latency.js';
import { sizeClassFigure } from './models.js';
import { balanceFigure, picksFigure } from './picks.js';
import { projectionsFigure } from './projections.js';
import { savingsFigure } from './savings.js';
import { stabilityFigure, stabilitySummaryFigure } from './stability.js';
import { sweepFigures } from './sweep.js';
import type { Figure } from './theme.js';

/** In a study with variants, the paper's figures show the baseline; each factor has its own figure. */
export function allFigures(a: Analysis): Figure[] {
  const main = baselineView(a);
  return [
    picksFigure(main),
    balanceFigure(main),
    savingsFigure(main),
    stabilityFigure(main),
    stabilitySummaryFigure(main),
    sizeClassFigure(main),
    latencyFigure(main),
    ...ablationFigures(a),
    ...sweepFigures(main),
    ...main.data.conditions.flatMap((c) => [curveFigure(main, c, 'accuracy'), curveFigure(main, c, 'cost'), projectionsFigure(main, c)]),
  ];
}

/**
 * Whether a figure shows no bootstrap interval, so that its spec is the same from the estimates
 * alone (`analyzeEstimates`, a few tens of milliseconds): the report draws these
 * while the intervals are computed. A test checks the claim for each; were it wrong, the report
 * would notice the differing spec and draw the figure again, so the output never depends on it.
 */
export function showsNoIntervals(figure: Figure): boolean {
  return INTERVAL_FREE.some((name) => figure.name === name || figure.name.startsWith(`${name}--`));
}

const INTERVAL_FREE = ['stability', 'stability-summary', 'accuracy-vs-k', 'cost-vs-k', 'projections'];

export type { Figure };
