/**
 * Credential scrubbing for free text: log lines, ffmpeg stderr, error messages (STYLE rule 12).
 * Pure string functions; callers MUST pass every camera-derived line through them before it is
 * logged or stored.
 */

/**
 * `scheme://userinfo@`: the userinfo runs up to the last `@` before the host ends, so an
 * unencoded `@` in a password is still covered. It stops at whitespace, quotes, angle brackets,
 * `/`, `?` and `#`, so a URL inside quotes or JSON is found and a later `@` in a path is not
 * taken for userinfo. Any scheme (rtsp, rtsps, http, https, rtmp…) is covered.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*):\/\/[^\s/?#"'<>`]*@/gi;

/** Replaces the userinfo of every URL in `text` with `***`: `rtsp://a:b@h/x` → `rtsp://***@h/x`. */
export function scrubUrl(text: string): string {
  return text.replace(USERINFO, '$1://***@');
}

/**
 * scrubUrl, then every occurrence of each secret (raw and percent-encoded) replaced by `***`.
 * Secrets are replaced whatever their length: a garbled log line is better than a leaked password.
 */
export function scrubText(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = scrubUrl(text);
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s === null || s === undefined || s === '') continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
  }
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join('***');
  return out;
}
