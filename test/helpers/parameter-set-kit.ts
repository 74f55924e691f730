/**
 * Test support (used only by *.test.ts here): writing synthetic parameter sets bit by bit,
 * asserting typed failures, and a seeded random source so a failing fuzz case can be replayed.
 */
import assert from 'node:assert/strict';
import { isAppError } from '../../src/lib/errors.ts';

/** MSB-first bit writer with the Exp-Golomb descriptors (H.264 §9.1), the inverse of RbspReader. */
export class BitWriter {
  readonly #bits: number[] = [];

  /** u(n). */
  bits(value: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.#bits.push(Math.floor(value / 2 ** i) % 2);
    return this;
  }

  /** ue(v). */
  ue(value: number): this {
    const code = value + 1;
    const len = Math.floor(Math.log2(code));
    return this.bits(0, len).bits(code, len + 1);
  }

  /** se(v). */
  se(value: number): this {
    return this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** The RBSP with rbsp_trailing_bits (a 1, then zeros to the byte boundary). */
  trailing(): Buffer {
    const bits = [...this.#bits, 1];
    while (bits.length % 8 !== 0) bits.push(0);
    const out = Buffer.alloc(bits.length / 8);
    bits.forEach((b, i) => {
      out[i >>> 3] = (out[i >>> 3] as number) | (b << (7 - (i & 7)));
    });
    return out;
  }
}

/** A NAL unit: `header` bytes, then the RBSP with emulation prevention bytes inserted. */
export function withEmulationPrevention(header: number | readonly number[], rbsp: Uint8Array): Buffer {
  const out: number[] = typeof header === 'number' ? [header] : [...header];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

/** Runs `fn`, asserts it throws MEDIA_MALFORMED, and returns `detail.reason`. */
export function faultOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    assert.ok(isAppError(e, 'MEDIA_MALFORMED'), `expected MEDIA_MALFORMED, got ${String(e)}`);
    return e.detail?.['reason'];
  }
  assert.fail('expected a MEDIA_MALFORMED error');
}

/** A deterministic pseudo-random generator in [0, 1) (mulberry32). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
