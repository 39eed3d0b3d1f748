/**
 * Main side of the worker pool (piscina). `run` sends a batch of groups to one worker and
 * always resolves with one outcome per group. A group that overruns the time limit fails
 * alone: its worker is stopped, and the other groups of its batch run again as a batch (those
 * finished before it, unless the worker posted their outcomes as it went). A batch whose worker
 * dies (process.exit, out of memory) is retried group by group, so the failure lands on the
 * group that caused it and its neighbours still run. Only `destroy` (an interrupted run) makes
 * pending batches resolve to `null`: abandoned.
 *
 * Each group is timed from its own start (the worker marks it in the request's `progress`), so
 * neither queueing, a worker's start-up nor the groups before it in its batch count against
 * it; a worker gets `loadGraceMs` to load the experiment, and one that takes longer fails its
 * whole batch at once (each group alone would load it again, and wait as long, in turn).
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { GroupTask } from '../experiment.js';
import { compiledModuleUrl } from './compile.js';
import { errorMessage, errorStack } from '../errors.js';
import { errnoCode } from '../folders.js';
import * as msg from '../messages.js';
import { DONE, LOADING, QUEUED, newProgress, readProgress, type GroupOutcome, type RunGroupsRequest, type RunGroupsResponse, type WorkerEvent } from './protocol.js';

export interface PoolOptions {
  threads: number;
  /** Time limit for one group, from its own start, in a batch or alone. */
  taskTimeoutMs?: number;
  /** Under a time limit, the time a worker may take to load the experiment (and tsx) once it has taken a batch. */
  loadGraceMs?: number;
  /** Per-worker memory limits (a worker over them dies, and its groups fail). */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
}

const workerFile = new URL('./worker.ts', import.meta.url);
/** What piscina loads: a CommonJS file that imports the compiled worker (see entry.cjs for why). */
const entryFile = fileURLToPath(new URL('./entry.cjs', import.meta.url));

/** What the main thread keeps of a batch running under the time limit. */
interface Watch {
  /** The worker has loaded the experiment and started the first group. */
  started: () => void;
  /** Outcomes the worker posted as it went (FinishedEvent), of the batch's first groups. */
  finished: GroupOutcome[];
}

/** A batch stopped at the time limit, at `place` (a group's, or LOADING), with the outcomes its worker posted. */
class TimeoutError extends Error {
  constructor(
    message: string,
    readonly place: number,
    readonly finished: GroupOutcome[],
  ) {
    super(message);
  }
}

/** The default of PoolOptions.loadGraceMs. */
const loadGraceMs = 60_000;

export class GroupPool {
  private readonly piscina: Piscina<RunGroupsRequest, RunGroupsResponse>;
  private destroyed = false;
  private nextToken = 0;
  private readonly watches = new Map<number, Watch>();

  constructor(private readonly options: PoolOptions) {
    this.piscina = new Piscina({
      filename: entryFile,
      workerData: { module: compiledModuleUrl(workerFile) },
      execArgv: ['--enable-source-maps'],
      minThreads: options.threads,
      maxThreads: options.threads,
      idleTimeout: 60_000,
      concurrentTasksPerWorker: 1,
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
    this.piscina.on('message', (event: WorkerEvent) => {
      const watch = this.watches.get(event?.token);
      if (event?.kind === 'started') watch?.started();
      else if (event?.kind === 'finished') watch?.finished.push(...event.outcomes);
    });
    // Piscina emits 'error' when a worker answers a task it no longer tracks: one abandoned by
    // destroy() (Ctrl-C) or stopped by its timeout, whose answer was already on its way. Its
    // outcome has been settled; without a listener the emitter would crash the process.
    this.piscina.on('error', () => {});
  }

  get threads(): number {
    return this.options.threads;
  }

  async run(moduleUrl: string, groups: GroupTask[]): Promise<GroupOutcome[] | null> {
    try {
      const response = await this.submit(moduleUrl, groups);
      return response.outcomes;
    } catch (thrown) {
      if (this.destroyed) return null;
      const kept = thrown instanceof TimeoutError ? thrown.finished : [];
      const rest = groups.slice(kept.length);
      if (thrown instanceof TimeoutError && thrown.place === LOADING) return groups.map((group) => failedOutcome(group, thrown));
      if (thrown instanceof TimeoutError && thrown.place >= kept.length) {
        // The group past its limit fails and is not run again; the others run on as a batch.
        const at = thrown.place - kept.length;
        const others = rest.length > 1 ? await this.run(moduleUrl, rest.filter((_, i) => i !== at)) : [];
        if (others === null) return null;
        return [...kept, ...others.slice(0, at), failedOutcome(rest[at]!, thrown), ...others.slice(at)];
      }
      if (rest.length > 1) {
        // One at a time, so this slot still holds one batch and every timer measures running time.
        const outcomes = [...kept];
        for (const group of rest) {
          const alone = await this.run(moduleUrl, [group]);
          if (alone === null) return null;
          outcomes.push(...alone);
        }
        return outcomes;
      }
      return [...kept, failedOutcome(rest[0]!, thrown)];
    }
  }

  private async submit(moduleUrl: string, groups: GroupTask[]): Promise<RunGroupsResponse> {
    const token = ++this.nextToken;
    const request: RunGroupsRequest = { kind: 'run-groups', token, moduleUrl, groups };
    const limit = this.options.taskTimeoutMs;
    if (!limit) return this.piscina.run(request);
    const grace = this.options.loadGraceMs ?? loadGraceMs;
    const progress = (request.progress = newProgress());
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let stoppedAt = QUEUED;
    // Wakes when the group running now would reach its limit, or the loading its grace; a batch
    // still queued has none, and is looked at again later.
    const check = () => {
      clearTimeout(timer);
      const { place, forMs } = readProgress(progress);
      if (place === DONE) return;
      const left = place === QUEUED ? grace : (place === LOADING ? grace : limit) - forMs;
      if (left > 0) timer = setTimeout(check, Math.ceil(left));
      else {
        stoppedAt = place;
        controller.abort();
      }
    };
    const watch: Watch = { started: check, finished: [] };
    this.watches.set(token, watch);
    check();
    try {
      return await this.piscina.run(request, { signal: controller.signal });
    } catch (thrown) {
      if (controller.signal.aborted && !this.destroyed) {
        const message = stoppedAt === LOADING ? msg.experimentLoadTimedOut(grace) : msg.groupTimedOut(limit);
        throw new TimeoutError(message, stoppedAt, watch.finished);
      }
      throw thrown;
    } finally {
      clearTimeout(timer);
      this.watches.delete(token);
    }
  }

  /** Stops every worker now; batches in flight resolve to null. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.piscina.destroy();
  }
}

/** The outcome of a group whose worker failed it: stopped at the time limit, died, or broke. */
function failedOutcome(group: GroupTask, thrown: unknown): GroupOutcome {
  const reason = errorMessage(thrown);
  const message =
    thrown instanceof TimeoutError
      ? thrown.message
      : errnoCode(thrown) === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `its worker ran out of memory while running this group (${reason}); give workers more with --worker-memory, or make the group smaller`
        : /^worker exited with code/.test(reason)
          ? `its worker died while running this group (${reason})`
          : `the worker failed: ${reason}`;
  return { kind: 'failed', groupKey: group.groupKey, durationMs: 0, message, stack: thrown instanceof TimeoutError ? null : errorStack(thrown) };
}
