/**
 * SDP (RFC 8866) for one H.264 video track as answered to DESCRIBE (RFC 2326 §10.2).
 */
import type { ParameterSets } from './h264-annexb.ts';
import { profileLevelId } from './h264-annexb.ts';
import { clockRate, payloadType } from './rtp-packetizer.ts';

/** Inputs to the session description of one simulated camera. */
export interface SdpOptions {
  /** Address the server listens on, for the o= and c= lines. */
  host: string;
  /** Session id for the o= line (any stable number). */
  sessionId: string;
  /** Name for the s= line. */
  name: string;
  parameterSets: ParameterSets;
  fps: number;
}

/**
 * Builds the SDP with CRLF line ends. The range is `npt=now-`: a looped clip is live and MUST be
 * announced as not seekable, or a client's PLAY with `Range: npt=0-` fails (FIELD-NOTES).
 * Parameter sets go in sprop-parameter-sets (RFC 6184 §8.1) so clients can set up decoders
 * before the first key frame arrives.
 */
export function buildSdp(o: SdpOptions): string {
  const ipVersion = o.host.includes(':') ? 'IP6' : 'IP4';
  const sprop = `${Buffer.from(o.parameterSets.sps).toString('base64')},${Buffer.from(o.parameterSets.pps).toString('base64')}`;
  const lines = [
    'v=0',
    `o=- ${o.sessionId} 1 IN ${ipVersion} ${o.host}`,
    `s=${o.name}`,
    `c=IN ${ipVersion} ${o.host}`,
    't=0 0',
    'a=tool:custos-camsim',
    'a=range:npt=now-',
    'a=control:*',
    `m=video 0 RTP/AVP ${payloadType}`,
    `a=rtpmap:${payloadType} H264/${clockRate}`,
    `a=fmtp:${payloadType} packetization-mode=1;profile-level-id=${profileLevelId(o.parameterSets.sps)};sprop-parameter-sets=${sprop}`,
    `a=framerate:${o.fps}`,
    'a=control:trackID=0',
  ];
  return lines.join('\r\n') + '\r\n';
}
