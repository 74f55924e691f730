/**
 * The session description a camera answers to DESCRIBE (RFC 8866), reduced to what an ingest
 * needs: the video track (H.264 per RFC 6184 §8.1, H.265 per RFC 7798 §7.1) and the audio track
 * (AAC as mpeg4-generic, RFC 3640 §4.1), their payload types, clock rates, control values and
 * out-of-band parameter sets. Pure.
 *
 * Contracts:
 * - fatal problems (not text, no `v=0`, no media section, over the line limit) are MEDIA_MALFORMED;
 *   nothing else is thrown, whatever the input;
 * - recoverable problems (a bad base64 parameter set, a garbled profile-level-id, a line that is
 *   not `x=value`) are listed in `warnings` and the value is left out: parameter sets also
 *   arrive in-band, so a bad sprop MUST NOT stop a camera from recording;
 * - a codec we cannot ingest is reported as `unsupported` with its encoding name, so the caller
 *   can fall back to ffmpeg and say why.
 */
import { AppError } from '../../../lib/errors.ts';

/** One `m=` section, as parsed (for diagnostics and track choice). */
export interface MediaSection {
  readonly media: string;
  readonly protocol: string;
  /** Payload type numbers as listed on the m= line, in preference order. */
  readonly formats: readonly number[];
  readonly control: string | undefined;
  readonly rtpmap: ReadonlyMap<number, RtpMap>;
  /** Format parameters per payload type, keys lowercased (RFC 6184 §8.1: names are case-insensitive). */
  readonly fmtp: ReadonlyMap<number, ReadonlyMap<string, string>>;
}

/** `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]` (RFC 8866 §6.6). */
export interface RtpMap {
  /** Encoding name as sent (compare case-insensitively). */
  readonly encoding: string;
  readonly clockRate: number;
  readonly channels: number | undefined;
}

interface TrackBase {
  readonly payloadType: number;
  readonly clockRate: number;
  /** The raw a=control value of the media section; resolve with rtsp-url.ts `controlUrl`. */
  readonly control: string | undefined;
}

/** H.264 (RFC 6184). */
export interface H264Track extends TrackBase {
  readonly codec: 'h264';
  /** 0 single NAL unit, 1 non-interleaved, 2 interleaved (§8.1; absent means 0). */
  readonly packetizationMode: number;
  /** Six lowercase hex digits from the fmtp, else from the first SPS; undefined if neither. */
  readonly profileLevelId: string | undefined;
  /** NAL units from sprop-parameter-sets, by type (7 SPS, 8 PPS); others are ignored. */
  readonly sps: readonly Buffer[];
  readonly pps: readonly Buffer[];
}

/** H.265 (RFC 7798). */
export interface H265Track extends TrackBase {
  readonly codec: 'h265';
  readonly vps: readonly Buffer[];
  readonly sps: readonly Buffer[];
  readonly pps: readonly Buffer[];
  /** sprop-max-don-diff (§7.1); above 0 the RTP payloads carry DONL/DOND fields. */
  readonly spropMaxDonDiff: number;
  readonly profileId: number | undefined;
  readonly tierFlag: number | undefined;
  readonly levelId: number | undefined;
}

/** AAC in mpeg4-generic (RFC 3640), AAC-hbr or AAC-lbr mode. */
export interface AacTrack extends TrackBase {
  readonly codec: 'aac';
  readonly mode: 'AAC-hbr' | 'AAC-lbr';
  /** AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) from the `config` hex. */
  readonly config: Buffer;
  /** audioObjectType from the config (2 = AAC-LC): the `mp4a.40.N` codec string. */
  readonly audioObjectType: number;
  readonly channels: number | undefined;
  readonly sizeLength: number;
  readonly indexLength: number;
  readonly indexDeltaLength: number;
}

/** A track whose codec or parameters we cannot ingest. */
export interface UnsupportedTrack {
  readonly codec: 'unsupported';
  readonly media: string;
  /** Encoding name (e.g. `JPEG`, `MP4A-LATM`) or `payload type N`. */
  readonly encoding: string;
  readonly reason: string;
  readonly control: string | undefined;
}

/** What DESCRIBE told us. */
export interface SessionDescription {
  /** Session-level a=control (raw), e.g. `*`, a URL, or undefined. */
  readonly sessionControl: string | undefined;
  readonly video: H264Track | H265Track | UnsupportedTrack | undefined;
  readonly audio: AacTrack | UnsupportedTrack | undefined;
  readonly media: readonly MediaSection[];
  readonly warnings: readonly string[];
}

/** Static payload types (RFC 3551 §6) cameras use without an rtpmap. */
const staticTypes: Record<number, RtpMap> = {
  0: { encoding: 'PCMU', clockRate: 8000, channels: 1 },
  8: { encoding: 'PCMA', clockRate: 8000, channels: 1 },
  14: { encoding: 'MPA', clockRate: 90_000, channels: undefined },
  26: { encoding: 'JPEG', clockRate: 90_000, channels: undefined },
  32: { encoding: 'MPV', clockRate: 90_000, channels: undefined },
  33: { encoding: 'MP2T', clockRate: 90_000, channels: undefined },
  34: { encoding: 'H263', clockRate: 90_000, channels: undefined },
};

const MAX_LINES = 10_000;
/** Printable excerpt of camera-provided text for warnings and errors. */
const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s).replace(/[^\x20-\x7e]/g, '?');
const malformed = (m: string): AppError => new AppError('MEDIA_MALFORMED', `the camera's session description (SDP) is malformed: ${m}`);

interface MutableSection {
  media: string;
  protocol: string;
  formats: number[];
  control: string | undefined;
  rtpmap: Map<number, RtpMap>;
  fmtp: Map<number, Map<string, string>>;
}

/** Parses a DESCRIBE body. MEDIA_MALFORMED for fatal problems only (see module contract). */
export function parseSdp(body: Buffer | string): SessionDescription {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(text)) throw malformed('it holds binary data');
  const all = text.split(/\r?\n/);
  const first = all.findIndex((l) => l.trim() !== '');
  const lines = first < 0 ? [] : all.slice(first);
  if (lines.length > MAX_LINES) throw malformed(`more than ${MAX_LINES} lines`);
  if (lines[0]?.trim() !== 'v=0') throw malformed('it does not start with v=0');
  const warnings: string[] = [];
  const sections: MutableSection[] = [];
  let sessionControl: string | undefined;
  for (const [n, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (!/^[a-z]=/.test(line)) {
      warnings.push(`line ${n + 1} is not "x=value" (${clip(line)}); ignored`);
      continue;
    }
    const type = line[0];
    const value = line.slice(2);
    const current = sections[sections.length - 1];
    if (type === 'm') {
      const m = /^(\S+) (\d+)(?:\/\d+)? (\S+)((?: \S+)*)$/.exec(value);
      if (m === null) throw malformed(`bad media line (${clip(value)})`);
      const formats = (m[4] ?? '').trim().split(' ').filter((f) => f !== '').map(Number).filter((f) => Number.isInteger(f) && f >= 0 && f <= 127);
      sections.push({ media: (m[1] ?? '').toLowerCase(), protocol: m[3] ?? '', formats, control: undefined, rtpmap: new Map(), fmtp: new Map() });
      continue;
    }
    if (type !== 'a') continue;
    const colon = value.indexOf(':');
    const name = (colon < 0 ? value : value.slice(0, colon)).toLowerCase();
    const arg = colon < 0 ? '' : value.slice(colon + 1).trim();
    if (name === 'control') {
      if (current === undefined) sessionControl = arg;
      else current.control = arg;
    } else if (current !== undefined && name === 'rtpmap') {
      const r = /^(\d{1,3}) ([^/\s]+)\/(\d{1,9})(?:\/(\d{1,3}))?$/.exec(arg);
      if (r === null || Number(r[3]) === 0) {
        warnings.push(`bad a=rtpmap (${clip(arg)}); ignored`);
        continue;
      }
      current.rtpmap.set(Number(r[1]), { encoding: r[2] ?? '', clockRate: Number(r[3]), channels: r[4] === undefined ? undefined : Number(r[4]) });
    } else if (current !== undefined && name === 'fmtp') {
      const f = /^(\d{1,3})(?:\s+(.*))?$/.exec(arg);
      if (f === null) {
        warnings.push(`bad a=fmtp (${clip(arg)}); ignored`);
        continue;
      }
      current.fmtp.set(Number(f[1]), fmtpParams(f[2] ?? ''));
    }
  }
  if (sections.length === 0) throw malformed('it has no media section (m=)');
  const video = pickTrack(sections, 'video', warnings, videoTrack);
  const audio = pickTrack(sections, 'audio', warnings, audioTrack);
  return { sessionControl, video, audio, media: sections, warnings };
}

/** `key=value;key=value` (values keep their `=`, e.g. base64 padding); keys lowercased. */
function fmtpParams(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(';')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key !== '' && !out.has(key)) out.set(key, eq < 0 ? '' : part.slice(eq + 1).trim());
  }
  return out;
}

type TrackMaker<T> = (s: MutableSection, pt: number, map: RtpMap, warnings: string[]) => T | UnsupportedTrack;

/** The first section of `media` whose first usable format is supported, else the first one, reported. */
function pickTrack<T>(sections: MutableSection[], media: string, warnings: string[], make: TrackMaker<T>): T | UnsupportedTrack | undefined {
  let firstUnsupported: UnsupportedTrack | undefined;
  for (const s of sections) {
    if (s.media !== media) continue;
    if (!/^RTP\/S?AVP(F)?$/i.test(s.protocol)) {
      firstUnsupported ??= { codec: 'unsupported', media, encoding: s.protocol, reason: `transport profile ${clip(s.protocol)} is not RTP/AVP`, control: s.control };
      continue;
    }
    for (const pt of s.formats) {
      const map = s.rtpmap.get(pt) ?? (pt < 96 ? staticTypes[pt] : undefined);
      if (map === undefined) {
        firstUnsupported ??= { codec: 'unsupported', media, encoding: `payload type ${pt}`, reason: 'no a=rtpmap for a dynamic payload type', control: s.control };
        continue;
      }
      const track = make(s, pt, map, warnings);
      if ((track as { codec: string }).codec !== 'unsupported') return track;
      firstUnsupported ??= track as UnsupportedTrack;
    }
  }
  return firstUnsupported;
}

function unsupported(s: MutableSection, map: RtpMap, reason: string): UnsupportedTrack {
  return { codec: 'unsupported', media: s.media, encoding: clip(map.encoding), reason, control: s.control };
}

const videoTrack: TrackMaker<H264Track | H265Track> = (s, pt, map, warnings) => {
  const encoding = map.encoding.toUpperCase();
  const params = s.fmtp.get(pt) ?? new Map<string, string>();
  const base = { payloadType: pt, clockRate: map.clockRate, control: s.control };
  if (encoding === 'H264') {
    const nals = decodeNalList(params.get('sprop-parameter-sets'), 'sprop-parameter-sets', warnings);
    const sps = nals.filter((n) => ((n[0] ?? 0) & 0x1f) === 7);
    const pps = nals.filter((n) => ((n[0] ?? 0) & 0x1f) === 8);
    let profileLevelId = params.get('profile-level-id')?.toLowerCase();
    if (profileLevelId !== undefined && !/^[0-9a-f]{6}$/.test(profileLevelId)) {
      warnings.push(`bad profile-level-id (${clip(profileLevelId)}); ignored`);
      profileLevelId = undefined;
    }
    const firstSps = sps[0];
    if (profileLevelId === undefined && firstSps !== undefined && firstSps.length >= 4) profileLevelId = firstSps.subarray(1, 4).toString('hex');
    const modeText = params.get('packetization-mode') ?? '0';
    if (!/^[012]$/.test(modeText)) return unsupported(s, map, `packetization-mode ${clip(modeText)} is not 0, 1 or 2`);
    return { codec: 'h264', ...base, packetizationMode: Number(modeText), profileLevelId, sps, pps };
  }
  if (encoding === 'H265') {
    const typed = (key: string, type: number): Buffer[] =>
      decodeNalList(params.get(key), key, warnings).filter((n) => {
        const ok = n.length >= 2 && ((n[0] ?? 0) >> 1) === type;
        if (!ok) warnings.push(`${key} holds a NAL unit that is not of type ${type}; ignored`);
        return ok;
      });
    const int = (key: string, max: number): number | undefined => {
      const v = params.get(key);
      if (v === undefined) return undefined;
      if (!/^\d{1,10}$/.test(v) || Number(v) > max) {
        warnings.push(`bad ${key} (${clip(v)}); ignored`);
        return undefined;
      }
      return Number(v);
    };
    return {
      codec: 'h265', ...base, vps: typed('sprop-vps', 32), sps: typed('sprop-sps', 33), pps: typed('sprop-pps', 34),
      spropMaxDonDiff: int('sprop-max-don-diff', 32_767) ?? 0, profileId: int('profile-id', 31), tierFlag: int('tier-flag', 1), levelId: int('level-id', 255),
    };
  }
  return unsupported(s, map, `video codec ${clip(map.encoding)} is not supported (H264 and H265 are)`);
};

const audioTrack: TrackMaker<AacTrack> = (s, pt, map) => {
  if (map.encoding.toUpperCase() !== 'MPEG4-GENERIC') {
    return unsupported(s, map, `audio codec ${clip(map.encoding)} is not supported (mpeg4-generic AAC is)`);
  }
  const params = s.fmtp.get(pt) ?? new Map<string, string>();
  const modeText = params.get('mode') ?? '';
  const mode = modeText.toLowerCase() === 'aac-hbr' ? 'AAC-hbr' : modeText.toLowerCase() === 'aac-lbr' ? 'AAC-lbr' : undefined;
  if (mode === undefined) return unsupported(s, map, `mpeg4-generic mode ${clip(modeText || '(none)')} is not AAC-hbr or AAC-lbr`);
  const configHex = params.get('config') ?? '';
  if (!/^([0-9a-fA-F]{2}){2,64}$/.test(configHex)) return unsupported(s, map, 'mpeg4-generic config is missing or not hexadecimal');
  const config = Buffer.from(configHex, 'hex');
  const lengths: number[] = [];
  for (const key of ['sizelength', 'indexlength', 'indexdeltalength']) {
    const v = params.get(key);
    if (v === undefined || !/^\d{1,2}$/.test(v) || Number(v) > 32) return unsupported(s, map, `mpeg4-generic ${key} is missing or invalid`);
    lengths.push(Number(v));
  }
  const [sizeLength = 0, indexLength = 0, indexDeltaLength = 0] = lengths;
  if (sizeLength === 0) return unsupported(s, map, 'mpeg4-generic sizelength is 0');
  let audioObjectType = (config[0] ?? 0) >> 3;
  // ISO/IEC 14496-3 §1.6.2.1 GetAudioObjectType(): 31 escapes to 32 + 6 more bits.
  if (audioObjectType === 31) audioObjectType = 32 + ((((config[0] ?? 0) & 0x07) << 3) | ((config[1] ?? 0) >> 5));
  if (audioObjectType === 0) return unsupported(s, map, 'mpeg4-generic config has audio object type 0');
  return {
    codec: 'aac', payloadType: pt, clockRate: map.clockRate, control: s.control, mode, config, audioObjectType,
    channels: map.channels, sizeLength, indexLength, indexDeltaLength,
  };
};

/**
 * Decodes a comma-separated list of base64 NAL units (RFC 6184 §8.1, RFC 7798 §7.1). Padding
 * may be missing (cameras omit it); any other non-base64 character drops that entry.
 */
function decodeNalList(value: string | undefined, key: string, warnings: string[]): Buffer[] {
  if (value === undefined) return [];
  const out: Buffer[] = [];
  for (const item of value.split(',')) {
    const b64 = item.trim();
    if (b64 === '') continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.replace(/=+$/, '').length % 4 === 1) {
      warnings.push(`${key} holds an entry that is not base64 (${clip(b64)}); ignored`);
      continue;
    }
    const nal = Buffer.from(b64, 'base64');
    if (nal.length === 0 || ((nal[0] ?? 0) & 0x80) !== 0) {
      warnings.push(`${key} holds an empty NAL unit or one with the forbidden bit set; ignored`);
      continue;
    }
    out.push(nal);
  }
  return out;
}
