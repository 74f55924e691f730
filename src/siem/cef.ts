/**
 * ArcSight Common Event Format (CEF) version 0 for one committed ledger record.
 *
 * Follows the CEF implementation standard (Micro Focus, "ArcSight Common Event Format (CEF)
 * Implementation Standard", version 25, 28 September 2017; chapters "What is CEF?" →
 * "CEF: Header and Extension", "Character Encoding", and "ArcSight Extension Dictionary"):
 * - line: `CEF:0|Device Vendor|Device Product|Device Version|Device Event Class ID|Name|Severity|Extension`;
 * - header escaping ("Character Encoding"): `\` → `\\`, `|` → `\|`; nothing else is escaped there,
 *   and CR/LF have no escape in the header, so they become a space (our header values are
 *   configured names and catalogue words, never user text);
 * - extension escaping: `\` → `\\`, `=` → `\=`, LF → `\n`, CR → `\r` (a CR LF pair → `\r\n`);
 *   `|` and spaces need no escape in the extension;
 * - keys are the dictionary's names (alphanumeric, no spaces); lengths are the dictionary's, in
 *   characters, applied before escaping so an escape is never cut (src/siem/text-limit.ts).
 *
 * The record carries no network address (the source address is a sealed personal field), so
 * `src` is never emitted here; user names are sealed too, so `suser` is the pseudonymous actor id.
 */
import { auditCatalogue } from '../audit/catalogue.ts';
import { type LeafRecord } from '../audit/audit-event.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import { type DeviceIdentity } from './device-identity.ts';
import { tenPointSeverity } from './siem-severity.ts';
import { joinWithinBytes, limitChars } from './text-limit.ts';

/** Field lengths from the extension dictionary and the header table (characters). */
export const cefLimits = {
  vendor: 63, product: 63, version: 31, signatureId: 1023, name: 512,
  act: 63, outcome: 63, suser: 1023, duser: 1023, cat: 1023, reason: 1023, externalId: 40,
  customString: 4000, flexString: 1023, label: 1023,
} as const;

/** Escapes a CEF header field ("Character Encoding": pipe and backslash). */
export function cefEscapeHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ');
}

/** Escapes a CEF extension value ("Character Encoding": backslash, equals, CR, LF). */
export function cefEscapeValue(value: string): string {
  return value.replace(/[\\=\r\n]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\${c}`));
}

const keyPattern = /^[A-Za-z0-9]+$/;

/**
 * The CEF line of a committed record (its leaf index is `record.seq`). With `maxBytes` (e.g.
 * `syslogPayloadRoom`) the line fits in that many UTF-8 bytes by dropping trailing
 * extension fields, the last kept one perhaps cut (src/siem/text-limit.ts `joinWithinBytes`).
 */
export function cefEvent(record: LeafRecord, device: DeviceIdentity, maxBytes = Infinity): string {
  const kind = auditCatalogue[record.type];
  const header = [
    'CEF:0',
    cefEscapeHeader(limitChars(device.vendor, cefLimits.vendor)),
    cefEscapeHeader(limitChars(device.product, cefLimits.product)),
    cefEscapeHeader(limitChars(device.version, cefLimits.version)),
    cefEscapeHeader(limitChars(record.type, cefLimits.signatureId)),
    cefEscapeHeader(limitChars(`${kind.className}: ${kind.activityName}`, cefLimits.name)),
    String(tenPointSeverity(record.severity_id)),
  ].join('|');
  const fields = cefFields(record);
  for (const [key] of fields) {
    // MUST: keys are dictionary names; a key with a space or `=` would make the line ambiguous.
    if (!keyPattern.test(key)) throw new Error(`invalid CEF extension key: ${key}`);
  }
  return joinWithinBytes(`${header}|`, fields, ' ', cefEscapeValue, maxBytes);
}

/** The extension pairs of a record, in a fixed order (raw values, limits applied). */
export function cefFields(record: LeafRecord): Array<readonly [string, string]> {
  const kind = auditCatalogue[record.type];
  const fields: Array<readonly [string, string]> = [
    ['rt', String(Date.parse(record.time))],
    ['externalId', limitChars(record.id, cefLimits.externalId)],
    ['cat', limitChars(kind.className, cefLimits.cat)],
    ['act', limitChars(kind.activityName, cefLimits.act)],
    ['outcome', record.outcome],
    ['suser', limitChars(record.actor.id, cefLimits.suser)],
    ['cs1Label', 'eventId'], ['cs1', record.id],
    ['cn1Label', 'leafIndex'], ['cn1', String(record.seq)],
    ['cn2Label', 'typeUid'], ['cn2', String(record.type_uid)],
    ['cs5Label', 'actorKind'], ['cs5', record.actor.kind],
  ];
  if (record.target !== undefined) {
    if (record.target.kind === 'user') fields.push(['duser', limitChars(record.target.id, cefLimits.duser)]);
    fields.push(['cs3Label', 'target'], ['cs3', limitChars(`${record.target.kind}:${record.target.id}`, cefLimits.customString)]);
    if (record.target.name !== undefined) fields.push(['flexString1Label', 'targetName'], ['flexString1', limitChars(record.target.name, cefLimits.flexString)]);
  }
  if (record.camera_id !== undefined) fields.push(['cs2Label', 'cameraId'], ['cs2', limitChars(record.camera_id, cefLimits.customString)]);
  if (record.correlation_id !== undefined) fields.push(['cs4Label', 'correlationId'], ['cs4', limitChars(record.correlation_id, cefLimits.customString)]);
  if (record.reason !== undefined) fields.push(['reason', limitChars(record.reason, cefLimits.reason)]);
  if (record.details !== undefined) {
    // Cut at the dictionary's 4000 characters; the ledger keeps the whole object.
    fields.push(['cs6Label', 'details'], ['cs6', limitChars(canonicalJson(record.details), cefLimits.customString)]);
  }
  return fields;
}
