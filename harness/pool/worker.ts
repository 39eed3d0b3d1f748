/**
 * Worker side of the pool (a piscina worker module). Imports the experiment module once per
 * thread, runs each requested group, and returns outcomes; an exception in `runGroup` becomes
 * a `failed` outcome so the other groups of the request still count.
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import type { Experiment } from '../experiment.js';
import { errorMessage, errorStack } from '../errors.js';
import { normalizeOutput } from './normalize.js';
import type { GroupOutcome, RunGroupsRequest, RunGroupsResponse, StartedEvent } from './protocol.js';

const experiments = new Map<string, Promise<Experiment>>();

function experimentAt(moduleUrl: string): Promise<Experiment> {
  let loaded = experiments.get(moduleUrl);
  if (!loaded) {
    loaded = import(moduleUrl).then((mod: { default: Experiment }) => mod.default);
    experiments.set(moduleUrl, loaded);
  }
  return loaded;
}

export default async function runGroups(request: RunGroupsRequest): Promise<RunGroupsResponse> {
  const exp = await experimentAt(request.moduleUrl);
  parentPort?.postMessage({ kind: 'started', token: request.token } satisfies StartedEvent);
  const outcomes: GroupOutcome[] = [];
  for (const task of request.groups) {
    const start = performance.now();
    try {
      const output = await exp.runGroup(task);
      outcomes.push(normalizeOutput(exp, task, output, performance.now() - start));
    } catch (thrown) {
      outcomes.push({
        kind: 'failed',
        groupKey: task.groupKey,
        durationMs: performance.now() - start,
        message: errorMessage(thrown),
        stack: errorStack(thrown),
      });
    }
  }
  return { kind: 'groups-done', outcomes };
}
