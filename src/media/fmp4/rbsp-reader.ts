/**
 * Bit-level reading of NAL unit payloads (RBSP) for the parameter-set parsers: emulation
 * prevention removal (ITU-T H.264 §7.4.1, H.265 §7.4.2) and the u(n)/ue(v)/se(v) descriptors
 * (H.264 §7.2, §9.1 Exp-Golomb). Every read is bounds-checked and a violation throws
 * AppError('MEDIA_MALFORMED') carrying `detail.reason`; nothing here loops more than the input's
 * bit count, so garbage fails fast and never hangs.
 */
import { AppError } from '../../lib/errors.ts';

/** Largest parameter set accepted: the avcC/hvcC length fields are 16 bits (ISO/IEC 14496-15). */
export const MAX_PARAMETER_SET_SIZE = 0xffff;

/** Why a parameter set was refused; stable values for `detail.reason` of MEDIA_MALFORMED. */
export type ParameterSetFault = 'truncated' | 'wrong-nal-type' | 'too-large' | 'out-of-range' | 'unsupported';

/** Throws MEDIA_MALFORMED for a parameter set, with a stable `reason`. */
export function parameterSetError(reason: ParameterSetFault, message: string): never {
  throw new AppError('MEDIA_MALFORMED', message, { reason });
}

/**
 * The RBSP of a NAL unit: the bytes after its `headerBytes`-byte header with every
 * emulation_prevention_three_byte (0x03 after two zero bytes) removed. Copies only when a
 * 0x000003 sequence is present.
 */
export function toRbsp(nal: Uint8Array, headerBytes: number): Uint8Array {
  const body = nal.subarray(headerBytes);
  let zeros = 0;
  let found = -1;
  for (let i = 0; i < body.length; i++) {
    const b = body[i] as number;
    if (zeros >= 2 && b === 3) {
      found = i;
      break;
    }
    zeros = b === 0 ? zeros + 1 : 0;
  }
  if (found < 0) return body;
  const out = new Uint8Array(body.length);
  let n = 0;
  zeros = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i] as number;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, n);
}

/** MSB-first bit reader over an RBSP with the Exp-Golomb descriptors. */
export class RbspReader {
  readonly #data: Uint8Array;
  readonly #what: string;
  #bit = 0;

  /** `what` names the structure in error messages (e.g. "H.264 SPS"). */
  constructor(rbsp: Uint8Array, what: string) {
    this.#data = rbsp;
    this.#what = what;
  }

  /** Bits consumed so far. */
  get position(): number {
    return this.#bit;
  }

  /** Bits left before the end of the payload. */
  get remaining(): number {
    return this.#data.length * 8 - this.#bit;
  }

  #need(n: number): void {
    if (n > this.remaining) parameterSetError('truncated', `${this.#what} ends after ${this.#bit} bits; ${n} more needed`);
  }

  /** u(1) as a boolean. */
  flag(): boolean {
    return this.bits(1) === 1;
  }

  /** u(n), 0 ≤ n ≤ 32. */
  bits(n: number): number {
    this.#need(n);
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.#data[this.#bit >>> 3] as number;
      v = v * 2 + ((byte >>> (7 - (this.#bit & 7))) & 1);
      this.#bit++;
    }
    return v;
  }

  /** Skips n bits. */
  skip(n: number): void {
    this.#need(n);
    this.#bit += n;
  }

  /** ue(v) (§9.1). More than 31 leading zeros cannot encode a 32-bit value and is malformed. */
  ue(): number {
    let zeros = 0;
    while (!this.flag()) {
      if (++zeros > 31) parameterSetError('out-of-range', `${this.#what} has an Exp-Golomb code longer than 32 bits at bit ${this.#bit}`);
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  /** se(v) (§9.1.1). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2 || 0; // || 0: never -0
  }

  /** ue(v) that MUST be ≤ max, else MEDIA_MALFORMED naming `field`. */
  ueMax(field: string, max: number): number {
    const v = this.ue();
    if (v > max) parameterSetError('out-of-range', `${this.#what} ${field} = ${v} exceeds ${max}`);
    return v;
  }
}
