/**
 * Test support: an RFC 3640 AAC-hbr packetizer (sizeLength 13, indexLength 3, no interleaving),
 * the mirror of AacDepacketizer, written from the RFC so tests can round-trip real AAC.
 */

/** §3.2.1/§3.3.6: AU-headers-length in bits, one 16-bit AU header per AU, then the AUs. */
export function aacPayload(frames: readonly Buffer[]): Buffer {
  const head = Buffer.alloc(2 + 2 * frames.length);
  head.writeUInt16BE(16 * frames.length, 0);
  frames.forEach((f, i) => head.writeUInt16BE(f.length << 3, 2 + 2 * i));
  return Buffer.concat([head, ...frames]);
}

/** §3.2.3: one AU split over several payloads, each with one AU header giving the whole size. */
export function aacFragments(frame: Buffer, chunk: number): Buffer[] {
  const out: Buffer[] = [];
  for (let offset = 0; offset < frame.length; offset += chunk) {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(16, 0);
    head.writeUInt16BE(frame.length << 3, 2);
    out.push(Buffer.concat([head, frame.subarray(offset, Math.min(offset + chunk, frame.length))]));
  }
  return out;
}

/**
 * Packs frames into payloads of at most `maxPayload` bytes: as many whole AUs as fit, and an AU
 * too big for one payload on its own, fragmented. Each payload records how many AUs it starts
 * (0 for the continuation fragments) and whether it ends an AU (the marker bit).
 */
export function packetizeAac(frames: readonly Buffer[], maxPayload: number): { payload: Buffer; firstFrame: number; marker: boolean }[] {
  const out: { payload: Buffer; firstFrame: number; marker: boolean }[] = [];
  let i = 0;
  while (i < frames.length) {
    const frame = frames[i] as Buffer;
    if (4 + frame.length > maxPayload) {
      const parts = aacFragments(frame, maxPayload - 4);
      parts.forEach((payload, k) => out.push({ payload, firstFrame: i, marker: k === parts.length - 1 }));
      i += 1;
      continue;
    }
    const group: Buffer[] = [];
    let size = 2;
    while (i < frames.length && size + 2 + (frames[i] as Buffer).length <= maxPayload) {
      group.push(frames[i] as Buffer);
      size += 2 + (frames[i] as Buffer).length;
      i += 1;
    }
    out.push({ payload: aacPayload(group), firstFrame: i - group.length, marker: true });
  }
  return out;
}
