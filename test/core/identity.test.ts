import { describe, expect, it } from 'vitest';
import { canonicalJson, identityHash, identityKey, streamSeed } from '../../harness/identity.js';

describe('identity', () => {
  it('writes object keys sorted at every level, so key order never changes a hash', () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'z' } };
    const b = { a: { c: 'z', d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":"z","d":[1,{"x":1,"y":2}]},"b":1}');
    expect(identityHash(a)).toBe(identityHash(b));
  });

  it('is a SHA-256 of the canonical text (golden value from sha256sum)', () => {
    expect(identityHash({ replicate: 0, model: 'gpt5' })).toBe(
      '9161f38bd209f2730d21b9a24a36d8ade1ec593c6c17c45a0cd4982d52b0e195',
    );
  });

  it('gives different keys and seeds to different identities', () => {
    const keys = new Set<string>();
    for (let r = 0; r < 1000; r++) keys.add(identityKey({ model: 'gpt5', replicate: r }));
    expect(keys.size).toBe(1000);
    expect(streamSeed('root', 'accuracy')).not.toBe(streamSeed('root', 'lengths'));
    expect(identityKey({ a: 1 })).toHaveLength(32);
  });

  it('refuses values without a stable text', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(/not a finite number/);
    expect(() => canonicalJson({ x: Number.POSITIVE_INFINITY })).toThrow(/not a finite number/);
  });
});
