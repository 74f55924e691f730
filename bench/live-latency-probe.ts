/**
 * The page side of the glass-to-glass measurement (bench/live-latency.ts, test/e2e/live-latency):
 * installed with `page.addInitScript(installLatencyProbe)`, so it MUST stay self-contained (it is
 * serialised into the page; no imports, no closures over module scope).
 *
 * It wraps `SourceBuffer.prototype.appendBuffer`: every fMP4 piece the live player appends is
 * read first — the init segment's video timescale, then each `moof` (tfdt, trun) and its `mdat`
 * samples (length-prefixed NAL units) — and camsim's send-time SEI (tools/camsim/sei-stamp.ts)
 * is mapped by presentation time. `requestVideoFrameCallback` on the live video then reports each
 * presented frame: its media time finds the frame's stamp, and latency = the frame's expected
 * display time on the wall clock − the send time (same machine, same clock).
 */
export interface LatencyProbeResult {
  /** Stamps found in appended media. */
  stamps: number;
  /** Movie fragments (`moof`) appended: one per frame with per-frame live chunks. */
  moofs: number;
  /** Of those, the ones holding one frame (per-frame live chunks, ADR 0038). */
  singleFrameMoofs: number;
  /**
   * Moofs of several frames after the first one-frame moof: a viewer that starts on the
   * recording's fragments switches to chunks at a key frame (ADR 0044), and never back.
   */
  multiFrameMoofsAfterChunks: number;
  /** Presented frames with their stamp: glass-to-glass latency in ms. */
  latencies: number[];
  /** Presented frames whose media time had no stamp. */
  unmatched: number;
  /** Wall-clock ms of the first presented frame, and of the probe's start (page load). */
  firstFrameAt: number | null;
  startedAt: number;
}

export function installLatencyProbe(): void {
  const uuid = [0xc0, 0x57, 0x0d, 0x5e, 0x1a, 0x7e, 0x4c, 0x3b, 0x9f, 0x1e, 0x0b, 0x5d, 0x2a, 0x6c, 0x8e, 0x41];
  const stamps = new Map<number, number>();
  const state = { timescale: 90_000, stamps: 0, moofs: 0, singleFrameMoofs: 0, multiFrameMoofsAfterChunks: 0, latencies: [] as number[], unmatched: 0, firstFrameAt: null as number | null, startedAt: Date.now() };
  (window as unknown as { __latency: unknown }).__latency = state;
  const u32 = (b: Uint8Array, o: number) => (((b[o] ?? 0) << 24) >>> 0) + ((b[o + 1] ?? 0) << 16) + ((b[o + 2] ?? 0) << 8) + (b[o + 3] ?? 0);
  const type = (b: Uint8Array, o: number) => String.fromCharCode(b[o] ?? 0, b[o + 1] ?? 0, b[o + 2] ?? 0, b[o + 3] ?? 0);
  const boxes = (b: Uint8Array, start: number, end: number) => {
    const out: { type: string; start: number; body: number; end: number }[] = [];
    for (let o = start; o + 8 <= end; ) {
      const size = u32(b, o);
      if (size < 8 || o + size > end) break;
      out.push({ type: type(b, o + 4), start: o, body: o + 8, end: o + size });
      o += size;
    }
    return out;
  };
  const readSei = (b: Uint8Array, start: number, end: number): number | null => {
    // Emulation prevention removed, then payload type 5, size 24, our UUID, 64-bit ms.
    const rbsp: number[] = [];
    let zeros = 0;
    for (let i = start + 1; i < end && rbsp.length < 26; i += 1) {
      const v = b[i] ?? 0;
      if (zeros >= 2 && v === 3) {
        zeros = 0;
        continue;
      }
      rbsp.push(v);
      zeros = v === 0 ? zeros + 1 : 0;
    }
    if (rbsp[0] !== 5 || rbsp[1] !== 24 || rbsp.length < 26) return null;
    for (let i = 0; i < 16; i += 1) if (rbsp[2 + i] !== uuid[i]) return null;
    let ms = 0;
    for (let i = 18; i < 26; i += 1) ms = ms * 256 + (rbsp[i] ?? 0);
    return ms;
  };
  const scan = (b: Uint8Array) => {
    const top = boxes(b, 0, b.length);
    for (const box of top) {
      if (box.type === 'moov') {
        // The first track's mdhd (the video track: our writer puts it first).
        for (let i = box.body; i + 4 < box.end; i += 1) {
          if (type(b, i) === 'mdhd') {
            const version = b[i + 4];
            state.timescale = u32(b, i + 4 + 4 + (version === 1 ? 16 : 8));
            break;
          }
        }
      }
      if (box.type !== 'moof') continue;
      state.moofs += 1;
      const mdat = top.find((x) => x.type === 'mdat' && x.start >= box.end);
      const traf = boxes(b, box.body, box.end).find((x) => x.type === 'traf');
      if (!traf || !mdat) continue;
      let defaultDuration = 0;
      let defaultSize = 0;
      let decodeTime = 0;
      let baseOffset = box.start;
      for (const child of boxes(b, traf.body, traf.end)) {
        const flags = u32(b, child.body) & 0xffffff;
        if (child.type === 'tfhd') {
          let o = child.body + 8;
          if (flags & 0x01) {
            baseOffset = u32(b, o) * 2 ** 32 + u32(b, o + 4);
            o += 8;
          }
          if (flags & 0x02) o += 4;
          if (flags & 0x08) {
            defaultDuration = u32(b, o);
            o += 4;
          }
          if (flags & 0x10) defaultSize = u32(b, o);
        } else if (child.type === 'tfdt') {
          decodeTime = b[child.body] === 1 ? u32(b, child.body + 4) * 2 ** 32 + u32(b, child.body + 8) : u32(b, child.body + 4);
        } else if (child.type === 'trun') {
          const count = u32(b, child.body + 4);
          if (count === 1) state.singleFrameMoofs += 1;
          else if (state.singleFrameMoofs > 0) state.multiFrameMoofsAfterChunks += 1;
          let o = child.body + 8;
          let data = baseOffset;
          if (flags & 0x01) {
            data = baseOffset + (u32(b, o) | 0);
            o += 4;
          }
          if (flags & 0x04) o += 4;
          let t = decodeTime;
          for (let s = 0; s < count; s += 1) {
            let duration = defaultDuration;
            let size = defaultSize;
            let cto = 0;
            if (flags & 0x100) {
            duration = u32(b, o);
            o += 4;
          }
            if (flags & 0x200) {
            size = u32(b, o);
            o += 4;
          }
            if (flags & 0x400) o += 4;
            if (flags & 0x800) {
            cto = u32(b, o) | 0;
            o += 4;
          }
            for (let n = data; n + 4 <= data + size; ) {
              const len = u32(b, n);
              if ((b[n + 4] ?? 0) & 0x1f && ((b[n + 4] ?? 0) & 0x1f) === 6) {
                const sent = readSei(b, n + 4, n + 4 + len);
                if (sent !== null) {
                  stamps.set(Math.round(((t + cto) / state.timescale) * 1000), sent);
                  state.stamps += 1;
                }
              }
              n += 4 + len;
            }
            data += size;
            t += duration;
          }
        }
      }
    }
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the SourceBuffer as `this`
  const append = SourceBuffer.prototype.appendBuffer;
  SourceBuffer.prototype.appendBuffer = function (this: SourceBuffer, data: BufferSource) {
    try {
      scan(data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch {
      // A piece the probe cannot read is only not measured.
    }
    append.call(this, data);
  };
  const watched = new WeakSet<HTMLVideoElement>();
  const watch = (video: HTMLVideoElement) => {
    const onFrame = (_now: number, md: VideoFrameCallbackMetadata) => {
      const wall = Date.now() - (performance.now() - md.expectedDisplayTime);
      const key = Math.round(md.mediaTime * 1000);
      const sent = stamps.get(key) ?? stamps.get(key - 1) ?? stamps.get(key + 1);
      state.firstFrameAt ??= wall;
      if (sent === undefined) state.unmatched += 1;
      else state.latencies.push(wall - sent);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  setInterval(() => {
    for (const v of Array.from(document.querySelectorAll<HTMLVideoElement>('video.live-video'))) {
      if (!watched.has(v)) {
        watched.add(v);
        watch(v);
      }
    }
  }, 20);
}
