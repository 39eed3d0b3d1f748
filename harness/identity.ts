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
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(`canonicalJson: ${value} is not a finite number and has no stable text`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = value[k];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
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
