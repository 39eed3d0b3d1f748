/**
 * Main side of the worker pool (piscina). `run` sends a batch of groups to one worker and
 * always resolves with one outcome per group: a batch whose worker dies (process.exit, out of
 * memory) or overruns its time limit is retried group by group, so the failure lands on the
 * group that caused it and its neighbours still run. Only `destroy` (an interrupted run) makes
 * pending batches resolve to `null`: abandoned.
 *
 * The task timeout counts from the worker's `started` event (experiment loaded, groups
 * starting), so neither queueing nor a worker's start-up counts against a group; a worker
 * that never starts a batch is given `startupGraceMs` on top.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { GroupTask } from '../experiment.js';
import { compiledModuleUrl } from './compile.js';
import { errorMessage, errorStack } from '../errors.js';
import type { GroupOutcome, RunGroupsRequest, RunGroupsResponse, StartedEvent } from './protocol.js';

export interface PoolOptions {
  threads: number;
  /** Time limit for one group; a batch of n groups gets n times this. */
  taskTimeoutMs?: number;
  /** Per-worker memory limits (a worker over them dies, and its groups fail). */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
}

const workerFile = new URL('./worker.ts', import.meta.url);
/** What piscina loads: a CommonJS file that imports the compiled worker (see entry.cjs for why). */
const entryFile = fileURLToPath(new URL('./entry.cjs', import.meta.url));

class TimeoutError extends Error {}

/** Extra time a batch may wait for its worker to start (load tsx and the experiment). */
export const startupGraceMs = 60_000;

export class GroupPool {
  private readonly piscina: Piscina<RunGroupsRequest, RunGroupsResponse>;
  private destroyed = false;
  private nextToken = 0;
  private readonly onStarted = new Map<number, () => void>();

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
    this.piscina.on('message', (event: StartedEvent) => {
      if (event?.kind === 'started') this.onStarted.get(event.token)?.();
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
      if (groups.length > 1) {
        // One at a time, so this slot still holds one batch and every timer measures running time.
        const outcomes: GroupOutcome[] = [];
        for (const group of groups) {
          const alone = await this.run(moduleUrl, [group]);
          if (alone === null) return null;
          outcomes.push(...alone);
        }
        return outcomes;
      }
      const reason = errorMessage(thrown);
      const message =
        thrown instanceof TimeoutError
          ? thrown.message
          : (thrown as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `its worker ran out of memory while running this group (${reason}); give workers more with --worker-memory, or make the group smaller`
            : /^worker exited with code/.test(reason)
              ? `its worker died while running this group (${reason})`
              : `the worker failed: ${reason}`;
      return [
        {
          kind: 'failed',
          groupKey: groups[0]!.groupKey,
          durationMs: 0,
          message,
          stack: thrown instanceof TimeoutError ? null : errorStack(thrown),
        },
      ];
    }
  }

  private async submit(moduleUrl: string, groups: GroupTask[]): Promise<RunGroupsResponse> {
    const token = ++this.nextToken;
    const request: RunGroupsRequest = { kind: 'run-groups', token, moduleUrl, groups };
    const limit = this.options.taskTimeoutMs;
    if (!limit) return this.piscina.run(request);
    const controller = new AbortController();
    const ms = limit * groups.length;
    let timer = setTimeout(() => controller.abort(), ms + startupGraceMs);
    this.onStarted.set(token, () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), ms);
    });
    try {
      return await this.piscina.run(request, { signal: controller.signal });
    } catch (thrown) {
      if (controller.signal.aborted && !this.destroyed) {
        throw new TimeoutError(`timed out after ${ms} ms (--task-timeout); its worker was stopped`);
      }
      throw thrown;
    } finally {
      clearTimeout(timer);
      this.onStarted.delete(token);
    }
  }

  /** Stops every worker now; batches in flight resolve to null. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.piscina.destroy();
  }
}
