import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafRecordOf, type AuditInput } from '../audit/audit-event.ts';
import { candidateKindOf, massOutageCameras } from './candidate-kinds.ts';

const leaf = (input: AuditInput) => leafRecordOf(input, { id: 'e', timeMs: 0 }, 1);
const alarm = (rule: string, cameraId?: string) => leaf({ type: 'alarm.raised', actor: { kind: 'system', id: 'system:alarm-rules' }, outcome: 'success', ...(cameraId ? { cameraId } : {}), details: { rule } });

const cases: [string, ReturnType<typeof leaf>, number, string | null][] = [
  ['a lockouts burst is a brute-force candidate, one key for all', alarm('lockouts-burst'), 0, 'brute-force'],
  ['tamper is keyed per camera', alarm('camera-tamper', 'cam-4'), 0, 'tamper:cam-4'],
  ['a refused checkpoint is a ledger-integrity candidate', alarm('checkpoint-refused'), 0, 'ledger-integrity'],
  ['a witness refusing a checkpoint is a ledger-integrity candidate', alarm('witness-refused'), 0, 'ledger-integrity'],
  ['a failing SIEM destination is a SIEM-silence candidate per destination', leaf({ type: 'alarm.raised', actor: { kind: 'system', id: 'system:siem' }, outcome: 'success', target: { kind: 'siem-destination', id: 'soc' }, details: { rule: 'siem-destination-failing' } }), 0, 'siem-silence:soc'],
  ['a storage fault (health) is a candidate', alarm('storage-fault'), 0, 'storage-fault'],
  ['one camera stopping is no outage', alarm('recording-gap', 'cam-1'), 1, null],
  [`${massOutageCameras} cameras stopping together is a mass outage`, alarm('recording-gap', 'cam-3'), massOutageCameras, 'mass-camera-outage'],
  ['a privilege assignment alone raises nothing', alarm('privilege-assigned'), 0, null],
  ['a failed ledger verification is a candidate', leaf({ type: 'audit.verified', actor: { kind: 'cli', id: 'cli:root' }, outcome: 'failure', details: { firstBad: 7 } }), 0, 'ledger-verification-failure'],
  ['a successful verification is not', leaf({ type: 'audit.verified', actor: { kind: 'cli', id: 'cli:root' }, outcome: 'success' }), 0, null],
  ['other events raise nothing', leaf({ type: 'auth.login.failed', actor: { kind: 'anonymous', id: 'anonymous' }, outcome: 'failure' }), 0, null],
];
for (const [name, record, gaps, key] of cases) test(name, () => assert.equal(candidateKindOf(record, gaps)?.dedupKey ?? null, key));
