/**
 * Send-time stamps for glass-to-glass latency measurement (issue 19 item 3): an H.264 SEI NAL
 * unit (ITU-T H.264 §7.3.2.3) holding one `user_data_unregistered` message (payload type 5,
 * §D.1.7): our own 16-byte UUID, then the wall-clock send time in milliseconds as a 64-bit
 * big-endian integer. camsim sends it as its own RTP packet before each access unit's slices
 * (`--stamp`); nothing is re-encoded. Decoders ignore SEI they do not know.
 */

/** The UUID that marks a Custos send-time stamp (random, fixed forever). */
export const stampUuid = Buffer.from('c0570d5e1a7e4c3b9f1e0b5d2a6c8e41', 'hex');

const seiNalHeader = 0x06; // forbidden_zero_bit 0, nal_ref_idc 0, nal_unit_type 6 (SEI)
const userDataUnregistered = 5;
const payloadSize = 16 + 8;

/** Inserts emulation prevention bytes (§7.4.1): 0x000000–0x000003 become 0x0000 03 0x. */
export function addEmulationPrevention(rbsp: Uint8Array): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of rbsp) {
    if (zeros >= 2 && byte <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

/** Removes emulation prevention bytes: the inverse of addEmulationPrevention. */
export function removeEmulationPrevention(ebsp: Uint8Array): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of ebsp) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

/** The SEI NAL unit (header included, no start code) stamping `sentAtMs`. */
export function buildStampSei(sentAtMs: number): Buffer {
  const rbsp = Buffer.alloc(2 + payloadSize + 1);
  rbsp[0] = userDataUnregistered;
  rbsp[1] = payloadSize;
  stampUuid.copy(rbsp, 2);
  rbsp.writeBigUInt64BE(BigInt(Math.trunc(sentAtMs)), 2 + 16);
  rbsp[2 + payloadSize] = 0x80; // rbsp_trailing_bits
  return Buffer.concat([Buffer.from([seiNalHeader]), addEmulationPrevention(rbsp)]);
}

/**
 * The send time in a NAL unit (header included), when it is an SEI holding our stamp; else null.
 * Reads only the first SEI message (ours is always alone in its NAL unit).
 */
export function readStampSei(nal: Uint8Array): number | null {
  if (nal.length < 2 || ((nal[0] ?? 0) & 0x1f) !== 6) return null;
  const rbsp = removeEmulationPrevention(nal.subarray(1));
  if (rbsp[0] !== userDataUnregistered || rbsp[1] !== payloadSize || rbsp.length < 2 + payloadSize) return null;
  if (!rbsp.subarray(2, 18).equals(stampUuid)) return null;
  return Number(rbsp.readBigUInt64BE(18));
}
