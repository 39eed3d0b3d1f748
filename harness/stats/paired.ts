/** Pairing of two measurements that share a unit (e.g. the same seed under two treatments). */

export interface Pairs<K, V = number> {
  keys: K[];
  left: V[];
  right: V[];
}

/**
 * The units measured on both sides, in ascending key order; a unit missing or null on either
 * side is left out (the caller counts what was dropped from `keys.length`).
 */
export function pairByKey<K extends number | string, V = number>(
  left: ReadonlyMap<K, V | null | undefined>,
  right: ReadonlyMap<K, V | null | undefined>,
): Pairs<K, V> {
  const keys = [...left.keys()]
    .filter((k) => left.get(k) != null && right.get(k) != null)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    keys,
    left: keys.map((k) => left.get(k) as V),
    right: keys.map((k) => right.get(k) as V),
  };
}

/** Element-wise `f(left[i], right[i])`. */
export function pairedDeltas<K, V, R>(pairs: Pairs<K, V>, f: (left: V, right: V) => R): R[] {
  return pairs.left.map((l, i) => f(l, pairs.right[i] as V));
}
