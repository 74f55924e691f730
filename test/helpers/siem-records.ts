/** Committed ledger records for the SIEM format tests, built the way the ledger builds them. */
import { leafRecordOf, type AuditInput, type LeafRecord } from '../../src/audit/audit-event.ts';
import { type AuditEventType } from '../../src/audit/catalogue.ts';
import { type DeviceIdentity } from '../../src/siem/device-identity.ts';

/** Names that break naive CEF, LEEF and syslog writers (the list, plus their mixtures). */
export const awkwardNames: ReadonlyArray<readonly [string, string]> = [
  ['a pipe', 'Lobby | east'],
  ['an equals sign', 'role=admin x=1'],
  ['a backslash', 'C:\\cams\\north\\'],
  ['a newline', 'first line\nsecond line'],
  ['CR LF', 'one\r\ntwo\rthree'],
  ['a tab', 'col1\tcol2'],
  ['a caret', 'x^y^^'],
  ['quotes and brackets', 'say "hi" [x] \\"'],
  ['non-ASCII', 'Überwachung — 監視カメラ 🎥'],
  ['escape look-alikes', '\\n is not a newline, \\= nor \\| nor \\^'],
  ['a trailing space and key-like text', ' cs1=fake act=x '],
  ['everything', '|=\\\n\r\t^"]é🎥 k=v'],
];

export const device: DeviceIdentity = { vendor: 'Custos', product: 'Custos VMS', version: '0.9.0' };

/** A record of `type` whose free-text fields all hold `text`. */
export function recordWith(text: string, seq = 41, type: AuditEventType = 'camera.updated', extra: Partial<AuditInput> = {}): LeafRecord {
  const input: AuditInput = {
    type,
    actor: { kind: 'user', id: `user:${text}` },
    target: { kind: 'user', id: `user:${text}`, name: text },
    cameraId: `cam-${text}`,
    outcome: 'failure',
    reason: text,
    correlationId: `req-${text}`,
    details: { fields: ['name'], note: text },
    ...extra,
  };
  return leafRecordOf(input, { id: '0b7c7a52-6f7e-4a4e-9d55-3c1b0f6f2a10', timeMs: Date.UTC(2026, 11, 7, 3, 4, 5, 678) }, seq);
}
