/**
 * Worker side of the pool (a piscina worker module). Imports the experiment module once per
 * thread, runs each requested group, and returns outcomes; an exception in `runGroup` becomes
 * a `failed` outcome so the other groups of the request still count. Under a time limit it
 * marks each group's start in the request's `progress` and posts finished outcomes now and then
 * (protocol.ts).
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import type { Experiment } from '../experiment.js';
import { errorMessage, errorStack } from '../errors.js';
import { normalizeOutput } from './normalize.js';
import { DONE, LOADING, markProgress, type GroupOutcome, type RunGroupsRequest, type RunGroupsResponse, type WorkerEvent } from './protocol.js';

/**
 * Under a time limit, the outcomes not yet posted are posted before the next group starts once
 * they took this long: a stopped worker loses at most about this much work, and short groups
 * cost no message each.
 */
const postFinishedAfterMs = 100;

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
  const { token, progress } = request;
  const post = (event: WorkerEvent) => parentPort?.postMessage(event);
  if (progress) markProgress(progress, LOADING);
  const exp = await experimentAt(request.moduleUrl);
  const outcomes: GroupOutcome[] = [];
  let posted = 0;
  let postedAt = performance.now();
  for (const [place, task] of request.groups.entries()) {
    if (progress) {
      markProgress(progress, place);
      if (place === 0) post({ kind: 'started', token });
      else if (performance.now() - postedAt >= postFinishedAfterMs) {
        post({ kind: 'finished', token, outcomes: outcomes.slice(posted) });
        posted = outcomes.length;
        postedAt = performance.now();
      }
    }
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
  // Done, so that a main thread busy past a group's limit before it reads this does not stop the worker.
  if (progress) markProgress(progress, DONE);
  return { kind: 'groups-done', outcomes };
}
