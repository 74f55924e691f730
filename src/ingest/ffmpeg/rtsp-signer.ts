/**
 * Authentication inside the ffmpeg bridge (issue 20 item 8): ffmpeg is given the camera URL
 * without credentials, so no password is ever in a process argument (`/proc/<pid>/cmdline` is
 * readable by every local user). The bridge answers the camera's challenge itself:
 * - a 401 to a request ffmpeg sent is not forwarded: the request is sent again with an
 *   `Authorization` for the strongest challenge offered (Digest; Basic only over TLS), and the
 *   camera's answer to that goes to ffmpeg;
 * - every later request is signed up front (a fresh Digest `nc` and `cnonce` each time), and a
 *   401 to it (a stale nonce) is answered once more with the new challenge;
 * - a 401 to a request already answered with credentials is the camera refusing them: the run
 *   ends as an authentication failure, and ffmpeg never sees a challenge.
 * The repeated request keeps ffmpeg's CSeq, so the answer matches what ffmpeg waits for.
 * Pure: message heads and bytes in, bytes out; no error message holds a credential.
 */
import { AppError } from '../../lib/errors.ts';
import { basicAuthorization, chooseChallenge, DigestSigner, parseChallenges, type Credentials } from '../native/rtsp/rtsp-auth.ts';

/** A request ffmpeg sent, as the camera last received it (without our Authorization). */
interface SentRequest {
  readonly method: string;
  readonly uri: string;
  /** The head without its blank line and any Authorization header. */
  readonly head: string;
  readonly body: Buffer;
  /** True once it was sent with credentials. */
  signed: boolean;
}

/** What to do with one camera message. */
export type SignerVerdict = { readonly forward: Buffer } | { readonly resend: Buffer };

const CRLF = '\r\n';

/** Header values of `name` in an RTSP head (case-insensitive). */
function headerValues(head: string, name: string): string[] {
  const re = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*?)[ \\t]*$`, 'gim');
  return [...head.matchAll(re)].map((m) => m[1] ?? '');
}

/** Signs ffmpeg's requests for one camera connection (see the module contract). */
export class BridgeSigner {
  readonly #creds: Credentials;
  readonly #allowBasic: boolean;
  readonly #sent = new Map<string, SentRequest>();
  #authorize: ((method: string, uri: string, body: Buffer) => string) | undefined;

  /** `allowBasic`: true over TLS only (Basic sends the password as it is). */
  constructor(creds: Credentials, allowBasic: boolean) {
    this.#creds = creds;
    this.#allowBasic = allowBasic;
  }

  /** A request from ffmpeg (`head` without the blank line, `bytes` the whole message): the bytes to send the camera. */
  request(head: string, bytes: Buffer, bodyStart: number): Buffer {
    const lines = head.split(/\r?\n/);
    const [method = '', uri = ''] = (lines[0] ?? '').split(' ');
    // ffmpeg has no credentials; an Authorization it sent anyway is dropped, ours is the only one.
    const kept = lines.filter((l, i) => i === 0 || !/^authorization[ \t]*:/i.test(l)).join(CRLF);
    const body = bytes.subarray(bodyStart);
    const cseq = headerValues(head, 'cseq')[0];
    const sent: SentRequest = { method, uri, head: kept, body, signed: this.#authorize !== undefined };
    if (cseq !== undefined) this.#sent.set(cseq, sent);
    if (this.#sent.size > 64) this.#sent.delete(this.#sent.keys().next().value!);
    return this.#encode(sent);
  }

  /** A response from the camera: forward it to ffmpeg, or send a signed request again instead. */
  response(head: string, bytes: Buffer): SignerVerdict {
    if (!/^RTSP\/\d\.\d 401\b/.test(head)) return { forward: bytes };
    const cseq = headerValues(head, 'cseq')[0];
    const sent = cseq === undefined ? undefined : this.#sent.get(cseq);
    if (sent === undefined) throw authFailure('the camera answered 401 to a request the bridge did not send');
    const challenges = parseChallenges(headerValues(head, 'www-authenticate'));
    const stale = challenges.some((c) => c.params.get('stale')?.toLowerCase() === 'true');
    if (sent.signed && !stale) throw authFailure('the camera refused the credentials (401)');
    const choice = chooseChallenge(challenges, this.#allowBasic);
    if (choice.scheme === 'none') {
      const basicOnly = challenges.some((c) => c.scheme === 'basic');
      throw basicOnly && !this.#allowBasic
        ? new AppError('CAMERA_UNREACHABLE', 'the camera asked for Basic authentication, which would send the password in clear over rtsp://; refused (use rtsps:// or Digest)', { failure: 'auth', why: 'basic-plaintext' })
        : authFailure(`the camera offers no authentication the bridge can answer (${choice.offered})`);
    }
    if (choice.scheme === 'basic') {
      const value = basicAuthorization(this.#creds);
      this.#authorize = () => value;
    } else {
      const signer = new DigestSigner(choice, this.#creds);
      this.#authorize = (method, uri, body) => signer.authorization(method, uri, body);
    }
    sent.signed = true;
    return { resend: this.#encode(sent) };
  }

  #encode(sent: SentRequest): Buffer {
    if (this.#authorize === undefined) return Buffer.concat([Buffer.from(`${sent.head}${CRLF}${CRLF}`, 'latin1'), sent.body]);
    const [first, ...rest] = sent.head.split(CRLF);
    const auth = `Authorization: ${this.#authorize(sent.method, sent.uri, sent.body)}`;
    const head = [first, auth, ...rest].join(CRLF);
    sent.signed = true;
    return Buffer.concat([Buffer.from(`${head}${CRLF}${CRLF}`, 'latin1'), sent.body]);
  }
}

function authFailure(why: string): AppError {
  return new AppError('CAMERA_UNREACHABLE', `authentication failed: ${why}`, { failure: 'auth', status: 401 });
}
