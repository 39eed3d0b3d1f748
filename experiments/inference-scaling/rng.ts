/**
 * Random numbers for the Monte Carlo kernel.
 *
 * A stream's seed is a hex identity string (see `streamSeed` in harness/identity.ts). seedrandom's
 * alea hashes that string into four 32-bit words, the state of the harness's xoshiro128**
 * generator (harness/stats/random.ts), which does the bulk work: it fills Float64Arrays in a
 * tight loop with its state in locals. `NormalSampler` turns those uniforms into standard
 * normals by Marsaglia's polar method.
 *
 * Trials draw from substreams (`substreamState`): trial t's state is a bijective integer mix of
 * the root state and t, so every trial's numbers depend only on (seed, t) — never on how many
 * trials ran before it or how many numbers each consumed.
 */
import seedrandom from 'seedrandom';
import { Xoshiro128 } from '../../harness/stats/random.js';

export { Xoshiro128 };

/** xoshiro128** state (four 32-bit words, never all zero) derived from a seed string. */
export function stateFromSeed(seed: string): Uint32Array {
  const alea = seedrandom.alea(seed);
  const state = new Uint32Array(4);
  for (let i = 0; i < 4; i++) state[i] = alea.int32();
  ensureNonZero(state);
  return state;
}

/**
 * The state of substream `index` under `root`, written into `out`. Each word passes through the
 * murmur3 finalizer (a bijection with full avalanche) twice, keyed by the index and word position,
 * so neighbouring indices give unrelated states.
 */
export function substreamState(root: Uint32Array, index: number, out: Uint32Array): void {
  for (let w = 0; w < 4; w++) {
    const key = mix32(Math.imul(index, 4) + w + 0x9e3779b9);
    out[w] = mix32((root[w] ?? 0) ^ key ^ Math.imul(w + 1, 0x85ebca6b));
  }
  ensureNonZero(out);
}

function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** xoshiro128** is stuck at the all-zero state; that state has probability 2^-128 here. */
function ensureNonZero(state: Uint32Array): void {
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
}

/** Uniforms the polar method uses per normal on average: 4/pi (acceptance pi/4, two per pair). */
const UNIFORMS_PER_NORMAL = 4 / Math.PI;

/**
 * Standard normals by Marsaglia's polar method over the generator's fill buffer. The output
 * stream does not depend on how it is chunked into `fill` calls: leftover uniforms and the
 * spare normal of an accepted pair carry over to the next call. `reset` drops both (use it
 * after reseeding the generator).
 */
export class NormalSampler {
  private readonly uniforms: Float64Array;
  private used = 0;
  private available = 0;
  private spare = 0;
  private hasSpare = false;

  constructor(
    readonly generator: Xoshiro128,
    bufferSize = 512,
  ) {
    if (!Number.isInteger(bufferSize) || bufferSize < 2 || bufferSize % 2 !== 0) {
      throw new RangeError(`NormalSampler: bufferSize must be an even integer >= 2, received ${bufferSize}`);
    }
    this.uniforms = new Float64Array(bufferSize);
  }

  reset(): void {
    this.used = 0;
    this.available = 0;
    this.hasSpare = false;
  }

  /** Fills out[from, to) with independent standard normals. */
  fill(out: Float64Array, from = 0, to = out.length): void {
    let j = from;
    if (this.hasSpare && j < to) {
      out[j++] = this.spare;
      this.hasSpare = false;
    }
    const buf = this.uniforms;
    let used = this.used;
    let available = this.available;
    while (j < to) {
      if (used >= available) {
        // Draw only about as many uniforms as the rest of this call needs, so a short request
        // (one trial) does not pay for a full buffer it then discards on reset.
        const wanted = Math.ceil((to - j) * UNIFORMS_PER_NORMAL) + 8;
        available = Math.min(buf.length, wanted + (wanted & 1));
        this.generator.fill(buf, 0, available);
        used = 0;
      }
      const u = 2 * buf[used]! - 1;
      const v = 2 * buf[used + 1]! - 1;
      used += 2;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      out[j++] = u * f;
      if (j < to) out[j++] = v * f;
      else {
        this.spare = v * f;
        this.hasSpare = true;
      }
    }
    this.used = used;
    this.available = available;
  }
}
