import { describe, expect, it } from 'vitest';
import {
  CatalogError,
  findEntry,
  MODEL_CATALOG,
  resolveModels,
  resolveScenarios,
  SCENARIO_CATALOG,
} from '../../experiments/inference-scaling/catalog.js';

describe('catalog', () => {
  it('holds the nine models, three per size class, and the three scenarios of the study', () => {
    expect(MODEL_CATALOG).toHaveLength(9);
    const bySize = (size: string) => MODEL_CATALOG.filter((m) => m.size === size).map((m) => m.id);
    expect(bySize('large')).toEqual(['gpt5', 'nemotron-ultra-253b', 'qwen3-max']);
    expect(bySize('medium')).toEqual(['gpt5-mini', 'nemotron-h-47b', 'qwen3-next-80b-a3b']);
    expect(bySize('small')).toEqual(['gpt5-nano', 'nemotron-nano-9b-v2', 'qwen3-30b-a3b']);
    expect(SCENARIO_CATALOG.map((s) => [s.id, s.C_max, s.T_max, s.acc_min, s.P, s.k_max, s.M])).toEqual([
      ['balanced', 0.5, 60, 0.88, 4, 128, 300],
      ['accuracy-critical', 1, 300, 0.95, 4, 128, 300],
      ['cost-constrained', 0.05, 60, 0.88, 4, 128, 300],
    ]);
  });

  it('stores prices per token', () => {
    const gpt5 = findEntry(MODEL_CATALOG, 'gpt5', 'model');
    expect(gpt5.c_out * 1e6).toBeCloseTo(10, 12);
    expect([gpt5.mu_in, gpt5.sd_in, gpt5.mu_out, gpt5.sd_out, gpt5.mu_A, gpt5.sd_A]).toEqual([1024, 64, 2048, 128, 0.94, 0.02]);
  });

  it('applies overrides and appends new entries in order', () => {
    const { id: _, ...gpt5Fields } = MODEL_CATALOG[0]!;
    const models = resolveModels({ models: { gpt5: { sd_A: 0.1 }, tiny: { ...gpt5Fields, size: 'small', name: 'Tiny' } } });
    expect(models.map((m) => m.id).slice(-2)).toEqual(['qwen3-30b-a3b', 'tiny']);
    expect(findEntry(models, 'gpt5', 'model').sd_A).toBe(0.1);
    expect(findEntry(models, 'gpt5', 'model').mu_A).toBe(0.94);
    expect(findEntry(models, 'tiny', 'model').name).toBe('Tiny');
    const scenarios = resolveScenarios({ scenarios: { strict: { C_max: 0.1, T_max: 10, acc_min: 0.9, P: 2, k_max: 16, M: 50 } } });
    expect(findEntry(scenarios, 'strict', 'scenario')).toEqual({ id: 'strict', intent: '', C_max: 0.1, T_max: 10, acc_min: 0.9, P: 2, k_max: 16, M: 50 });
    // The catalog itself is left untouched.
    expect(findEntry(MODEL_CATALOG, 'gpt5', 'model').sd_A).toBe(0.02);
  });

  it('names the entry, field, rule, value and a fix for a bad value', () => {
    const bad = () => resolveModels({ models: { 'gpt5-mini': { sd_A: -0.5 } } });
    expect(bad).toThrow(CatalogError);
    expect(bad).toThrow('model "gpt5-mini": field "sd_A" must be a finite number > 0, received -0.5. Give the standard deviation');
    expect(() => resolveScenarios({ scenarios: { balanced: { P: 2.5 } } })).toThrow(
      'scenario "balanced": field "P" must be an integer >= 1, received 2.5. Give how many calls run at once, e.g. 4.',
    );
    expect(() => resolveScenarios({ scenarios: { balanced: { acc_min: 1.2 } } })).toThrow(/field "acc_min" must be a number in \[0, 1\], received 1.2/);
    // Bounded above too: a simulation beyond SIMULATION_LIMITS would not fit a worker, or not end.
    expect(() => resolveScenarios({ scenarios: { balanced: { k_max: 70_000 } } })).toThrow('field "k_max" must be an integer from 1 to 65536, received 70000');
    expect(() => resolveScenarios({ scenarios: { balanced: { M: 2e7 } } })).toThrow('field "M" must be an integer from 2 to 10000000, received 20000000');
    expect(() => resolveModels({ models: { gpt5: { size: 'huge' as never } } })).toThrow(/field "size" must be one of small, medium, large, received "huge"/);
  });

  it('asks a new entry for every field, and rejects unknown fields', () => {
    expect(() => resolveModels({ models: { mine: { mu_A: 0.9 } } })).toThrow(
      /model "mine": field "size" is required for a new entry, received nothing \(the field is missing\)\. A new model must give every field/,
    );
    expect(() => resolveScenarios({ scenarios: { balanced: { Cmax: 1 } as never } })).toThrow(/field "Cmax" is not a known field.*Known fields: intent, C_max/);
  });

  it('lists the valid names when a lookup misses', () => {
    expect(() => findEntry(SCENARIO_CATALOG, 'balance', 'scenario')).toThrow(
      'unknown scenario "balance". Valid scenarios: balanced, accuracy-critical, cost-constrained. Pick one of them, or define it under params.scenarios.',
    );
  });
});
