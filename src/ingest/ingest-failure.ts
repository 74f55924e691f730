/**
 * Why an ingest run failed, as the operator sees it (camera status `lastError`, gap reasons,
 * the `recording.interrupted` audit event, the recorder's log line). A camera URL is chosen by
 * whoever holds `camera.manage`, so the reason MUST NOT become an internal port scanner: it is
 * one of a few classes — refused, timeout, unreachable, not RTSP, TLS, auth, RTSP refusal,
 * ended, unsupported, malformed, our own disk full — worded by Custos, with at most a number (status, seconds) or
 * a code Node or OpenSSL gave. It MUST NOT hold any byte the peer sent: no banner, reason
 * phrase, certificate name or codec string.
 */
import { certificateErrorPattern } from '../cameras/camera-trust.ts';
import { AppError } from '../lib/errors.ts';
import { scrubText } from '../lib/scrub-url.ts';
import { NETWORK_REFUSED } from './camera-networks.ts';

/** The classes of failure (see the module note). */
export type IngestFailureKind =
  | 'refused' | 'timeout' | 'unreachable' | 'not-rtsp' | 'tls' | 'auth' | 'rejected' | 'redirect'
  | 'ended' | 'unsupported' | 'malformed' | 'denied' | 'disk-full' | 'internal';

/**
 * A classified failure: its class, the RTSP status when the camera answered with one, and the
 * text shown for it. Callers decide by `kind` and `status`, never by matching `text`.
 */
export interface IngestFailure {
  readonly kind: IngestFailureKind;
  readonly text: string;
  /** The RTSP (or HTTP tunnel) status code the camera answered, when the failure is such an answer. */
  readonly status?: number;
}

/** Error codes of a full disk or exhausted quota under the vault. */
const diskFullCodes = new Set(['ENOSPC', 'EDQUOT']);

/** Reason phrases of RTSP status codes (RFC 2326 §7.1.1), used instead of the camera's own. */
const phrases: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 408: 'Request Timeout', 451: 'Parameter Not Understood', 453: 'Not Enough Bandwidth',
  454: 'Session Not Found', 455: 'Method Not Valid in This State', 457: 'Invalid Range', 459: 'Aggregate Operation Not Allowed',
  461: 'Unsupported Transport', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
  505: 'RTSP Version Not Supported',
};

/** RTSP methods the ingests send: a step named otherwise is not shown. */
const steps = new Set(['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'TEARDOWN', 'GET_PARAMETER']);

/** What a certificate failure means, by the code Node or OpenSSL gives (their messages may quote the certificate). */
const certificateReasons: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the host name or IP is not in the certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get the issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get the local issuer certificate',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  CERT_REVOKED: 'certificate revoked',
};

/** Why authentication failed, by the phrases of src/ingest/native/rtsp/rtsp-exchange.ts and the bridge guard. */
const authReasons: readonly (readonly [RegExp, string])[] = [
  [/credentials rejected/, 'credentials rejected'],
  [/requires credentials and none are configured/, 'the camera requires credentials and none are configured'],
  [/not sent to another host/, 'credentials are not sent to another host the camera redirected to'],
  [/only Basic|Basic authentication, which would send the password in clear/, 'the camera asks for Basic authentication over unencrypted rtsp://, which would send the password in clear; refused (use rtsps:// or Digest)'],
  [/no supported authentication scheme/, 'no supported authentication scheme'],
];

const codeOf = (v: unknown): string | undefined => (typeof v === 'string' && /^[A-Z][A-Z0-9_]{1,47}$/.test(v) ? v : undefined);
const statusLine = (status: number): string => `${status}${phrases[status] === undefined ? '' : ` ${phrases[status]}`}`;

/** A failed connect (or a connection lost) as a classified CAMERA_UNREACHABLE, by the error's code alone. */
export function connectFailure(e: NodeJS.ErrnoException, secure: boolean, ctx: Record<string, string>, phase: 'connect' | 'lost'): AppError {
  const code = codeOf(e.code) ?? '';
  const failure = classifyCode(code, secure, phase);
  return new AppError('CAMERA_UNREACHABLE', failure.text, { ...ctx, step: phase, code, secure, failure: failure.kind });
}

function classifyCode(code: string, secure: boolean, phase: 'connect' | 'lost'): IngestFailure {
  if (code === 'ECONNREFUSED') return { kind: 'refused', text: 'connection refused' };
  if (code === NETWORK_REFUSED) return { kind: 'denied', text: 'the camera address is outside the allowed camera networks (recording.cameraNetworks)' };
  if (code === 'ETIMEDOUT') return { kind: 'timeout', text: phase === 'connect' ? 'timed out connecting to the camera' : 'the connection to the camera timed out' };
  if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL'].includes(code)) {
    return { kind: 'unreachable', text: `host not found or unreachable (${code})` };
  }
  const certificate = certificateReasons[code];
  if (certificate !== undefined || (secure && certificateErrorPattern.test(code))) {
    return { kind: 'tls', text: `TLS certificate verification failed: ${certificate ?? 'certificate not trusted'} (${code})` };
  }
  if (secure && phase === 'connect') return { kind: 'tls', text: `TLS handshake with the camera failed${code === '' ? '' : ` (${code})`}` };
  if (phase === 'connect') return { kind: 'unreachable', text: `cannot connect to the camera${code === '' ? '' : ` (${code})`}` };
  return { kind: 'ended', text: `connection to the camera lost${code === '' ? '' : ` (${code})`}` };
}

/** The classified failure of an ingest run (see the module note); `secrets` are scrubbed from Custos's own messages. */
export function classifyIngestFailure(e: unknown, secrets: readonly (string | null)[] = []): IngestFailure {
  if (!(e instanceof AppError)) {
    const kind = diskFullCodes.has(String((e as { code?: unknown } | null)?.code)) ? 'disk-full' : 'internal';
    return { kind, text: `internal error: ${printable(scrubText(e instanceof Error ? e.message : String(e), secrets))}` };
  }
  const d = e.detail ?? {};
  // Our own disk (the vault's write failed with ENOSPC, or a STORAGE_FULL): same text as any internal error.
  if (e.code === 'STORAGE_FULL' || (e.code === 'STORAGE_FAILED' && diskFullCodes.has(String(d.errno)))) return { kind: 'disk-full', text: printable(scrubText(e.message, secrets)) };
  const step = typeof d.step === 'string' && steps.has(d.step) ? d.step : undefined;
  const status = typeof d.status === 'number' && Number.isInteger(d.status) && d.status >= 100 && d.status <= 999 ? d.status : undefined;
  if (e.code === 'MEDIA_MALFORMED') {
    return d.failure === 'not-rtsp' ? { kind: 'not-rtsp', text: 'not an RTSP server' } : { kind: 'malformed', text: 'the camera sent malformed RTSP, SDP or media' };
  }
  if (e.code !== 'CAMERA_UNREACHABLE') return { kind: 'internal', text: printable(scrubText(e.message, secrets)) };

  const failure = typeof d.failure === 'string' ? d.failure : undefined;
  if (failure === 'not-rtsp') return { kind: 'not-rtsp', text: 'not an RTSP server' };
  if (failure === 'redirect') return { kind: 'redirect', text: 'the camera answered with a redirect, which the ffmpeg ingest does not follow; use the target URL or the native ingest' };
  if (typeof d.code === 'string') return classifyCode(codeOf(d.code) ?? '', d.secure === true, d.step === 'connect' ? 'connect' : 'lost');
  if (failure === 'auth' || status === 401) {
    const why = authReasons.find(([re]) => re.test(e.message))?.[1];
    return { kind: 'auth', text: `authentication failed: ${why ?? statusLine(401)}`, ...(status === undefined ? {} : { status }) };
  }
  if (typeof d.unsupported === 'string' || typeof d.unsupportedCodec === 'string') {
    const codec = typeof d.unsupportedCodec === 'string' ? d.unsupportedCodec.replace(/[^A-Za-z0-9._-]/g, '?').slice(0, 24) : undefined;
    return { kind: 'unsupported', text: codec === undefined ? 'the camera offers media the ingest cannot read' : `the camera's video codec ${codec} cannot be read natively` };
  }
  if (typeof d.stallTimeoutMs === 'number' || /^(no data|camera sent no frame) for /.test(e.message)) return { kind: 'timeout', text: printable(e.message) };
  if (/got no answer within \d+(\.\d+)? s$/.test(e.message)) return { kind: 'timeout', text: `${step ?? 'a request'} got no answer (timed out)` };
  if (status !== undefined && status >= 300 && status < 400) return { kind: 'redirect', text: `the camera redirected (${status}) to a URL that cannot be used`, status };
  if (status !== undefined) return { kind: 'rejected', text: `the camera refused ${step ?? 'a request'}: ${statusLine(status)}`, status };
  if (/only RTSP\/1\.0 is supported/.test(e.message)) return { kind: 'not-rtsp', text: 'not an RTSP/1.0 server' };
  if ('exitCode' in d || 'signal' in d) return classifyFfmpeg(e.message, d.exitCode);
  if (/closed the connection|connection .*was lost|connection was closed/.test(e.message)) return { kind: 'ended', text: 'the camera closed the connection' };
  if (/offers no video track/.test(e.message)) return { kind: 'unsupported', text: 'the camera offers no video track' };
  if (/redirect/.test(e.message)) return { kind: 'redirect', text: 'the camera redirected to a URL that cannot be used' };
  return { kind: 'ended', text: 'camera unreachable' };
}

/** ffmpeg's last stderr line, by the messages ffmpeg 5.1 prints (its own words; the camera's reason phrase is dropped). */
function classifyFfmpeg(line: string, exitCode: unknown): IngestFailure {
  const method = /method (\w+) failed: (\d{3})/.exec(line);
  const returned = /Server returned (\d{3})/.exec(line);
  const status = Number(method?.[2] ?? returned?.[1] ?? NaN);
  if (status === 401) return { kind: 'auth', text: `authentication failed: ${statusLine(401)}`, status };
  if (Number.isInteger(status)) {
    const step = method?.[1] !== undefined && steps.has(method[1]) ? method[1] : 'a request';
    return { kind: 'rejected', text: `the camera refused ${step}: ${statusLine(status)}`, status };
  }
  if (/Invalid data found when processing input/.test(line)) return { kind: 'not-rtsp', text: 'not an RTSP server' };
  if (/Connection refused/i.test(line)) return { kind: 'refused', text: 'connection refused' };
  if (/timed out/i.test(line)) return { kind: 'timeout', text: 'timed out' };
  if (/No route to host|Network is unreachable|Name or service not known|name resolution/i.test(line)) return { kind: 'unreachable', text: 'host not found or unreachable' };
  const code = typeof exitCode === 'number' ? ` (exit code ${exitCode})` : '';
  return { kind: 'ended', text: `ffmpeg ended${code}` };
}

/** Custos's own text, bounded and printable (it may hold a value quoted from our own input). */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}
