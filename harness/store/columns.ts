/** How grid fields and values become SQLite columns and cells. */
import type { Json, Scalar } from '../experiment.js';
import { canonicalJson } from '../identity.js';

/** `sim.M` -> `sim_M`: a field name as a column name (SQLite compares these case-insensitively). */
export function columnNameOf(field: string): string {
  const name = field.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/**
 * A grid value as a column value: strings as is, whole numbers as SQLite integers and others as
 * reals (a JavaScript number binds as a real, and a swept parameter's column, which has no
 * declared type, would hold 100 as 100.0), booleans as integers 0/1, others as JSON.
 */
export function sqlValueOf(value: Json): Scalar | bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (value === null || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  return canonicalJson(value);
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
