/**
 * Vendor firmware version strings, parsed and ordered for advisory matching (AST-4; rules in
 * docs/reference/onboarding.md "Version rules" and ADR 0032).
 *
 * Camera firmware strings are not semver: "V5.7.3 build 220315", "2.800.0000000.25.R",
 * "v2.4.1-beta2", "IPC_5.4.0 B190520". The rules:
 * - Text is NFKC-folded, lower-cased and trimmed. A leading word without digits ("V", "version",
 *   "fw", "firmware", "IPC_") is not part of the version.
 * - The **release** is the first run of dot-separated numbers ("5.7.3"); trailing zero parts
 *   do not count ("5.7" = "5.7.0"); parts compare as numbers (leading zeros ignored).
 * - A **pre-release** tag right after the release ("-beta2", "rc1", "alpha", "b2" but not "b190520"
 *   nor a bare letter: "5.7.3a" is 5.7.3) orders before the
 *   release itself; tags compare by their letters, then their number.
 * - A **build** ("build 220315", "b190520", "Build:220315", "(build 42)") is compared only when
 *   both sides carry one: "5.7.3" equals "5.7.3 build 220315" (an advisory naming the release
 *   covers every build of it), while "5.7.3 build 220315" < "5.7.3 build 220401".
 * - Anything else after the release ("R", "_IPC", a date) is ignored for ordering.
 * - A string without digits has no order: it only equals itself (case-insensitively).
 */

/** A parsed firmware version; `release` is empty when the string holds no number. */
export interface FirmwareVersion {
  readonly text: string;
  readonly release: readonly number[];
  /** Pre-release letters and number, or null for a release. */
  readonly pre: { readonly tag: string; readonly n: number } | null;
  readonly build: number | null;
}

const preTags = /^[-_.\s]?(?:(alpha|beta|rc|pre|preview)[-_.]?(\d*)|(a|b)(\d{1,4}))(?![a-z\d])/;
const buildPattern = /(?:\bbuild|\bbld|\bb)[\s:#._-]*(\d{1,12})\b/;

/** Parses a firmware string (never throws). */
export function parseFirmwareVersion(input: string): FirmwareVersion {
  const text = input.normalize('NFKC').toLowerCase().trim();
  const m = /(\d+(?:\.\d+)*)/.exec(text);
  if (m === null) return { text, release: [], pre: null, build: null };
  const release = m[1]!.split('.').map((p) => Number.parseInt(p, 10));
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const after = text.slice(m.index + m[1]!.length);
  const p = preTags.exec(after);
  // A lone "a"/"b" is a pre-release only with a short number ("b2"); "b190520" is a build.
  const tag = p === null ? null : (p[1] ?? (p[3] === 'a' ? 'alpha' : 'beta'));
  const num = p === null ? '' : (p[2] ?? p[4] ?? '');
  const pre = tag === null ? null : { tag, n: num === '' ? 0 : Number.parseInt(num, 10) };
  const b = buildPattern.exec(pre === null ? after : after.slice(p![0].length));
  return { text, release, pre, build: b === null ? null : Number.parseInt(b[1]!, 10) };
}

/**
 * Orders two versions: negative, 0 or positive; null when they cannot be ordered (a side without
 * a release and different text).
 */
export function compareFirmware(a: FirmwareVersion, b: FirmwareVersion): number | null {
  if (a.release.length === 0 || b.release.length === 0) return a.text === b.text ? 0 : null;
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i += 1) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (a.pre !== null || b.pre !== null) {
    if (a.pre === null) return 1;
    if (b.pre === null) return -1;
    if (a.pre.tag !== b.pre.tag) return a.pre.tag < b.pre.tag ? -1 : 1;
    if (a.pre.n !== b.pre.n) return Math.sign(a.pre.n - b.pre.n);
  }
  if (a.build !== null && b.build !== null && a.build !== b.build) return Math.sign(a.build - b.build);
  return 0;
}

/** {@link compareFirmware} over strings. */
export function compareFirmwareText(a: string, b: string): number | null {
  return compareFirmware(parseFirmwareVersion(a), parseFirmwareVersion(b));
}
