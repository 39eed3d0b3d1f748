/**
 * The shape of a study file, before the experiment is known. What the experiment decides
 * (axis names and values, params) is checked later, in resolve.ts.
 */
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const studyNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Starts with a letter, so YAML keeps the variants in file order (integer-like keys would sort first). */
export const variantNamePattern = /^[A-Za-z][A-Za-z0-9._-]*$/;

export const studyFileSchema = z.strictObject({
  name: z.string().regex(studyNamePattern),
  experiment: z.string().min(1),
  description: z.string().default(''),
  seeds: z.int().min(1).max(1_000_000).default(1),
  base_seed: z.union([z.int(), z.string().min(1)]).default(0),
  axes: z.record(z.string(), z.array(z.string()).min(1)).default({}),
  params: z.record(z.string(), z.unknown()).default({}),
  sweep: z.record(z.string(), z.array(z.json()).min(1)).default({}),
  /** Named bundles of parameter overrides (dotted path -> value): one grid dimension, `variant`. */
  variants: z.record(z.string().regex(variantNamePattern), z.record(z.string(), z.json())).default({}),
  zip: z.array(z.array(z.string()).min(2)).default([]),
  exclude: z.array(z.record(z.string(), z.union([scalar, z.array(scalar).min(1)]))).default([]),
});

export type StudyDoc = z.output<typeof studyFileSchema>;
