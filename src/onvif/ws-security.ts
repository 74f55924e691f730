/**
 * WS-Security UsernameToken with PasswordDigest (OASIS UsernameToken Profile 1.0 §3.1, required
 * by ONVIF Core §5.12): Digest = Base64(SHA-1(nonce ‖ created ‖ password)). The password never
 * crosses the wire; a fresh random nonce and the current time make each header single-use for a
 * device that keeps a nonce cache. SHA-1 is what the profile fixes, not our choice.
 */
import { createHash, randomBytes } from 'node:crypto';
import { escapeXml } from './safe-xml.ts';
import { ns, wsseUri } from './namespaces.ts';

/** The digest of the profile; `nonce` raw bytes, `created` the exact xsd:dateTime string sent. */
export function passwordDigest(nonce: Uint8Array, created: string, password: string): string {
  return createHash('sha1').update(nonce).update(created, 'utf8').update(password, 'utf8').digest('base64');
}

/** A `<wsse:Security>` header for one request made at `nowMs`. */
export function usernameTokenHeader(username: string, password: string, nowMs: number, nonce: Uint8Array = randomBytes(16)): string {
  const created = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const digest = passwordDigest(nonce, created, password);
  return (
    `<wsse:Security xmlns:wsse="${ns.wsse}" xmlns:wsu="${ns.wsu}" s:mustUnderstand="1">` +
    `<wsse:UsernameToken><wsse:Username>${escapeXml(username)}</wsse:Username>` +
    `<wsse:Password Type="${wsseUri.passwordDigest}">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${wsseUri.base64Binary}">${Buffer.from(nonce).toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}
