/** Every figure of the report, in page order. */
import type { Analysis } from '../analysis.js';
import { curveFigure } from './curves.js';
import { latencyFigure } from './latency.js';
import { sizeClassFigure } from './models.js';
import { balanceFigure, picksFigure } from './picks.js';
import { projectionsFigure } from './projections.js';
import { savingsFigure } from './savings.js';
import { stabilityFigure, stabilitySummaryFigure } from './stability.js';
import { sweepFigures } from './sweep.js';
import type { Figure } from './theme.js';

export function allFigures(a: Analysis): Figure[] {
  return [
    picksFigure(a),
    balanceFigure(a),
    savingsFigure(a),
    stabilityFigure(a),
    stabilitySummaryFigure(a),
    sizeClassFigure(a),
    latencyFigure(a),
    ...sweepFigures(a),
    ...a.data.conditions.flatMap((c) => [curveFigure(a, c, 'accuracy'), curveFigure(a, c, 'cost'), projectionsFigure(a, c)]),
  ];
}

export type { Figure };
