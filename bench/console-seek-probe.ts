/**
 * The page side of the seek measurement (bench/console-seek.ts, test/e2e/playback-seek.e2e.test.ts):
 * installed with `page.addInitScript(installSeekProbe)`, so it MUST stay self-contained (it is
 * serialised into the page; no imports, no closures over module scope).
 *
 * - It wraps `SourceBuffer.prototype.appendBuffer`: every fMP4 piece the playback player (hls.js)
 *   appends is read — the init segment's video timescale, each `moof` (tfdt, trun) and the NAL
 *   units of its `mdat` samples — and camsim's send-time SEI (tools/camsim/sei-stamp.ts) is
 *   mapped by the time the frame will have on the media element: its decode time (no B-frames:
 *   = presentation time) plus the SourceBuffer's `timestampOffset` at the append (hls.js shifts
 *   each fragment to its place in the playlist that way). A new SourceBuffer (a new source)
 *   starts a new map.
 * - `requestVideoFrameCallback` on `video.playback-video` reports every presented frame: when
 *   (performance.now() clock, the frame's expected display time), its media time and its stamp.
 * - A capture-phase listener notes each click and key press (`event.timeStamp`): the user's
 *   seek action.
 *
 * A camera's recording keeps camsim's SEI (no re-encode), so a presented frame's stamp is the
 * wall-clock time the camera sent it: the ground truth a seek to a wall-clock time is judged by.
 */
export interface PresentedFrame {
  /** Expected display time, on the performance.now() clock. */
  at: number;
  /** The frame's media time on the video element, seconds. */
  mediaTime: number;
  /** camsim's send time of the frame (ms since the epoch), or null when no stamp was found. */
  sent: number | null;
  /**
   * The frame's time on the camera's clock, in wall-clock ms: its media time plus the median of
   * (send time − media time) over the stamped frames within half a second of it. camsim's sends
   * jitter on a loaded machine (a frame sent 100 ms late among punctual neighbours); the frames'
   * own timestamps do not, so this is the time the frame was taken, to a millisecond or two.
   */
  taken: number | null;
}

export interface SeekProbeResult {
  /** Stamps found in appended media, over every source. */
  stamps: number;
  /** Presented frames, oldest first (the last 2000 kept). */
  frames: PresentedFrame[];
  /** Times (performance.now() clock) of the user's clicks and key presses. */
  actions: number[];
}

export function installSeekProbe(): void {
  const uuid = [0xc0, 0x57, 0x0d, 0x5e, 0x1a, 0x7e, 0x4c, 0x3b, 0x9f, 0x1e, 0x0b, 0x5d, 0x2a, 0x6c, 0x8e, 0x41];
  let stamps = new Map<number, number>();
  const maps = new WeakMap<SourceBuffer, Map<number, number>>();
  let timescale = 90_000;
  const state = { stamps: 0, frames: [] as Array<{ at: number; mediaTime: number; sent: number | null; taken: number | null }>, actions: [] as number[] };
  (window as unknown as { __seek: unknown }).__seek = state;
  const note = (e: Event) => state.actions.push(e.timeStamp);
  window.addEventListener('click', note, true);
  window.addEventListener('keydown', note, true);
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
  const scan = (into: Map<number, number>, b: Uint8Array, offsetSeconds: number) => {
    const top = boxes(b, 0, b.length);
    for (const box of top) {
      if (box.type === 'moov') {
        for (let i = box.body; i + 4 < box.end; i += 1) {
          if (type(b, i) === 'mdhd') {
            timescale = u32(b, i + 4 + 4 + (b[i + 4] === 1 ? 16 : 8));
            break;
          }
        }
      }
      if (box.type !== 'moof') continue;
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
              if (((b[n + 4] ?? 0) & 0x1f) === 6) {
                const sent = readSei(b, n + 4, n + 4 + len);
                if (sent !== null) {
                  into.set(Math.round(((t + cto) / timescale + offsetSeconds) * 1000), sent);
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
    if (!maps.has(this)) {
      stamps = new Map();
      maps.set(this, stamps);
    }
    try {
      scan(maps.get(this)!, data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength), this.timestampOffset);
    } catch {
      // A piece the probe cannot read is only not measured.
    }
    append.call(this, data);
  };
  const lookup = (mediaTime: number) => {
    const key = Math.round(mediaTime * 1000);
    for (const k of [key, key - 1, key + 1, key - 2, key + 2]) {
      const sent = stamps.get(k);
      if (sent !== undefined) return sent;
    }
    return null;
  };
  const takenAt = (mediaTime: number) => {
    const key = Math.round(mediaTime * 1000);
    const offsets: number[] = [];
    for (const [k, sent] of stamps) if (Math.abs(k - key) <= 500) offsets.push(sent - k);
    if (offsets.length < 5) return null;
    offsets.sort((a, b) => a - b);
    return key + (offsets[Math.floor(offsets.length / 2)] ?? 0);
  };
  const watched = new WeakSet<HTMLVideoElement>();
  const watch = (video: HTMLVideoElement) => {
    const onFrame = (_now: number, md: VideoFrameCallbackMetadata) => {
      state.frames.push({ at: md.expectedDisplayTime, mediaTime: md.mediaTime, sent: lookup(md.mediaTime), taken: takenAt(md.mediaTime) });
      if (state.frames.length > 2000) state.frames.splice(0, 1000);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  setInterval(() => {
    for (const v of Array.from(document.querySelectorAll<HTMLVideoElement>('video.playback-video'))) {
      if (!watched.has(v)) {
        watched.add(v);
        watch(v);
      }
    }
  }, 20);
}
