/**
 * Painting threads: PNG and PDF from a figure's recorded canvas drawing (recording.ts). Painting
 * (rasterizing, compressing the PNG, writing the PDF) needs none of Vega and was about 40% of a
 * drawing thread's time on the paper report; in a thread of its own it overlaps the layout of
 * the next figure.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { paintRecording, type DrawOptions, type Paintings, type Size } from './canvas.js';
import type { Recording } from './recording.js';
import { errorReply, Replies, type Reply } from './replies.js';
import type { Painter } from './vega.js';
import type { RenderThreadData } from './worker.js';

interface PaintRequest {
  id: number;
  recording: Recording;
  size: Size;
  options: DrawOptions;
}

/** In a painting thread: answers each request, in order. */
export function servePainting(port: MessagePort): void {
  let last: Promise<void> = Promise.resolve();
  port.on('message', (request: PaintRequest) => {
    last = last.then(async () => {
      let reply: Reply<Paintings>;
      try {
        reply = { id: request.id, value: await paintRecording(request.recording, request.size, request.options) };
      } catch (error) {
        reply = errorReply(request.id, error);
      }
      port.postMessage(reply);
    });
  });
}

/** Starts a painting thread from the compiled render entry; its `paint` sends a recording there. */
export function startPainter(entry: string): { paint: Painter } {
  const worker = new Worker(entry, { execArgv: [], workerData: { role: 'paint', entry } satisfies RenderThreadData });
  const replies = new Replies<Paintings>();
  worker.on('message', (reply: Reply<Paintings>) => replies.settle(reply));
  worker.on('error', (error) => replies.fail(new Error(`a painting thread failed: ${error.message}`, { cause: error })));
  worker.on('exit', (code) => replies.fail(new Error(`a painting thread stopped (exit code ${code})`)));
  const paint: Painter = (recording, size, options) => replies.ask((id) => worker.postMessage({ id, recording, size, options } satisfies PaintRequest));
  return { paint };
}
