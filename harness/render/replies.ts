/**
 * Requests to a render thread, answered by id. An error crosses as plain data (message and
 * stack), so whatever was thrown, the asking side rebuilds an Error that says where it came from.
 */
import { errorMessage, errorStack } from '../errors.js';

export interface ErrorData {
  message: string;
  stack?: string;
}

/** A thread's answer to request `id`. */
export type Reply<T> = { id: number; value: T } | { id: number; error: ErrorData };

export function errorReply(id: number, thrown: unknown): Reply<never> {
  return { id, error: { message: errorMessage(thrown), stack: errorStack(thrown) ?? undefined } };
}

/** The asking side: each request waits for its reply; once the thread is gone, all of them fail. */
export class Replies<T> {
  private readonly pending = new Map<number, { resolve: (value: T) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;

  /** Sends a request (`send` posts it under the id given) and waits for its reply. */
  ask(send: (id: number) => void): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const answered = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    try {
      send(id);
    } catch (error) {
      this.pending.delete(id);
      throw error;
    }
    return answered;
  }

  settle(reply: Reply<T>): void {
    const waiting = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if ('value' in reply) {
      waiting?.resolve(reply.value);
    } else {
      const error = new Error(reply.error.message);
      if (reply.error.stack) error.stack = reply.error.stack;
      waiting?.reject(error);
    }
  }

  /** Every request still waiting fails with `error`, and so does every later one. */
  fail(error: Error): void {
    this.failure ??= error;
    for (const { reject } of this.pending.values()) reject(this.failure);
    this.pending.clear();
  }
}
