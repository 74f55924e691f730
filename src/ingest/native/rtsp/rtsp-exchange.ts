/**
 * One authenticated request/response exchange of the RTSP session: signs the request when a
 * challenge is known, answers a 401 by choosing a challenge and retrying (once per challenge, plus
 * once more for a `stale=true` nonce, RFC 7616 §3.3), and turns refusals into errors that name
 * the step and the status, e.g. `DESCRIBE refused: 404 Not Found`.
 *
 * Contracts:
 * - credentials are sent only after the camera asked (no pre-emptive Basic);
 * - Basic over unencrypted rtsp:// is refused unless the caller allows it: it would put the
 *   password on the network in clear;
 * - error messages never hold credentials (they hold the step, status and reason phrase only,
 *   and the connection scrubs them again).
 */
import { AppError } from '../../../lib/errors.ts';
import { basicAuthorization, chooseChallenge, DigestSigner, parseChallenges } from './rtsp-auth.ts';
import type { AuthChallenge, Credentials } from './rtsp-auth.ts';
import type { RtspConnection } from './rtsp-connection.ts';
import type { RtspResponse } from './rtsp-message.ts';

/** Why the Authenticator holds no credentials for this host. */
export type NoCredentialsReason = 'none-configured' | 'other-host';

/** Per-connection authentication state. */
export class Authenticator {
  readonly #creds: Credentials | undefined;
  readonly #withheld: NoCredentialsReason;
  readonly #allowBasic: boolean;
  readonly #random: ((n: number) => Buffer) | undefined;
  #signer: DigestSigner | undefined;
  #basic: string | undefined;

  constructor(o: {
    creds: Credentials | undefined;
    /** Set when `creds` is undefined although the caller has some (a redirect to another host). */
    withheld?: NoCredentialsReason;
    /** rtsps://, or the caller allowed Basic over plaintext. */
    allowBasic: boolean;
    random?: (n: number) => Buffer;
  }) {
    this.#creds = o.creds;
    this.#withheld = o.withheld ?? 'none-configured';
    this.#allowBasic = o.allowBasic;
    this.#random = o.random;
  }

  /** The Authorization value for a request, or undefined before any challenge. */
  header(method: string, uri: string): string | undefined {
    if (this.#signer !== undefined) return this.#signer.authorization(method, uri);
    return this.#basic;
  }

  /**
   * Adopts a challenge from a 401. Returns undefined when a retry makes sense, else why not
   * (for the error message). `signed`: the refused request carried our credentials.
   */
  onUnauthorized(challenges: readonly AuthChallenge[], signed: boolean): string | undefined {
    if (this.#creds === undefined) {
      return this.#withheld === 'other-host'
        ? 'credentials are not sent to another host the camera redirected to'
        : 'the camera requires credentials and none are configured';
    }
    const choice = chooseChallenge(challenges, this.#allowBasic);
    if (choice.scheme === 'none') {
      if (!this.#allowBasic && challenges.some((c) => c.scheme === 'basic')) {
        return 'the camera offers only Basic authentication, which would send the password in clear over rtsp://; use rtsps:// or allow Basic over plaintext';
      }
      return `no supported authentication scheme (offered: ${choice.offered})`;
    }
    if (choice.scheme === 'digest') {
      const renewed = choice.stale && this.#signer !== undefined && this.#signer.nonce !== choice.nonce;
      if (signed && !renewed) return 'credentials rejected';
      this.#signer = new DigestSigner(choice, this.#creds, this.#random);
      this.#basic = undefined;
      return undefined;
    }
    if (signed) return 'credentials rejected';
    this.#basic = basicAuthorization(this.#creds);
    this.#signer = undefined;
    return undefined;
  }
}

/** Printable, bounded reason phrase (it is camera-controlled text). */
export function reasonOf(res: RtspResponse): string {
  const r = res.reason.replace(/[^\x20-\x7e]/g, '?').trim().slice(0, 64);
  return r === '' ? '' : ` ${r}`;
}

/** `<STEP> refused: <status> <reason>[ (<why>)]` as CAMERA_UNREACHABLE with step and status in detail. */
export function refused(step: string, res: RtspResponse, why?: string): AppError {
  return new AppError('CAMERA_UNREACHABLE', `${step} refused: ${res.status}${reasonOf(res)}${why === undefined ? '' : ` (${why})`}`, {
    step, status: res.status,
  });
}

/** True for a 2xx status. */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** Redirect statuses we follow (RFC 2326 §11.3.2–§11.3.4; 307 from RFC 7826 §17.3.8). */
export const isRedirect = (status: number): boolean => status === 301 || status === 302 || status === 303 || status === 307;

/**
 * Sends a request, answering 401s. Resolves with the final response (any status but a 401 that
 * cannot be answered, which rejects with `refused`). CAMERA_UNREACHABLE for a non-1.0 answer.
 */
export async function exchange(conn: RtspConnection, auth: Authenticator, method: string, url: string, headers: readonly (readonly [string, string])[] = []): Promise<RtspResponse> {
  for (let attempt = 0; ; attempt += 1) {
    const authorization = auth.header(method, url);
    const res = await conn.request(method, url, authorization === undefined ? headers : [...headers, ['Authorization', authorization]]);
    if (res.version !== 'RTSP/1.0') {
      throw new AppError('CAMERA_UNREACHABLE', `${method}: the camera answered with ${res.version}; only RTSP/1.0 is supported`, { step: method });
    }
    if (res.status !== 401) return res;
    if (attempt >= 2) throw refused(method, res, 'credentials rejected');
    const why = auth.onUnauthorized(parseChallenges(res.headers.getAll('www-authenticate')), authorization !== undefined);
    if (why !== undefined) throw refused(method, res, why);
  }
}
