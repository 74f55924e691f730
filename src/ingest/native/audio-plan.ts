/**
 * What the native ingest does with a camera's audio (ADR 0037), and how the camera status says it:
 * `none` (no audio offered), `recorded (AAC 48000 Hz)`, or `not recorded (<why>)`, e.g.
 * `not recorded (codec PCMU)` for G.711. Only AAC-LC in RFC 3640 AAC-hbr is recorded: it is what
 * the depacketizer reads and what MP4, MSE and HLS carry as is. G.711 and the rest would need
 * transcoding, which the evidential path does not do. Pure.
 */
import type { AudioStatus } from '../ingest.ts';
import { parseAacConfig } from '../../media/fmp4/aac-config.ts';
import type { AacTrack, SessionDescription } from './rtsp/sdp.ts';

/** The decision for one session. */
export type AudioPlan =
  | { readonly record: true; readonly track: AacTrack; readonly status: AudioStatus }
  | { readonly record: false; readonly status: AudioStatus };

/** Only token characters of camera-provided text reach the status. */
const token = (s: string): string => s.replace(/[^A-Za-z0-9._ -]/g, '?').slice(0, 24);

/**
 * Decides from the SDP and the camera's switch (before SETUP); `audioSetUp` below refines it
 * after SETUP. Audio that could not be recorded anyway says why (the codec); recordable audio of
 * a camera whose switch is off says `not recorded (off for this camera)`.
 */
export function planAudio(description: SessionDescription, wanted: boolean): AudioPlan {
  const audio = description.audio;
  if (audio === undefined) return { record: false, status: 'none' };
  if (audio.codec === 'unsupported') {
    const what = audio.encoding.startsWith('payload type') || /transport profile/.test(audio.reason) ? token(audio.encoding) : `codec ${token(audio.encoding)}`;
    return { record: false, status: `not recorded (${what})` };
  }
  if (audio.mode !== 'AAC-hbr' || audio.sizeLength !== 13 || audio.indexLength !== 3 || audio.indexDeltaLength !== 3) {
    return { record: false, status: `not recorded (AAC ${audio.mode} sizeLength ${audio.sizeLength})` };
  }
  // AAC-LC only: other object types (HE-AAC signalled explicitly, AAC-LD…) change the frame length.
  if (audio.audioObjectType !== 2) return { record: false, status: `not recorded (AAC object type ${audio.audioObjectType})` };
  // Frame durations are 1024 samples in the RTP clock: that clock MUST be the sample rate (RFC 3640 §4.1 recommends it).
  let sampleRate: number | undefined;
  try {
    sampleRate = parseAacConfig(audio.config).sampleRate;
  } catch {
    return { record: false, status: 'not recorded (AAC config unreadable)' };
  }
  if (sampleRate !== audio.clockRate) return { record: false, status: `not recorded (AAC clock ${audio.clockRate} Hz, sample rate ${sampleRate} Hz)` };
  if (!wanted) return { record: false, status: 'not recorded (off for this camera)' };
  return { record: true, track: audio, status: `recorded (AAC ${audio.clockRate} Hz)` };
}

/** The plan once SETUP is done: a camera that refused the audio SETUP records video only. */
export function audioSetUp(plan: AudioPlan, setUp: boolean): AudioPlan {
  return plan.record && !setUp ? { record: false, status: 'not recorded (audio SETUP refused)' } : plan;
}
