/**
 * Fields a Vega-Lite spec names that its data lack. Vega-Lite compiles a misspelt field without a
 * word, and Vega draws it as nothing (a quantitative one: an empty frame), or as one category
 * "undefined" (a nominal one, a facet's: every panel's marks in one): a figure other than its spec
 * asks, which no warning reveals unless the field is quantitative.
 *
 * Checked only where the answer is sure: a view whose data are given inline (`data.values`, or a
 * named dataset), against the names its rows have and the names any transform of the spec makes
 * (`as`, and the defaults of fold, density and quantile). A spec that pivots (its new fields are
 * values of the data) is not checked.
 */

import { nearest } from '../text.js';

/** A field a spec names at `path` (a JSON pointer) that no row of that view's data has, nor any transform makes. */
export interface UnknownField {
  path: string;
  field: string;
  /** The names that view's rows have, sorted. */
  known: string[];
}

/** Names listed in a message at most. */
const LISTED = 12;

/** The name of the data's nearest `found`'s (a misspelling's likely meaning), and the data's names as a message lists them. */
export function knownFields(found: UnknownField): { close: string | undefined; listed: string } {
  const names = found.known.map((k) => JSON.stringify(k));
  const listed = names.slice(0, LISTED).join(', ') + (names.length > LISTED ? `, ... (${names.length} in all)` : '');
  return { close: nearest(found.field, found.known), listed: listed || 'none' };
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The names a transform makes when it is not given `as`. */
const DEFAULT_OUTPUTS: Readonly<Record<string, readonly string[]>> = { fold: ['key', 'value'], density: ['value', 'density'], quantile: ['prob', 'value'] };

/** The keys that hold data (rows), not views or transforms. */
const DATA_KEYS = new Set(['data', 'datasets']);

/** The keys of a view that hold views beneath it, and so inherit its data. */
const CHILD_VIEWS = ['layer', 'hconcat', 'vconcat', 'concat', 'spec'] as const;

/** A JSON pointer one key deeper ('~' and '/' in the key escaped). */
export function pointerTo(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export function unknownField(spec: unknown): UnknownField | null {
  if (!isObj(spec)) return null;
  const made = new Set<string>();
  let pivots = false;
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (!isObj(node)) return;
    if (Array.isArray(node['transform'])) {
      for (const t of node['transform']) {
        if (!isObj(t)) continue;
        if ('pivot' in t) pivots = true;
        madeBy(t).forEach((name) => made.add(name));
      }
    }
    // Not into the data: their rows hold no transforms, and are most of a report's spec.
    for (const [key, value] of Object.entries(node)) if (!DATA_KEYS.has(key)) collect(value);
  };
  collect(spec);
  if (pivots) return null;
  const datasets = isObj(spec['datasets']) ? spec['datasets'] : {};
  const rowsOf = (data: unknown): Set<string> | null => {
    if (!isObj(data)) return null;
    const values = Array.isArray(data['values']) ? data['values'] : typeof data['name'] === 'string' && Array.isArray(datasets[data['name']]) ? datasets[data['name']] : null;
    if (values === null) return null;
    const keys = new Set<string>();
    for (const row of values as unknown[]) if (isObj(row)) for (const key of Object.keys(row)) keys.add(key);
    return keys;
  };
  const knows = (keys: Set<string>, field: string) => made.has(field) || keys.has(field) || keys.has(topLevel(field));

  const visit = (view: Obj, path: string, inherited: Set<string> | null): UnknownField | null => {
    const keys = 'data' in view ? rowsOf(view['data']) : inherited;
    if (keys !== null) {
      for (const [at, field] of fieldsNamed(view, path)) {
        if (!knows(keys, field)) return { path: at, field, known: [...keys].sort() };
      }
    }
    for (const key of CHILD_VIEWS) {
      const child = view[key];
      if (Array.isArray(child)) {
        for (const [i, c] of child.entries()) {
          const found = isObj(c) ? visit(c, pointerTo(pointerTo(path, key), i), keys) : null;
          if (found) return found;
        }
      } else if (isObj(child)) {
        const found = visit(child, pointerTo(path, key), keys);
        if (found) return found;
      }
    }
    return null;
  };
  return visit(spec, '', null);
}

/** The names a transform makes: its `as` (one or several, also within aggregate, window and joinaggregate ops), else its defaults. */
function madeBy(transform: Obj): string[] {
  const names = (as: unknown): string[] => (typeof as === 'string' ? [as] : Array.isArray(as) ? as.filter((a): a is string => typeof a === 'string') : []);
  const out = names(transform['as']);
  for (const ops of ['aggregate', 'window', 'joinaggregate']) {
    const list = transform[ops];
    if (Array.isArray(list)) for (const op of list) if (isObj(op)) out.push(...names(op['as']));
  }
  // A lookup brings the fields it names, or, naming none, every field of its inline data.
  const from = transform['from'];
  if (isObj(from)) {
    const rows = isObj(from['data']) && Array.isArray(from['data']['values']) ? (from['data']['values'] as unknown[]) : [];
    out.push(...(from['fields'] === undefined && transform['as'] === undefined ? rows.flatMap((r) => (isObj(r) ? Object.keys(r) : [])) : names(from['fields'])));
  }
  if (out.length === 0) for (const [kind, defaults] of Object.entries(DEFAULT_OUTPUTS)) if (kind in transform) out.push(...defaults);
  return out;
}

/**
 * The fields a view itself names, with where: its encoding's channels (their conditions, lists
 * and sort by field included), its facet's and its filters' field predicates.
 */
function fieldsNamed(view: Obj, path: string): [string, string][] {
  const out: [string, string][] = [];
  const definition = (def: unknown, at: string): void => {
    if (Array.isArray(def)) return def.forEach((d, i) => definition(d, pointerTo(at, i)));
    if (!isObj(def)) return;
    if (typeof def['field'] === 'string') out.push([pointerTo(at, 'field'), def['field']]);
    if (isObj(def['sort']) && typeof def['sort']['field'] === 'string') out.push([pointerTo(pointerTo(at, 'sort'), 'field'), def['sort']['field']]);
    if ('condition' in def) definition(def['condition'], pointerTo(at, 'condition'));
  };
  for (const holder of ['encoding', 'facet'] as const) {
    const channels = view[holder];
    if (!isObj(channels)) continue;
    // A facet of one field (wrapped) is that field's definition.
    if (holder === 'facet' && typeof channels['field'] === 'string') definition(channels, pointerTo(path, holder));
    else for (const [channel, def] of Object.entries(channels)) definition(def, pointerTo(pointerTo(path, holder), channel));
  }
  const transforms = view['transform'];
  if (Array.isArray(transforms)) {
    transforms.forEach((t, i) => {
      if (isObj(t) && isObj(t['filter'])) predicate(t['filter'], pointerTo(pointerTo(pointerTo(path, 'transform'), i), 'filter'), out);
    });
  }
  return out;
}

/** A field predicate's field, through and/or/not. */
function predicate(p: Obj, at: string, out: [string, string][]): void {
  if (typeof p['field'] === 'string') out.push([pointerTo(at, 'field'), p['field']]);
  for (const op of ['and', 'or'] as const) {
    const list = p[op];
    if (Array.isArray(list)) list.forEach((q, i) => isObj(q) && predicate(q, pointerTo(pointerTo(at, op), i), out));
  }
  if (isObj(p['not'])) predicate(p['not'], pointerTo(at, 'not'), out);
}

/** The row's own name a field path starts with: `a.b` reads `b` of `a`; `a\.b` names "a.b" itself. */
function topLevel(field: string): string {
  const match = /^((?:\\.|[^.[\\])*)/.exec(field);
  return (match?.[1] ?? field).replace(/\\(.)/g, '$1');
}
