/**
 * Painting threads: PNG and PDF from a figure's recorded canvas drawing (recording.ts). Painting
 * (rasterizing, compressing the PNG, writing the PDF) needs none of Vega and was about 40% of a
 * drawing thread's time on the paper report; in a thread of its own it overlaps the layout of
 * the next figure.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { paintRecording, type DrawOptions, type Paintings, type Size } from './canvas.js';
import type { Recording } from './recording.js';
import { errorData, errorFrom, type ErrorData } from './thread-error.js';
import type { Painter } from './vega.js';
import type { RenderThreadData } from './worker.js';

interface PaintRequest {
  id: number;
  recording: Recording;
  size: Size;
  options: DrawOptions;
}

type PaintResult = { id: number; paintings: Paintings } | { id: number; error: ErrorData };

/** In a painting thread: answers each request, in order. */
export function servePainting(port: MessagePort): void {
  let last: Promise<void> = Promise.resolve();
  port.on('message', (request: PaintRequest) => {
    last = last.then(async () => {
      let result: PaintResult;
      try {
        result = { id: request.id, paintings: await paintRecording(request.recording, request.size, request.options) };
      } catch (error) {
        result = { id: request.id, error: errorData(error) };
      }
      port.postMessage(result);
    });
  });
}

/** Starts a painting thread from the compiled render entry; its `paint` sends a recording there. */
export function startPainter(entry: string): { paint: Painter } {
  const worker = new Worker(entry, { execArgv: [], workerData: { role: 'paint', entry } satisfies RenderThreadData });
  const pending = new Map<number, { resolve: (p: Paintings) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  const fail = (error: Error): void => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };
  worker.on('message', (result: PaintResult) => {
    const waiting = pending.get(result.id);
    pending.delete(result.id);
    if ('paintings' in result) {
      waiting?.resolve(result.paintings);
    } else {
      waiting?.reject(errorFrom(result.error));
    }
  });
  worker.on('error', (error) => fail(new Error(`a painting thread failed: ${error.message}`, { cause: error })));
  worker.on('exit', (code) => fail(new Error(`a painting thread stopped (exit code ${code})`)));
  let nextId = 0;
  const paint: Painter = (recording, size, options) => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    const painted = new Promise<Paintings>((resolve, reject) => pending.set(id, { resolve, reject }));
    worker.postMessage({ id, recording, size, options } satisfies PaintRequest);
    return painted;
  };
  return { paint };
}
