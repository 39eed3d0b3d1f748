/**
 * The grid of a study: a lazy, deterministic enumeration of its cells by mixed-radix index.
 *
 * A grid is a list of dimensions, outermost first. A dimension has one field (an axis, a swept
 * parameter, the study's variants, or `replicate`) or several zipped fields of equal length
 * that advance together. Cell `index` has digit `d_j = floor(index / stride_j) mod length_j` in dimension j, so any
 * cell is found in O(dims) without listing the others, and the order never depends on anything
 * but the spec. Shared dimensions (those that do not change the simulation) form the innermost
 * suffix: the cells of one *block* (`floor(index / blockSize)`) differ only in shared fields
 * and run as one pool task. Exclusion rules remove cells; the index space keeps its holes.
 */
import type { Json } from './experiment.js';
import { canonicalJson } from './identity.js';

export type FieldKind = 'axis' | 'param' | 'variant' | 'replicate';

export interface Field {
  /** Axis name, dotted parameter path, `variant` (the names of the study's variants), or `replicate`. */
  name: string;
  kind: FieldKind;
  values: Json[];
}

export interface Dim {
  /** One field, or several zipped fields with equally long value lists. */
  fields: Field[];
  /** True when the dimension does not change the simulation (it must be innermost). */
  shared: boolean;
}

/** A cell is excluded when, for every field a rule names, its value is among the rule's values. */
export type ExcludeRule = Record<string, Json[]>;

export interface GridSpec {
  dims: Dim[];
  exclude: ExcludeRule[];
}

/** Largest index space a grid may have (a done-bitset of this size is 256 MiB). */
export const maxGridSize = 2 ** 31;

interface RuleTerm {
  dim: number;
  /** mask[digit] = 1 when that position of the dimension matches the rule. */
  mask: Uint8Array;
}

export class Grid {
  readonly dims: readonly Dim[];
  readonly lengths: readonly number[];
  /** Size of the index space, exclusions included. */
  readonly size: number;
  /** Number of cells that are not excluded. */
  readonly count: number;
  /** Cells per block: the product of the shared (innermost) dimensions. */
  readonly blockSize: number;
  readonly blockCount: number;
  readonly fieldNames: readonly string[];
  /** The dimension that holds `replicate` alone; -1 where it is zipped with other fields. */
  readonly replicateDim: number;
  private readonly strides: number[];
  private readonly rules: RuleTerm[][];

  constructor(readonly spec: GridSpec) {
    this.dims = spec.dims;
    this.lengths = spec.dims.map(dimLength);
    this.size = this.lengths.reduce((a, b) => a * b, 1);
    if (!(this.size <= maxGridSize)) throw new RangeError(`grid has ${this.size} positions; at most ${maxGridSize}`);
    this.strides = stridesOf(this.lengths);
    const firstShared = this.dims.findIndex((d) => d.shared);
    if (firstShared >= 0 && this.dims.slice(firstShared).some((d) => !d.shared)) {
      throw new Error('grid: shared dimensions must be the innermost ones');
    }
    this.blockSize = firstShared < 0 ? 1 : this.lengths.slice(firstShared).reduce((a, b) => a * b, 1);
    this.blockCount = this.size / this.blockSize;
    this.fieldNames = this.dims.flatMap((d) => d.fields.map((f) => f.name));
    this.replicateDim = this.dims.findIndex((d) => d.fields.length === 1 && d.fields[0]!.kind === 'replicate');
    this.rules = spec.exclude.map((rule) => this.compileRule(rule));
    this.count = this.size - this.excludedCount();
  }

  digitsOf(index: number, out: number[] = new Array<number>(this.dims.length)): number[] {
    for (let j = 0; j < this.lengths.length; j++) out[j] = Math.floor(index / this.strides[j]!) % this.lengths[j]!;
    return out;
  }

  indexOf(digits: readonly number[]): number {
    let index = 0;
    for (let j = 0; j < digits.length; j++) index += digits[j]! * this.strides[j]!;
    return index;
  }

  isExcluded(index: number): boolean {
    if (this.rules.length === 0) return false;
    for (const rule of this.rules) {
      let all = true;
      for (const term of rule) {
        if (!term.mask[Math.floor(index / this.strides[term.dim]!) % this.lengths[term.dim]!]) {
          all = false;
          break;
        }
      }
      if (all) return true;
    }
    return false;
  }

  /** Field name -> value of a cell, in dimension order; fields of kind `omit` left out. */
  valuesOf(index: number, omit?: FieldKind): Record<string, Json> {
    const values: Record<string, Json> = {};
    for (let j = 0; j < this.dims.length; j++) {
      const digit = Math.floor(index / this.strides[j]!) % this.lengths[j]!;
      for (const field of this.dims[j]!.fields) if (field.kind !== omit) values[field.name] = field.values[digit]!;
    }
    return values;
  }

  /** Every cell index that is not excluded, in order. */
  *indices(): Generator<number> {
    for (let index = 0; index < this.size; index++) if (!this.isExcluded(index)) yield index;
  }

  /**
   * One cell per combination of the values of every dimension but the replicates' (its first
   * replicate that is not excluded; none when all are): the study's distinct cells, in the
   * order of those combinations, visited without touching the other replicates. Where `replicate` is zipped with other
   * fields, which then differ between replicates, every cell.
   */
  *distinctCells(): Generator<number> {
    const j = this.replicateDim;
    if (j < 0) {
      yield* this.indices();
      return;
    }
    const stride = this.strides[j]!;
    const length = this.lengths[j]!;
    const combinations = this.size / length;
    for (let c = 0; c < combinations; c++) {
      const first = Math.floor(c / stride) * stride * length + (c % stride);
      for (let r = 0; r < length; r++) {
        if (!this.isExcluded(first + r * stride)) {
          yield first + r * stride;
          break;
        }
      }
    }
  }

  /** Whether some cell of `block` that the study does not exclude passes `test` (by default, any). */
  blockHasCell(block: number, test: (index: number) => boolean = () => true): boolean {
    for (let i = block * this.blockSize; i < (block + 1) * this.blockSize; i++) if (!this.isExcluded(i) && test(i)) return true;
    return false;
  }

  blockOf(index: number): number {
    return Math.floor(index / this.blockSize);
  }

  private compileRule(rule: ExcludeRule): RuleTerm[] {
    const byDim = new Map<number, Uint8Array>();
    for (const [name, accepted] of Object.entries(rule)) {
      const j = this.dims.findIndex((d) => d.fields.some((f) => f.name === name));
      if (j < 0) throw new Error(`grid: exclusion names unknown field "${name}"`);
      const field = this.dims[j]!.fields.find((f) => f.name === name)!;
      const wanted = new Set(accepted.map(canonicalJson));
      const mask = byDim.get(j) ?? new Uint8Array(this.lengths[j]!).fill(1);
      field.values.forEach((v, digit) => {
        if (!wanted.has(canonicalJson(v))) mask[digit] = 0;
      });
      byDim.set(j, mask);
    }
    return [...byDim].map(([dim, mask]) => ({ dim, mask }));
  }

  /**
   * Size of the union of the rules' cell sets, by inclusion-exclusion over rule subsets: an
   * intersection of rules is a box (per dimension, the AND of masks) whose size is a product.
   * Subsets whose box is empty are pruned with all their supersets.
   */
  private excludedCount(): number {
    const n = this.dims.length;
    let total = 0;
    const visit = (start: number, masks: (Uint8Array | null)[], depth: number) => {
      for (let r = start; r < this.rules.length; r++) {
        const next = masks.slice();
        for (const term of this.rules[r]!) {
          const prev = next[term.dim];
          next[term.dim] = prev ? prev.map((bit, k) => bit & term.mask[k]!) : term.mask;
        }
        let box = 1;
        for (let j = 0; j < n && box > 0; j++) box *= next[j] ? popcount(next[j]!) : this.lengths[j]!;
        if (box === 0) continue;
        total += depth % 2 === 0 ? box : -box;
        visit(r + 1, next, depth + 1);
      }
    };
    visit(0, new Array<Uint8Array | null>(n).fill(null), 0);
    return total;
  }
}

function dimLength(dim: Dim): number {
  const length = dim.fields[0]?.values.length ?? 0;
  if (dim.fields.some((f) => f.values.length !== length)) throw new Error('grid: zipped fields differ in length');
  return length;
}

function stridesOf(lengths: readonly number[]): number[] {
  const strides = new Array<number>(lengths.length);
  let stride = 1;
  for (let j = lengths.length - 1; j >= 0; j--) {
    strides[j] = stride;
    stride *= lengths[j]!;
  }
  return strides;
}

function popcount(mask: Uint8Array): number {
  let n = 0;
  for (const bit of mask) n += bit;
  return n;
}
