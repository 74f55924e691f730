/**
 * Reads the audio track of an init segment (ADR 0037): track id, timescale, and for AAC (`mp4a`
 * with an `esds` holding an AudioSpecificConfig) the RFC 6381 codec string and channel count.
 * Used by fmp4-reader.ts for streams from ffmpeg, recovery and the writer's own output alike.
 * Bounds-checked like every reader here: malformed boxes throw MEDIA_MALFORMED.
 */
import { BoxCursor, childBoxes, findChild, findPath, malformed, type Box } from './fmp4-boxes.ts';
import { aacChannelCount, aacCodecString, parseAacConfig } from './aac-config.ts';
import type { AudioTrackInfo } from '../media.ts';

/** SampleEntry (8) + AudioSampleEntry (20) fields before the child boxes (ISO/IEC 14496-12 §12.2.3). */
const AUDIO_ENTRY_FIELDS = 8 + 20;

/** Describes an audio (`soun`) trak; undefined when its first sample entry is not AAC we can name. */
export function describeAudioTrack(buf: Buffer, trak: Box): AudioTrackInfo | undefined {
  const tkhd = findChild(buf, trak, 'tkhd') ?? malformed("audio 'trak' has no 'tkhd'", trak.start);
  const tk = new BoxCursor(buf, tkhd);
  tk.skip(tk.fullBox().version === 1 ? 16 : 8);
  const trackId = tk.u32();
  const mdhd = findPath(buf, trak, ['mdia', 'mdhd']) ?? malformed("audio 'trak' has no 'mdhd'", trak.start);
  const md = new BoxCursor(buf, mdhd);
  md.skip(md.fullBox().version === 1 ? 16 : 8);
  const timescale = md.u32();
  if (timescale === 0) malformed("audio 'mdhd' timescale is 0", mdhd.start);
  const stsd = findPath(buf, trak, ['mdia', 'minf', 'stbl', 'stsd']) ?? malformed("audio 'trak' has no 'stsd'", trak.start);
  const entry = childBoxes(buf, stsd.bodyStart + 8, stsd.end)[0];
  if (entry?.type !== 'mp4a' || entry.end - entry.bodyStart < AUDIO_ENTRY_FIELDS) return undefined;
  const c = new BoxCursor(buf, entry);
  c.skip(16);
  const channelCount = c.u16();
  const esds = findChild(buf, entry, 'esds', AUDIO_ENTRY_FIELDS);
  const config = esds === undefined ? undefined : decoderSpecificInfo(buf, esds);
  if (config === undefined) return undefined;
  const aac = parseAacConfig(config);
  return { codec: aacCodecString(aac), trackId, timescale, channels: aacChannelCount(aac, channelCount) };
}

/** The DecoderSpecificInfo (tag 5) inside the ES_Descriptor of an `esds` (ISO/IEC 14496-1 §7.2.6). */
function decoderSpecificInfo(buf: Buffer, esds: Box): Buffer | undefined {
  const c = new BoxCursor(buf, esds);
  c.fullBox();
  // Walk the nested descriptors: tag, expandable size (§8.3.3), body. Only 3 and 4 are entered.
  let end = esds.end;
  for (let guard = 0; guard < 16 && c.offset < end; guard++) {
    const tag = c.u8();
    let size = 0;
    for (let i = 0; i < 4; i++) {
      const b = c.u8();
      size = (size << 7) | (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    const bodyStart = c.offset;
    if (bodyStart + size > end) malformed("'esds' descriptor overruns its box", bodyStart);
    if (tag === 0x03) {
      c.skip(2); // ES_ID
      const flags = c.u8();
      if (flags & 0x80) c.skip(2); // dependsOn_ES_ID
      if (flags & 0x40) c.skip(c.u8()); // URL
      if (flags & 0x20) c.skip(2); // OCR_ES_Id
      end = bodyStart + size;
    } else if (tag === 0x04) {
      c.skip(13); // objectTypeIndication, streamType, bufferSizeDB, maxBitrate, avgBitrate
      end = bodyStart + size;
    } else if (tag === 0x05) {
      return c.bytes(size);
    } else {
      c.skip(size);
    }
  }
  return undefined;
}
