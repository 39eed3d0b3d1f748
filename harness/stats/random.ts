/**
 * A small, fast, seeded generator for resampling (xoshiro128**, Blackman & Vigna). Its state
 * comes from the SHA-256 of an identity, so a stream is named by what it is for, never by the
 * order it was drawn in. Not for cryptography.
 */
import type { Json } from '../experiment.js';
import { identityHash } from '../identity.js';

export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seedHex`: at least 32 hex digits (128 bits); not all zero. */
  constructor(seedHex: string) {
    if (!/^[0-9a-f]{32,}$/i.test(seedHex)) {
      throw new TypeError(`Xoshiro128: seed must be at least 32 hex digits, got "${seedHex}"`);
    }
    this.s0 = parseInt(seedHex.slice(0, 8), 16) >>> 0;
    this.s1 = parseInt(seedHex.slice(8, 16), 16) >>> 0;
    this.s2 = parseInt(seedHex.slice(16, 24), 16) >>> 0;
    this.s3 = parseInt(seedHex.slice(24, 32), 16) >>> 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) {
      throw new RangeError('Xoshiro128: an all-zero seed never leaves zero; derive the seed from a hash');
    }
  }

  static fromIdentity(identity: Json): Xoshiro128 {
    return new Xoshiro128(identityHash({ generator: 'xoshiro128**', identity }));
  }

  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [0, 1) with 32 bits of resolution. */
  nextUnit(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^21 (multiply-shift: relative bias at most n / 2^32). */
  nextIndex(n: number): number {
    return Math.floor((this.nextUint32() * n) / 4294967296);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
