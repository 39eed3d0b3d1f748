/**
 * The selectors the report knows by role, in the order every table and legend lists them. A
 * selector id the report does not know is still reported, after these, in alphabetical order.
 */
import { listInWords } from '../../../harness/text.js';
import { SELECTOR_IDS, TWO_D_SELECTORS as TWO_D } from '../selectors.js';

/** Tables and legends list the selectors in the order the study defines them. */
export const SELECTOR_ORDER: readonly string[] = SELECTOR_IDS;

export const ACCURACY_MAX = 'accuracy-max';
/** The paper's knee (claim 1 is about it); the corrected variants are reported beside it. */
export const PAPER_KNEE = 'knee-paper';
export const KNEES: readonly string[] = ['knee-paper', 'knee-3d', 'knee-chord'];
/** The paper's selectors that are not knees: what a knee must beat for claim 1. */
export const NON_KNEE_PAPER_SELECTORS: readonly string[] = ['accuracy-max', 'max-cube', 'utopia'];
export const PAPER_SELECTORS: readonly string[] = ['accuracy-max', 'max-cube', 'utopia', 'knee-paper'];
/** Selectors that choose inside the 3D feasible set. */
export const FEASIBLE_SET_SELECTORS: readonly string[] = ['accuracy-max', 'max-cube', 'utopia', 'knee-paper', 'knee-3d', 'knee-chord'];
export const FIXED_K = 'fixed-k';
export const ACCURACY_COST_2D = 'accuracy-max-2d';
export const KNEE_2D = 'knee-2d';
/** The accuracy-vs-cost baselines (claim 4), accuracy-max-2d first. */
export const TWO_D_SELECTORS: readonly string[] = TWO_D;

/**
 * Okabe & Ito's colour-blind-safe palette, one colour per selector in every figure; dark grey for
 * the 1D baseline, and for the ninth selector a dark brown, told from vermillion by its lightness
 * (Okabe & Ito's yellow is too light for a ring on white). Every two of the nine stay at least
 * 13 apart in CIELAB under simulated protanopia, deuteranopia and tritanopia (Machado et al.
 * 2009; test/report/palette.test.ts); the lighter grey #999999 was 7.1 from knee-3d's pink under
 * deuteranopia, and the two often mark the same k.
 */
export const SELECTOR_COLOURS: Readonly<Record<string, string>> = {
  'accuracy-max': '#0072B2',
  'max-cube': '#E69F00',
  utopia: '#009E73',
  'knee-paper': '#D55E00',
  'knee-3d': '#CC79A7',
  'knee-chord': '#56B4E9',
  'fixed-k': '#555555',
  'accuracy-max-2d': '#000000',
  'knee-2d': '#8C510A',
};
const SPARE_COLOURS = ['#F0E442', '#01665E', '#762A83'];

/**
 * What a comparison needs and the selectors of a study's results lack, said for a reader ("no
 * accuracy-max in the results": true of a study still running, too), or null when they lack
 * nothing. `needs`: groups of alternatives, at least one of each group, e.g. [[accuracy-max], KNEES].
 */
export function lacking(selectors: readonly string[], needs: readonly (readonly string[])[]): string | null {
  const missing = needs.filter((group) => !group.some((s) => selectors.includes(s)));
  const either = (group: readonly string[]) => listInWords(group, 'or');
  return missing.length === 0 ? null : `no ${missing.map(either).join(' and no ')} in the results`;
}

export function orderSelectors(ids: Iterable<string>): string[] {
  const present = new Set(ids);
  return [...SELECTOR_ORDER.filter((s) => present.has(s)), ...[...present].filter((s) => !SELECTOR_ORDER.includes(s)).sort()];
}

export function selectorColour(id: string, order: readonly string[]): string {
  const fixed = SELECTOR_COLOURS[id];
  if (fixed) return fixed;
  const unknown = order.filter((s) => !(s in SELECTOR_COLOURS));
  return SPARE_COLOURS[unknown.indexOf(id) % SPARE_COLOURS.length] ?? '#666666';
}
