/**
 * The contract of an axis declared `shared: true`: cells that differ only in such axes run as one
 * simulation, on common random numbers, so `groupOf` gives them one simulation and one
 * seedIdentity. (A swept parameter's dimension is shared by a probe of the grid's first cell
 * alone, so cells that differ in it may still split: that is allowed.)
 */
import type { Experiment, Json } from '../experiment.js';
import { canonicalJson } from '../identity.js';
import * as msg from '../messages.js';

type Values = Record<string, Json>;

/** The axes the experiment declares shared. */
export function declaredSharedAxes(exp: Experiment): Set<string> {
  return new Set(Object.entries(exp.axes).filter(([, axis]) => axis.shared === true).map(([name]) => name));
}

/** The fields two cells differ in, when each of them is a declared shared axis (and there is one); else null. */
export function differOnlyInSharedAxes(shared: ReadonlySet<string>, a: Values, b: Values): string[] | null {
  const fields = Object.keys(a).filter((name) => canonicalJson(a[name]!) !== canonicalJson(b[name]!));
  return fields.length > 0 && fields.every((name) => shared.has(name)) ? fields : null;
}

/**
 * Checks cells one after another: cells that differ only in declared shared axes must have one
 * simulation. A cell is compared with the first seen that agrees with it in every other field
 * (its block's fields, the replicate among them, and any swept parameter), so one check may see
 * a whole grid, or one block.
 */
export class SharedAxesCheck {
  private readonly firstByOtherFields = new Map<string, { simulation: string; values: Values }>();

  constructor(
    private readonly exp: Experiment,
    private readonly shared: ReadonlySet<string> = declaredSharedAxes(exp),
  ) {}

  /** What is wrong where `values` splits a simulation (naming the two cells and the fix); null where nothing is. */
  problem(values: Values, simulation: string): string | null {
    if (this.shared.size === 0) return null;
    const others = canonicalJson(Object.fromEntries(Object.entries(values).filter(([name]) => !this.shared.has(name))));
    const first = this.firstByOtherFields.get(others);
    if (!first) this.firstByOtherFields.set(others, { simulation, values });
    else if (first.simulation !== simulation) return msg.experimentSplitsShared(this.exp.name, differOnlyInSharedAxes(this.shared, first.values, values) ?? [], first.values, values);
    return null;
  }
}
