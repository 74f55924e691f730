/**
 * RFC 5424 syslog messages and RFC 5425 octet-counting frames for committed ledger records.
 *
 * Message (RFC 5424 §6): `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA BOM MSG`
 * - PRI = facility × 8 + severity (§6.2.1); severity from the record (src/siem/siem-severity.ts),
 *   facility 13 "log audit" unless configured;
 * - TIMESTAMP (§6.2.3, RFC 3339): the record's time, UTC with milliseconds;
 * - HOSTNAME ≤ 255, APP-NAME ≤ 48, PROCID ≤ 128, MSGID ≤ 32 (§6.2.4–§6.2.7): PRINTUSASCII
 *   (33–126) only; anything else is dropped, and an empty field is the NILVALUE `-`;
 * - MSGID is the event type (catalogue types are ASCII and at most 32 characters long);
 * - STRUCTURED-DATA (§6.3): one element `[custos@32473 eventId=".." leafIndex=".." …]`; an SD-ID
 *   without `@` is reserved to IANA (§6.3.2) and Custos has no Private Enterprise Number yet, so
 *   the default uses 32473, the number RFC 5612 reserves for documentation: configure your own;
 *   PARAM-VALUE escapes `"`, `\` and `]` with a backslash (§6.3.3);
 * - MSG (§6.4): UTF-8 preceded by the BOM, so a receiver knows the payload is UTF-8.
 * Size: the whole message is kept within `maxOctets` (RFC 5425 §4.3.1: receivers MUST accept
 * 2048 octets and SHOULD accept 8192); only the MSG is ever cut, never the header or the
 * structured data (see {@link syslogPayloadRoom}).
 *
 * Frame (RFC 5425 §4.3, the octet-counting method of RFC 6587 §3.4.1): `MSG-LEN SP SYSLOG-MSG`,
 * MSG-LEN the decimal octet count of the message.
 */
import { type LeafRecord } from '../audit/audit-event.ts';
import { syslogSeverity } from './siem-severity.ts';
import { limitChars, limitEscapedUtf8 } from './text-limit.ts';

/** Who sends the message, and how big it may be. */
export interface SyslogOrigin {
  readonly hostname: string;
  /** Defaults to `custos`. */
  readonly appName?: string;
  /** Usually the process id; NILVALUE when absent. */
  readonly procId?: string;
  /** RFC 5424 facility 0–23; defaults to 13 (log audit). */
  readonly facility?: number;
  /** SD-ID `name@PEN`; defaults to `custos@32473` (documentation PEN, RFC 5612). */
  readonly sdId?: string;
  /** Largest message in octets (without the frame's length prefix); defaults to 8192. */
  readonly maxOctets?: number;
}

/** Facility 13, "log audit" (RFC 5424 §6.2.1, Table 1). */
export const logAuditFacility = 13;
export const defaultSdId = 'custos@32473';
export const defaultMaxOctets = 8192;
const bom = '\uFEFF';

/** Escapes an SD-PARAM value (RFC 5424 §6.3.3). */
export function sdParamEscape(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** PRINTUSASCII only, at most `max` characters, or the NILVALUE. */
function headerField(value: string | undefined, max: number): string {
  const printable = (value ?? '').replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return printable === '' ? '-' : printable;
}

/** SD-NAME: PRINTUSASCII except `=`, SP, `]`, `"`, at most 32 characters (§6.3.2, §6.3.3). */
function sdName(value: string): string {
  if (!/^[\x21-\x7e]{1,32}$/.test(value) || /[= \]"]/.test(value)) throw new Error(`invalid SD-NAME: ${value}`);
  return value;
}

/** Everything before MSG: header, structured data, SP and the BOM (RFC 5424 §6). */
function messageHead(record: LeafRecord, origin: SyslogOrigin): string {
  const facility = origin.facility ?? logAuditFacility;
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) throw new Error(`invalid syslog facility: ${facility}`);
  const pri = facility * 8 + syslogSeverity(record.severity_id);
  const header = [
    `<${pri}>1`,
    record.time,
    headerField(origin.hostname, 255),
    headerField(origin.appName ?? 'custos', 48),
    headerField(origin.procId, 128),
    headerField(record.type, 32),
  ].join(' ');
  const params: Array<readonly [string, string]> = [
    ['eventId', record.id],
    ['leafIndex', String(record.seq)],
    ['typeUid', String(record.type_uid)],
    ['outcome', record.outcome],
  ];
  if (record.correlation_id !== undefined) params.push(['correlationId', limitChars(record.correlation_id, 128)]);
  const sd = `[${sdName(origin.sdId ?? defaultSdId)}${params.map(([k, v]) => ` ${sdName(k)}="${sdParamEscape(v)}"`).join('')}]`;
  return `${header} ${sd} ${bom}`;
}

/**
 * How many UTF-8 bytes of payload fit in the message of `record` within `maxOctets`: pass it to
 * `cefEvent` or `leefEvent` so they drop whole trailing fields instead of being cut blind.
 */
export function syslogPayloadRoom(record: LeafRecord, origin: SyslogOrigin): number {
  const room = (origin.maxOctets ?? defaultMaxOctets) - Buffer.byteLength(messageHead(record, origin), 'utf8');
  if (room < 0) throw new Error(`syslog maxOctets ${origin.maxOctets} leaves no room for the message`);
  return room;
}

/**
 * The RFC 5424 message carrying `payload` (a CEF, LEEF or JSON text) for `record`. A payload
 * longer than {@link syslogPayloadRoom} is cut there (UTF-8 boundary, no dangling escape): a
 * safety net; CEF and LEEF callers pass the room to the encoder so every kept field is whole.
 */
export function syslogMessage(record: LeafRecord, payload: string, origin: SyslogOrigin): Buffer {
  const room = syslogPayloadRoom(record, origin);
  return Buffer.from(messageHead(record, origin) + limitEscapedUtf8(payload, room), 'utf8');
}

/**
 * The RFC 5425 frame of the message for `record` whose payload `payloadFor(room)` makes within
 * `room` bytes: what {@link syslogPayloadRoom}, {@link syslogMessage} and
 * {@link octetCountedFrame} give together, with the header built once (the shipping hot path).
 */
export function syslogFrame(record: LeafRecord, origin: SyslogOrigin, payloadFor: (room: number) => string): Buffer {
  const head = messageHead(record, origin);
  const headBytes = Buffer.byteLength(head, 'utf8');
  const room = (origin.maxOctets ?? defaultMaxOctets) - headBytes;
  if (room < 0) throw new Error(`syslog maxOctets ${origin.maxOctets} leaves no room for the message`);
  const message = head + limitEscapedUtf8(payloadFor(room), room);
  const length = Buffer.byteLength(message, 'utf8');
  return Buffer.from(`${length} ${message}`, 'utf8');
}

/** The RFC 5425 octet-counted frame of a message: `LEN SP MSG`. */
export function octetCountedFrame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}
