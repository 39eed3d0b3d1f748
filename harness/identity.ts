/**
 * Identity: stable keys and seeds derived from what a thing is, never from the order it ran in.
 *
 * `canonicalJson` writes a value with object keys sorted at every level, so two equal values
 * always give the same text; `identityHash` is the SHA-256 of that text. Both are the only way
 * the project turns an identity into a key or a seed.
 */
import { createHash } from 'node:crypto';
import type { Json } from './experiment.js';

export function canonicalJson(value: Json): string {
  try {
    return canonical(value);
  } catch (thrown) {
    if (!(thrown instanceof NotJson)) throw thrown;
    throw new NotJsonError(thrown.path.map((p, i) => (i > 0 && !p.startsWith('[') ? `.${p}` : p)).join(''), thrown.message);
  }
}

/** What canonicalJson throws for a value with no JSON text: where inside the value, and why. */
export class NotJsonError extends TypeError {
  constructor(
    /** The path inside the value (`steps[1]`, `at.when`); empty for the value itself. */
    readonly at: string,
    readonly reason: string,
  ) {
    super(`canonicalJson: ${at ? `${at}: ` : ''}${reason}`);
  }
}

/** A value with no JSON text; `path` is filled in, innermost last, on the way out. */
class NotJson extends Error {
  readonly path: string[] = [];
}

function canonical(value: Json): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new NotJson(`${value} is not a finite number and has no stable text`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && value !== null) {
      throw new NotJson(`${typeof value === 'bigint' ? `${String(value)}n (a BigInt)` : `a ${typeof value}`} is not JSON`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) items.push(within(`[${i}]`, value[i]!));
    return `[${items.join(',')}]`;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const kind = (value as object).constructor?.name ?? 'object';
    throw new NotJson(`a ${kind} is not plain JSON data (it would be written as ${JSON.stringify(value) ?? 'nothing'}); convert it, e.g. a Date to its ISO text`);
  }
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = value[k];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${within(k, v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** The text of `value`, found under `segment` (a key, or `[i]`): named in the error if it has none. */
function within(segment: string, value: Json): string {
  try {
    return canonical(value);
  } catch (thrown) {
    if (thrown instanceof NotJson) thrown.path.unshift(segment);
    throw thrown;
  }
}

/** SHA-256 of text or bytes, as hex. */
export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Full SHA-256 hex of the canonical text of `value`. */
export function identityHash(value: Json): string {
  return sha256(canonicalJson(value));
}

/** A shorter key (first 32 hex digits = 128 bits) for table rows. */
export function identityKey(value: Json): string {
  return identityHash(value).slice(0, 32);
}

/** Seed text for a named random stream under a root seed: itself a hash, so streams never collide. */
export function streamSeed(rootSeed: string, stream: Json): string {
  return identityHash({ root: rootSeed, stream });
}
