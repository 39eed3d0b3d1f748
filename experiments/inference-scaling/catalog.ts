/**
 * The nine simulated models and three deployment scenarios of the study, as data.
 *
 * Every entry is checked when this module loads and again whenever a study overrides or adds
 * entries (`resolveModels`, `resolveScenarios`): a bad value is a `CatalogError` naming the
 * entry, the field, the rule, the value received and a fix.
 */

export const SIZE_CLASSES = ['small', 'medium', 'large'] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

/** One model's per-call distributions. Prices in dollars per token, times in seconds per token. */
export interface ModelSpec {
  id: string;
  name: string;
  size: SizeClass;
  mu_in: number;
  sd_in: number;
  mu_out: number;
  sd_out: number;
  c_in: number;
  c_out: number;
  t_in: number;
  t_out: number;
  mu_A: number;
  sd_A: number;
}

/** One deployment regime: budgets for all k calls together, and the simulation's size. */
export interface ScenarioSpec {
  id: string;
  intent: string;
  C_max: number;
  T_max: number;
  acc_min: number;
  P: number;
  k_max: number;
  M: number;
}

export type ModelFields = Omit<ModelSpec, 'id'>;
export type ScenarioFields = Omit<ScenarioSpec, 'id'>;

export class CatalogError extends Error {
  constructor(
    readonly kind: 'model' | 'scenario',
    readonly entry: string,
    readonly field: string,
    readonly value: unknown,
    readonly rule: string,
    readonly hint: string,
  ) {
    super(`${kind} "${entry}": field "${field}" ${rule}, received ${describe(value)}. ${hint}`);
    this.name = 'CatalogError';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return `${JSON.stringify(value)} (a ${Array.isArray(value) ? 'list' : typeof value})`;
}

interface FieldRule {
  /** The rule in words, completing "field X ...". */
  rule: string;
  ok(value: unknown): boolean;
  hint: string;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const positive = (v: unknown) => finite(v) && v > 0;
const nonNegative = (v: unknown) => finite(v) && v >= 0;
const unitInterval = (v: unknown) => finite(v) && v >= 0 && v <= 1;
const integerAtLeast = (min: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min;
const integerIn = (min: number, max: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/**
 * The largest simulation one group may ask for. A candidate k holds about 4 kB of a worker's
 * memory and k_max calls' normals 24 bytes a call, so k_max bounds the memory (240 MB at the
 * cap, every k a candidate); M bounds the time, as a group shows no progress until it ends (ten
 * million runs of 128 calls take a worker about an hour).
 */
export const SIMULATION_LIMITS = { k_max: 65_536, M: 10_000_000 } as const;
const text = (v: unknown) => typeof v === 'string';

const perToken = (what: string, example: string): FieldRule => ({
  rule: 'must be a finite number >= 0',
  ok: nonNegative,
  hint: `Give the ${what} per token, e.g. ${example}.`,
});

const MODEL_RULES: Record<keyof ModelFields, FieldRule> = {
  name: { rule: 'must be a string', ok: text, hint: 'Give a display name, e.g. "GPT-5".' },
  size: {
    rule: `must be one of ${SIZE_CLASSES.join(', ')}`,
    ok: (v) => SIZE_CLASSES.includes(v as SizeClass),
    hint: 'Use the size class the model belongs to (claim 3 compares small and medium with large).',
  },
  mu_in: { rule: 'must be a finite number >= 1', ok: (v) => finite(v) && v >= 1, hint: 'Give the mean input length in tokens, e.g. 1024.' },
  sd_in: { rule: 'must be a finite number > 0', ok: positive, hint: 'Give the input length standard deviation in tokens, e.g. 64.' },
  mu_out: { rule: 'must be a finite number >= 1', ok: (v) => finite(v) && v >= 1, hint: 'Give the mean output length in tokens, e.g. 2048.' },
  sd_out: { rule: 'must be a finite number > 0', ok: positive, hint: 'Give the output length standard deviation in tokens, e.g. 128.' },
  c_in: perToken('input price in dollars', '1.25e-6 for $1.25 per million tokens'),
  c_out: perToken('output price in dollars', '1e-5 for $10 per million tokens'),
  t_in: perToken('input time in seconds', '0.0005'),
  t_out: perToken('output time in seconds', '0.005'),
  mu_A: { rule: 'must be a number in [0, 1]', ok: unitInterval, hint: 'Give the mean accuracy of one call as a fraction, e.g. 0.92.' },
  sd_A: { rule: 'must be a finite number > 0', ok: positive, hint: 'Give the standard deviation of one call\'s accuracy, e.g. 0.05.' },
};

const SCENARIO_RULES: Record<keyof ScenarioFields, FieldRule> = {
  intent: { rule: 'must be a string', ok: text, hint: 'Describe the regime in a few words.' },
  C_max: { rule: 'must be a finite number > 0', ok: positive, hint: 'Give the cost budget in dollars for all k calls, e.g. 0.5.' },
  T_max: { rule: 'must be a finite number > 0', ok: positive, hint: 'Give the latency budget in seconds for all k calls, e.g. 60.' },
  acc_min: { rule: 'must be a number in [0, 1]', ok: unitInterval, hint: 'Give the least acceptable mean best-of-k accuracy, e.g. 0.88.' },
  P: { rule: 'must be an integer >= 1', ok: integerAtLeast(1), hint: 'Give how many calls run at once, e.g. 4.' },
  k_max: { rule: `must be an integer from 1 to ${SIMULATION_LIMITS.k_max}`, ok: integerIn(1, SIMULATION_LIMITS.k_max), hint: 'Give the largest k to simulate, e.g. 128.' },
  M: { rule: `must be an integer from 2 to ${SIMULATION_LIMITS.M}`, ok: integerIn(2, SIMULATION_LIMITS.M), hint: 'Give the number of Monte Carlo trials, e.g. 300.' },
};

/** Fields a study may leave out when it adds a new entry, with how they are filled. */
const MODEL_OPTIONAL: Partial<Record<keyof ModelFields, (id: string) => unknown>> = { name: (id) => id };
const SCENARIO_OPTIONAL: Partial<Record<keyof ScenarioFields, (id: string) => unknown>> = { intent: () => '' };

/** Shared by all nine models (STUDY.md section 3). */
const LENGTHS = { mu_in: 1024, sd_in: 64, mu_out: 2048, sd_out: 128 } as const;

export const MODEL_CATALOG: readonly ModelSpec[] = [
  { id: 'gpt5', name: 'GPT-5', size: 'large', ...LENGTHS, c_in: 1.25e-6, c_out: 10e-6, t_in: 0.0005, t_out: 0.005, mu_A: 0.94, sd_A: 0.02 },
  { id: 'gpt5-mini', name: 'GPT-5 Mini', size: 'medium', ...LENGTHS, c_in: 0.25e-6, c_out: 2e-6, t_in: 0.00025, t_out: 0.002, mu_A: 0.92, sd_A: 0.03 },
  { id: 'gpt5-nano', name: 'GPT-5 Nano', size: 'small', ...LENGTHS, c_in: 0.05e-6, c_out: 0.4e-6, t_in: 0.0001, t_out: 0.001, mu_A: 0.91, sd_A: 0.04 },
  { id: 'nemotron-ultra-253b', name: 'Nvidia Llama Nemotron Ultra 253B', size: 'large', ...LENGTHS, c_in: 0.9e-6, c_out: 2.8e-6, t_in: 0.001, t_out: 0.01, mu_A: 0.93, sd_A: 0.05 },
  { id: 'nemotron-h-47b', name: 'Nvidia Nemotron H 47B', size: 'medium', ...LENGTHS, c_in: 0.4e-6, c_out: 1.5e-6, t_in: 0.0004, t_out: 0.004, mu_A: 0.92, sd_A: 0.06 },
  { id: 'nemotron-nano-9b-v2', name: 'Nvidia Nemotron Nano 9B v2', size: 'small', ...LENGTHS, c_in: 0.2e-6, c_out: 1e-6, t_in: 0.00012, t_out: 0.0012, mu_A: 0.91, sd_A: 0.07 },
  { id: 'qwen3-max', name: 'Qwen3-Max', size: 'large', ...LENGTHS, c_in: 0.9e-6, c_out: 2.4e-6, t_in: 0.0008, t_out: 0.008, mu_A: 0.9, sd_A: 0.04 },
  { id: 'qwen3-next-80b-a3b', name: 'Qwen3-Next-80B-A3B', size: 'medium', ...LENGTHS, c_in: 0.5e-6, c_out: 1.25e-6, t_in: 0.0004, t_out: 0.004, mu_A: 0.89, sd_A: 0.05 },
  { id: 'qwen3-30b-a3b', name: 'Qwen3-30B-A3B', size: 'small', ...LENGTHS, c_in: 0.35e-6, c_out: 0.9e-6, t_in: 0.00025, t_out: 0.002, mu_A: 0.88, sd_A: 0.06 },
];

/** Reconstructed regimes (STUDY.md section 4); a study may replace any field. */
export const SCENARIO_CATALOG: readonly ScenarioSpec[] = [
  { id: 'balanced', intent: "the notebook's defaults", C_max: 0.5, T_max: 60, acc_min: 0.88, P: 4, k_max: 128, M: 300 },
  { id: 'accuracy-critical', intent: 'high-stakes: quality first, generous budgets', C_max: 1.0, T_max: 300, acc_min: 0.95, P: 4, k_max: 128, M: 300 },
  { id: 'cost-constrained', intent: 'cheap, high-volume serving', C_max: 0.05, T_max: 60, acc_min: 0.88, P: 4, k_max: 128, M: 300 },
];

export const MODEL_IDS: readonly string[] = MODEL_CATALOG.map((m) => m.id);
export const SCENARIO_IDS: readonly string[] = SCENARIO_CATALOG.map((s) => s.id);

/** Study params that may override or add catalog entries (field names as in the specs). */
export interface CatalogOverrides {
  models?: Record<string, Partial<ModelFields>>;
  scenarios?: Record<string, Partial<ScenarioFields>>;
}

function checkEntry<F extends object>(
  kind: 'model' | 'scenario',
  id: string,
  entry: Record<string, unknown>,
  rules: Record<keyof F & string, FieldRule>,
): void {
  for (const field of Object.keys(entry)) {
    if (field !== 'id' && !(field in rules)) {
      throw new CatalogError(kind, id, field, entry[field], 'is not a known field', `Known fields: ${Object.keys(rules).join(', ')}.`);
    }
  }
  for (const [field, rule] of Object.entries(rules) as [string, FieldRule][]) {
    if (!rule.ok(entry[field])) throw new CatalogError(kind, id, field, entry[field], rule.rule, rule.hint);
  }
}

function resolve<S extends { id: string }>(
  kind: 'model' | 'scenario',
  catalog: readonly S[],
  overrides: Record<string, object> | undefined,
  rules: Record<string, FieldRule>,
  optional: Partial<Record<string, (id: string) => unknown>>,
): S[] {
  const out = catalog.map((entry) => ({ ...entry }));
  for (const [id, patch] of Object.entries(overrides ?? {})) {
    if (id.length === 0) {
      throw new CatalogError(kind, id, 'id', id, 'must be a non-empty name', `Name the ${kind}, e.g. "my-${kind}".`);
    }
    const index = out.findIndex((entry) => entry.id === id);
    if (index >= 0) {
      out[index] = { ...out[index]!, ...patch, id };
      continue;
    }
    const added: Record<string, unknown> = { id };
    for (const field of Object.keys(rules)) {
      const fill = optional[field];
      if (fill) added[field] = fill(id);
    }
    Object.assign(added, patch, { id });
    for (const field of Object.keys(rules)) {
      if (added[field] === undefined) {
        throw new CatalogError(kind, id, field, undefined, 'is required for a new entry', `A new ${kind} must give every field: ${Object.keys(rules).join(', ')}.`);
      }
    }
    out.push(added as unknown as S);
  }
  for (const entry of out) checkEntry(kind, entry.id, entry as unknown as Record<string, unknown>, rules);
  return out;
}

/** The catalog's models with the study's overrides applied and its new models appended. */
export function resolveModels(params: CatalogOverrides = {}): ModelSpec[] {
  return resolve('model', MODEL_CATALOG, params.models, MODEL_RULES, MODEL_OPTIONAL);
}

/** The catalog's scenarios with the study's overrides applied and its new scenarios appended. */
export function resolveScenarios(params: CatalogOverrides = {}): ScenarioSpec[] {
  return resolve('scenario', SCENARIO_CATALOG, params.scenarios, SCENARIO_RULES, SCENARIO_OPTIONAL);
}

/** The entry named `id`, or an error listing the valid names. */
export function findEntry<S extends { id: string }>(entries: readonly S[], id: string, kind: 'model' | 'scenario'): S {
  const found = entries.find((entry) => entry.id === id);
  if (found) return found;
  throw new Error(
    `unknown ${kind} "${id}". Valid ${kind}s: ${entries.map((entry) => entry.id).join(', ')}. ` +
      `Pick one of them, or define it under params.${kind}s.`,
  );
}

// The catalog is data: prove it well formed when the module loads.
for (const model of MODEL_CATALOG) checkEntry('model', model.id, { ...model }, MODEL_RULES);
for (const scenario of SCENARIO_CATALOG) checkEntry('scenario', scenario.id, { ...scenario }, SCENARIO_RULES);
