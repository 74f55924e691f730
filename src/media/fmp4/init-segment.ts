/**
 * The fMP4 init segment (`ftyp` + `moov`) for one video track and optionally one audio track,
 * laid out as ffmpeg writes it with `-movflags +empty_moov` (ISO/IEC 14496-12): empty sample
 * tables, durations 0, `mvex/trex` so that movie fragments follow. Only ffmpeg's `udta` (encoder
 * name) and `pasp` boxes are left out. Not a hot path: built once per stream.
 */

/** Track id of the video track. */
export const VIDEO_TRACK_ID = 1;
/** Track id of the audio track, when there is one (ADR 0037). */
export const AUDIO_TRACK_ID = 2;

/** A box (§4.2): 32-bit size, four-character type, payload. */
export function box(type: string, ...payload: Uint8Array[]): Buffer {
  const size = 8 + payload.reduce((n, p) => n + p.length, 0);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size, 0);
  header.write(type, 4, 4, 'latin1');
  return Buffer.concat([header, ...payload], size);
}

/** A FullBox (§4.2): a box whose payload starts with an 8-bit version and 24-bit flags. */
export function fullBox(type: string, version: number, flags: number, ...payload: Uint8Array[]): Buffer {
  return box(type, u32((version << 24) | flags), ...payload);
}

/** Big-endian 32-bit words. */
function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

/** Big-endian 16-bit words. */
function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => b.writeUInt16BE(v, 2 * i));
  return b;
}

/** The unity transformation matrix of mvhd/tkhd (§8.2.2.3). */
const UNITY_MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);

/** What the init segment describes. */
export interface VideoTrackInit {
  /** The complete sample entry box (`avc1` or `hvc1` with its configuration box). */
  readonly sampleEntry: Buffer;
  readonly width: number;
  readonly height: number;
  /** Media timescale, ticks per second (90000 for RTP video). */
  readonly timescale: number;
  /** A second, audio track (AAC), when recorded. */
  readonly audio?: AudioTrackInit;
}

/** What the init segment says about the audio track. */
export interface AudioTrackInit {
  /** The complete sample entry box (`mp4a` with its `esds`). */
  readonly sampleEntry: Buffer;
  /** Media timescale: the sample rate (the RTP clock of the audio). */
  readonly timescale: number;
}

/**
 * VisualSampleEntry (§8.5.2.2, §12.1.3) of `type` holding the decoder configuration box `config`
 * (`avcC` or `hvcC`): data_reference_index 1, 72 dpi, one frame per sample, depth 0x18.
 */
export function visualSampleEntry(type: 'avc1' | 'hvc1', width: number, height: number, config: Buffer): Buffer {
  return box(
    type,
    Buffer.alloc(6), // reserved
    u16(1), // data_reference_index
    Buffer.alloc(16), // pre_defined, reserved, pre_defined[3]
    u16(width, height),
    u32(0x00480000, 0x00480000, 0), // horizresolution, vertresolution, reserved
    u16(1), // frame_count
    Buffer.alloc(32), // compressorname (empty)
    u16(0x0018, 0xffff), // depth, pre_defined = -1
    config,
  );
}

/** `ftyp` as ffmpeg writes it for fragmented MP4: major brand iso5, compatible iso5, iso6, mp41. */
function ftyp(): Buffer {
  return box('ftyp', Buffer.from('iso5', 'latin1'), u32(0x200), Buffer.from('iso5iso6mp41', 'latin1'));
}

/** The sample tables of a fragmented track: one sample entry, no samples (§8.8.1). */
function emptySampleTable(sampleEntry: Buffer): Buffer {
  return box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), sampleEntry),
    fullBox('stts', 0, 0, u32(0)),
    fullBox('stsc', 0, 0, u32(0)),
    fullBox('stsz', 0, 0, u32(0, 0)),
    fullBox('stco', 0, 0, u32(0)),
  );
}

const dinf = (): Buffer => box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))); // media in this file

/** trex (§8.8.3): every fragment states its own durations and sizes; flags default to 0 (sync). */
const trex = (trackId: number): Buffer => fullBox('trex', 0, 0, u32(trackId, 1, 0, 0, 0));

/**
 * The audio `trak`: tkhd (alternate_group 1, volume 1.0, as ffmpeg writes it), mdhd at the
 * sample rate, hdlr `soun`, smhd (§12.2.2).
 */
function audioTrak(audio: AudioTrackInit): Buffer {
  const tkhd = fullBox(
    'tkhd', 0, 0x000003,
    u32(0, 0, AUDIO_TRACK_ID, 0, 0),
    Buffer.alloc(8), u16(0, 1, 0x0100, 0), // reserved[2], layer, alternate_group, volume 1.0, reserved
    UNITY_MATRIX,
    u32(0, 0), // width, height: none
  );
  const mdhd = fullBox('mdhd', 0, 0, u32(0, 0, audio.timescale, 0), u16(0x55c4, 0));
  const hdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('soun', 'latin1'), u32(0, 0, 0), Buffer.from('SoundHandler\0', 'latin1'));
  const smhd = fullBox('smhd', 0, 0, u16(0, 0)); // balance, reserved
  return box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', smhd, dinf(), emptySampleTable(audio.sampleEntry))));
}

/** Builds the exact `ftyp` + `moov` bytes of a fragmented MP4 with one video track and at most one audio track. */
export function buildInitSegment(track: VideoTrackInit): Buffer {
  const mvhd = fullBox(
    'mvhd', 0, 0,
    u32(0, 0, 1000, 0), // creation, modification, timescale (movie: ms), duration (unknown: fragmented)
    u32(0x00010000), u16(0x0100), Buffer.alloc(10), // rate 1.0, volume 1.0, reserved
    UNITY_MATRIX, Buffer.alloc(24), // matrix, pre_defined[6]
    u32((track.audio === undefined ? VIDEO_TRACK_ID : AUDIO_TRACK_ID) + 1), // next_track_ID
  );
  const tkhd = fullBox(
    'tkhd', 0, 0x000003, // track_enabled | track_in_movie
    u32(0, 0, VIDEO_TRACK_ID, 0, 0), // creation, modification, track_ID, reserved, duration
    Buffer.alloc(8), u16(0, 0, 0, 0), // reserved[2], layer, alternate_group, volume (video: 0), reserved
    UNITY_MATRIX,
    u32(track.width * 0x10000, track.height * 0x10000), // 16.16 fixed point
  );
  const mdhd = fullBox('mdhd', 0, 0, u32(0, 0, track.timescale, 0), u16(0x55c4, 0)); // language 'und'
  const hdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide', 'latin1'), u32(0, 0, 0), Buffer.from('VideoHandler\0', 'latin1'));
  const vmhd = fullBox('vmhd', 0, 1, u16(0, 0, 0, 0)); // graphicsmode copy, opcolor
  const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', vmhd, dinf(), emptySampleTable(track.sampleEntry))));
  const traks = track.audio === undefined ? [trak] : [trak, audioTrak(track.audio)];
  const mvex = box('mvex', trex(VIDEO_TRACK_ID), ...(track.audio === undefined ? [] : [trex(AUDIO_TRACK_ID)]));
  return Buffer.concat([ftyp(), box('moov', mvhd, ...traks, mvex)]);
}
