/**
 * IBM QRadar Log Event Extended Format (LEEF) 2.0 for one committed ledger record.
 *
 * Follows "IBM QRadar Log Event Extended Format (LEEF) Version 2" (the LEEF guide; sections
 * "LEEF event components", "Predefined LEEF event attributes", "Custom event keys",
 * "Custom event date format"; https://www.ibm.com/docs/en/dsm?topic=overview-leef-event-components):
 * - header: `LEEF:2.0|Vendor|Product|Version|EventID|DelimiterCharacter|`, then attributes
 *   `key=value` separated by the declared delimiter. We declare `^` (written as the character,
 *   as in the guide's own example `LEEF:2.0|Lancope|StealthWatch|1.0|41|^|`), so a tab inside a
 *   value is plain data;
 * - predefined keys where one fits: `devTime` with `devTimeFormat`, `cat`, `sev` (1–10), `usrName`;
 *   every other fact under a custom key (the guide allows any key not predefined);
 * - escaping: the guide defines none beyond the delimiter choice, so Custos uses the backslash
 *   convention CEF and LEEF parsers share: in values `\` → `\\`, `^` → `\^`, LF → `\n`,
 *   CR → `\r`; in header fields `\` → `\\`, `|` → `\|` (CR/LF become a space). `=` needs no
 *   escape: an attribute is split at its first `=` and keys never contain one.
 * Values are cut at {@link leefValueLimit} characters before escaping, so no escape is broken.
 */
import { auditCatalogue } from '../audit/catalogue.ts';
import { type LeafRecord } from '../audit/audit-event.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import { type DeviceIdentity } from './device-identity.ts';
import { tenPointSeverity } from './siem-severity.ts';
import { joinWithinBytes, limitChars } from './text-limit.ts';

/** The attribute delimiter Custos declares in the LEEF 2.0 header. */
export const leefDelimiter = '^';

/** Longest value, in characters (the guide sets none; matches CEF's custom-string limit). */
export const leefValueLimit = 4000;

/** Longest header field, in characters. */
export const leefHeaderLimit = 255;

/**
 * `devTimeFormat`, a Java SimpleDateFormat pattern (guide, "Custom event date format");
 * `devTime` is written in it, always in UTC (`+0000`).
 */
export const leefDevTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSZ";

/** Escapes a LEEF header field. */
export function leefEscapeHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ');
}

/** Escapes a LEEF attribute value for the `^` delimiter. */
export function leefEscapeValue(value: string): string {
  return value.replace(/[\\^\r\n]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\${c}`));
}

const keyPattern = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * The LEEF 2.0 line of a committed record (its leaf index is `record.seq`). With `maxBytes`
 * (e.g. `syslogPayloadRoom`) the line fits in that many UTF-8 bytes by dropping trailing
 * attributes, the last kept one perhaps cut (src/siem/text-limit.ts `joinWithinBytes`).
 */
export function leefEvent(record: LeafRecord, device: DeviceIdentity, maxBytes = Infinity): string {
  const header = [
    'LEEF:2.0',
    leefEscapeHeader(limitChars(device.vendor, leefHeaderLimit)),
    leefEscapeHeader(limitChars(device.product, leefHeaderLimit)),
    leefEscapeHeader(limitChars(device.version, leefHeaderLimit)),
    leefEscapeHeader(limitChars(record.type, leefHeaderLimit)),
    leefDelimiter,
  ].join('|');
  const attributes = leefFields(record).map(([key, value]) => {
    if (!keyPattern.test(key)) throw new Error(`invalid LEEF attribute key: ${key}`);
    return [key, limitChars(value, leefValueLimit)] as const;
  });
  return joinWithinBytes(`${header}|`, attributes, leefDelimiter, leefEscapeValue, maxBytes);
}

/** The attributes of a record, in a fixed order (raw values, before limits and escaping). */
export function leefFields(record: LeafRecord): Array<readonly [string, string]> {
  const kind = auditCatalogue[record.type];
  const fields: Array<readonly [string, string]> = [
    ['devTimeFormat', leefDevTimeFormat],
    ['devTime', record.time.replace(/Z$/, '+0000')],
    ['cat', kind.className],
    ['sev', String(tenPointSeverity(record.severity_id))],
    ['usrName', record.actor.id],
    ['actorKind', record.actor.kind],
    ['action', kind.activityName],
    ['outcome', record.outcome],
    ['eventId', record.id],
    ['leafIndex', String(record.seq)],
    ['typeUid', String(record.type_uid)],
  ];
  if (record.target !== undefined) {
    fields.push(['targetKind', record.target.kind], ['targetId', record.target.id]);
    if (record.target.name !== undefined) fields.push(['targetName', record.target.name]);
  }
  if (record.camera_id !== undefined) fields.push(['cameraId', record.camera_id]);
  if (record.correlation_id !== undefined) fields.push(['correlationId', record.correlation_id]);
  if (record.reason !== undefined) fields.push(['reason', record.reason]);
  if (record.details !== undefined) fields.push(['details', canonicalJson(record.details)]);
  return fields;
}
