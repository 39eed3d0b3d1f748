/** Hand-built report inputs: a few trials whose statistics can be worked out on paper. */
import type { ReportInput, Scalar, TrialRecord } from '../../harness/experiment.js';
import { identityKey } from '../../harness/identity.js';

export interface HandTrial {
  scenario?: string;
  model?: string;
  selector: string;
  replicate: number;
  k: number | null;
  cost?: number;
  latency?: number;
  accuracy?: number;
  balance?: number;
  breaks?: 0 | 1;
  feasible?: 0 | 1;
  status?: 'ok' | 'failed';
  extra?: Record<string, string | number>;
}

export function handInput(trials: HandTrial[], study = 'hand'): ReportInput {
  const records: TrialRecord[] = trials.map((t, i) => {
    const scenario = t.scenario ?? 'balanced';
    const model = t.model ?? 'gpt5-nano';
    const groupKey = identityKey({ scenario, model, replicate: t.replicate, extra: t.extra ?? {} });
    const result: Record<string, Scalar> =
      t.k === null
        ? { k_star: null, none_reason: 'no feasible k' }
        : {
            k_star: t.k,
            cost: t.cost ?? t.k * 0.01,
            latency: t.latency ?? t.k,
            accuracy: t.accuracy ?? 0.9,
            balance: t.balance ?? 0.5,
            breaks_latency: t.breaks ?? 0,
            feasible: t.feasible ?? 1,
          };
    return {
      key: identityKey({ groupKey, selector: t.selector }),
      cellIndex: i,
      groupKey,
      replicate: t.replicate,
      values: { scenario, model, selector: t.selector, ...(t.extra ?? {}) },
      status: t.status ?? 'ok',
      result: t.status === 'failed' ? {} : result,
      diagnostics: null,
      error: t.status === 'failed' ? 'Error: boom' : null,
    };
  });
  return { manifest: { study, hash: '0'.repeat(64), body: { name: study, params: {} } }, trials: records, curves: new Map(), runs: [], progress: () => {} };
}
