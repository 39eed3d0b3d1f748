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

export type { Figure };
