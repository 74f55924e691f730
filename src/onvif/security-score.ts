/**
 * A camera's security score (issue 17 item 8): seven factors, each with the evidence it was
 * judged on and its points, a total out of 100 and a grade. Pure: every fact comes in as a
 * value. The rules are ADR 0032's and docs/reference/onboarding.md "Security score":
 *
 * | factor      | max | full points when                          | otherwise |
 * |-------------|-----|-------------------------------------------|-----------|
 * | transport   | 15  | rtsps:// (TLS, verified)                  | 0 for rtsp:// |
 * | credentials | 20  | stored and not a known vendor default      | 0 (default, or none stored) |
 * | firmware    | 15  | a vetted release (signed manifest)        | 5 when the vendor has no releases in the trust store; 0 not vetted |
 * | vendor      | 15  | identified and vetted clear               | 0 flagged or unvetted |
 * | advisories  | 20  | no open advisory                          | worst open: critical 0, high 5, medium 10, other 15 |
 * | clock       |  5  | offset within 10 s                        | 0 |
 * | last seen   | 10  | recording now                             | 5 reconnecting for under an hour; 0 otherwise |
 *
 * A factor without evidence (a camera never identified) scores 0 and says `unknown`. Grade: A ≥ 90,
 * B ≥ 75, C ≥ 60, D ≥ 40, F below; a known default password, a prohibited vendor or an open
 * critical advisory caps the grade at D, whatever the total.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdvisorySeverity } from './advisory.ts';
import { sameVendor } from './advisory-match.ts';
import type { DefaultCredential } from './default-credentials.ts';

/** How a factor stands. */
export type FactorState = 'pass' | 'partial' | 'fail' | 'unknown';

/** One judged factor. */
export interface ScoreFactor {
  readonly id: 'transport' | 'credentials' | 'firmware' | 'vendor' | 'advisories' | 'clock' | 'last-seen';
  readonly state: FactorState;
  readonly points: number;
  readonly max: number;
  /** What was looked at, for people; never a secret. */
  readonly evidence: string;
}

/** The grade letters. */
export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';

/** A camera's score. */
export interface SecurityScore {
  readonly cameraId: string;
  readonly total: number;
  readonly max: 100;
  readonly grade: Grade;
  /** Why the grade is capped below what the total gives, or null. */
  readonly cappedBy: string | null;
  readonly factors: readonly ScoreFactor[];
}

/** The facts a score is computed from. */
export interface ScoreFacts {
  readonly cameraId: string;
  readonly url: string;
  readonly username: string | null;
  readonly password: string | null;
  /** The inventory entry, when the camera was identified. */
  readonly asset: {
    readonly vendor: string;
    readonly vetting: 'clear' | 'flagged' | 'unvetted';
    readonly likelyRelabel: boolean;
    readonly firmware: string;
    readonly firmwareVerdict: 'vetted' | 'not vetted' | 'no releases for this vendor' | null;
    readonly onvifClockOffsetMs: number;
    readonly identifiedMs: number;
  } | null;
  /** Open advisories of the camera (empty when none; meaningless without an asset). */
  readonly advisories: readonly { readonly documentId: string; readonly severity: AdvisorySeverity }[];
  /** The recorder's view: state and since when; the RTCP clock offset when the native ingest knows it. */
  readonly recorder: { readonly state: string; readonly sinceMs: number; readonly clockOffsetMs: number | null };
  readonly nowMs: number;
}

/** A clock further off than this fails the clock factor (the camera-clock-offset alarm's threshold). */
export const scoreClockOffsetMs = 10_000;
const hourMs = 3_600_000;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * The default entry the stored credentials match, if any: the camera's vendor's entries and the
 * any-vendor entries (every vendor's when the vendor is unknown). Usernames compare without case,
 * passwords exactly (through SHA-256 and a constant-time compare).
 */
export function matchingDefault(list: readonly DefaultCredential[], vendor: string | null, username: string, password: string): DefaultCredential | undefined {
  const pw = digest(password);
  return list.find((e) => (e.vendor === '*' || vendor === null || sameVendor(e.vendor, vendor)) && e.username.toLowerCase() === username.toLowerCase() && timingSafeEqual(digest(e.password), pw));
}

/** Computes the score. */
export function securityScore(f: ScoreFacts, defaults: readonly DefaultCredential[]): SecurityScore {
  const factors: ScoreFactor[] = [];
  const add = (id: ScoreFactor['id'], max: number, points: number, state: FactorState, evidence: string) => factors.push({ id, max, points, state, evidence });
  const caps: string[] = [];

  const tls = /^rtsps:/i.test(f.url);
  add('transport', 15, tls ? 15 : 0, tls ? 'pass' : 'fail', tls ? 'rtsps:// (TLS, certificate verified)' : 'rtsp:// in clear: credentials and video cross the network unencrypted');

  if (f.username === null && f.password === null) {
    add('credentials', 20, 0, 'fail', 'no credentials stored: the camera streams without authentication, or Custos does not hold them');
  } else {
    const hit = matchingDefault(defaults, f.asset?.vendor ?? null, f.username ?? '', f.password ?? '');
    if (hit !== undefined) caps.push('a known default password');
    add('credentials', 20, hit ? 0 : 20, hit ? 'fail' : 'pass', hit ? `matches a known default for vendor ${hit.vendor === '*' ? 'any (common IoT default)' : hit.vendor} (source: ${hit.source}, ${hit.sourceDate})` : `not one of ${defaults.length} known default credentials`);
  }

  const a = f.asset;
  if (a === null) {
    add('firmware', 15, 0, 'unknown', 'camera not identified over ONVIF: firmware unknown');
    add('vendor', 15, 0, 'unknown', 'camera not identified over ONVIF: vendor not vetted');
    add('advisories', 20, 0, 'unknown', 'camera not identified over ONVIF: advisories cannot be matched');
  } else {
    const fw = a.firmwareVerdict;
    add('firmware', 15, fw === 'vetted' ? 15 : fw === 'not vetted' ? 0 : 5, fw === 'vetted' ? 'pass' : fw === 'not vetted' ? 'fail' : 'partial',
      fw === 'vetted' ? `firmware ${a.firmware} is a vetted release (signed manifest)` : fw === 'not vetted' ? `firmware ${a.firmware} matches no vetted release of ${a.vendor}` : `firmware ${a.firmware}: the trust store holds no releases of ${a.vendor}, so it cannot be vetted`);
    if (a.vetting === 'flagged') caps.push('a prohibited vendor');
    add('vendor', 15, a.vetting === 'clear' ? 15 : 0, a.vetting === 'clear' ? 'pass' : 'fail',
      a.vetting === 'clear' ? `${a.vendor}: not on the prohibited-vendor list (manufacturer, MAC OUI, model)` : a.vetting === 'flagged' ? `${a.vendor}: flagged${a.likelyRelabel ? ' as a likely relabel' : ''} against the prohibited-vendor list` : `${a.vendor}: identity could not be vetted`);
    const worst = (['critical', 'high', 'medium'] as const).find((s) => f.advisories.some((x) => x.severity === s));
    if (worst === 'critical') caps.push('an open critical advisory');
    const pts = f.advisories.length === 0 ? 20 : worst === 'critical' ? 0 : worst === 'high' ? 5 : worst === 'medium' ? 10 : 15;
    add('advisories', 20, pts, f.advisories.length === 0 ? 'pass' : pts === 0 ? 'fail' : 'partial',
      f.advisories.length === 0 ? 'no imported advisory affects this camera' : `${f.advisories.length} open: ${f.advisories.map((x) => `${x.documentId} (${x.severity})`).join(', ')}`.slice(0, 300));
  }

  const offset = f.recorder.clockOffsetMs ?? a?.onvifClockOffsetMs ?? null;
  const from = f.recorder.clockOffsetMs !== null ? 'RTCP sender reports' : 'ONVIF at identification';
  if (offset === null) add('clock', 5, 0, 'unknown', 'clock offset unknown');
  else add('clock', 5, Math.abs(offset) <= scoreClockOffsetMs ? 5 : 0, Math.abs(offset) <= scoreClockOffsetMs ? 'pass' : 'fail', `offset ${Math.round(offset)} ms (${from}), limit ±${scoreClockOffsetMs} ms`);

  const s = f.recorder.state;
  const ago = Math.max(0, f.nowMs - f.recorder.sinceMs);
  if (s === 'recording') add('last-seen', 10, 10, 'pass', 'recording now');
  else if ((s === 'connecting' || s === 'retrying') && ago < hourMs) add('last-seen', 10, 5, 'partial', `${s} for ${Math.round(ago / 60_000)} min`);
  else if (s === 'unknown') add('last-seen', 10, 0, 'unknown', 'recorder state unknown here (the CLI does not run the recorder; ask the server)');
  else add('last-seen', 10, 0, s === 'disabled' || s === 'quarantined' ? 'unknown' : 'fail', `${s} since ${new Date(f.recorder.sinceMs).toISOString()}`);

  const total = factors.reduce((n, x) => n + x.points, 0);
  const byTotal: Grade = total >= 90 ? 'A' : total >= 75 ? 'B' : total >= 60 ? 'C' : total >= 40 ? 'D' : 'F';
  const capped = caps.length > 0 && 'ABC'.includes(byTotal);
  return { cameraId: f.cameraId, total, max: 100, grade: capped ? 'D' : byTotal, cappedBy: capped ? caps.join(', ') : null, factors };
}
