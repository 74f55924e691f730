import { auditCatalogue, typeUid, type AuditEventType, type EventKind } from './catalogue.ts';
import { alarmRules, type AlarmRule } from './alarm-rules.ts';

const severities: Record<EventKind['severityId'], string> = { 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High', 5: 'Critical' };

/**
 * Renders docs/reference/audit-events.md from the event catalogue and the alarm rules
 * (`npm run audit:catalogue`). `catalogue-doc.test.ts` fails when the committed page differs.
 */
export function renderAuditCatalogueDoc(): string {
  const events = (Object.entries(auditCatalogue) as [AuditEventType, EventKind][]).map(([type, kind]) =>
    row([
      code(type),
      `${kind.classUid} ${kind.className}`,
      `${kind.activityId} ${kind.activityName}`,
      String(typeUid(type)),
      `${kind.severityId} ${severities[kind.severityId]}`,
      kind.emitter,
      kind.description,
    ]),
  );
  const rules = (Object.entries(alarmRules) as [string, AlarmRule][]).map(([id, rule]) =>
    row([code(id), rule.title, rule.on.map(code).join(', '), rule.windowMinutes === undefined ? '–' : String(rule.windowMinutes), rule.description]),
  );
  return [
    '# Audit events',
    '',
    '<!-- Generated from src/audit/catalogue.ts and src/audit/alarm-rules.ts by `npm run audit:catalogue`;',
    '     do not edit by hand: a test fails when this page and the code disagree. -->',
    '',
    'Custos records every security-relevant action as an event in the audit ledger (LOG-1): an',
    'append-only Merkle tree whose signed checkpoints make any change to a past event detectable',
    '(LOG-2). Audit events are not logs: they are kept, verified and exported on their own.',
    '',
    '## What a record holds',
    '',
    'Each event is one **record**. The Merkle leaf is the record\'s canonical JSON (keys sorted, no',
    'whitespace, integers only, in the manner of RFC 8785) in UTF-8, so the tree commits to exactly',
    'that text and a verifier recomputes the leaf from it alone. Absent fields are omitted.',
    '',
    row(['Field', 'Meaning']),
    row(['---', '---']),
    row([code('v'), 'Record version, `1`.']),
    row([code('seq'), 'Leaf index in the ledger, from 0.']),
    row([code('id'), 'Unique event id (UUID).']),
    row([code('time'), 'When it happened: RFC 3339 in UTC with milliseconds, e.g. `2025-01-01T12:00:00.000Z`.']),
    row([code('type'), 'Event type, one of the table below.']),
    row([`${code('class_uid')}, ${code('activity_id')}, ${code('type_uid')}, ${code('severity_id')}`, 'The OCSF classification of the type (below).']),
    row([code('actor'), 'Who did it: `kind` (`user`, `token`, `system`, `cli`, `anonymous`) and a stable pseudonymous `id` such as `user:<uuid>`. The display name is personal and sealed.']),
    row([code('target'), 'What was acted upon: `kind`, `id` and an optional `name`, e.g. `{ "kind": "camera", "id": "…" }`.']),
    row([code('camera_id'), 'The camera concerned, when there is one (indexed for queries).']),
    row([code('outcome'), '`success` or `failure`.']),
    row([code('reason'), 'Why it failed, or why it was done (one line, no secrets).']),
    row([code('correlation_id'), 'Ties the events of one request or job together (the HTTP request id, also on every log line of that request).']),
    row([code('details'), 'Type-specific, non-personal facts.']),
    row([code('personal'), '`subject` and `sha256`: the commitment to the sealed personal fields, absent when the event has none.']),
    '',
    '**Personal fields are never in the record.** The actor\'s display name, the source address and',
    'user agent of the request, and type-specific personal facts (such as for whom an export was',
    'made) are sealed under a key of the person concerned (the `subject`) and stored beside the',
    'record, which carries only the SHA-256 of the sealed bytes. Destroying that key',
    '(crypto-shredding, `custos audit erase-subject`) makes them unreadable while every leaf, and so',
    'the whole tree, still verifies.',
    '',
    '## Event types',
    '',
    'Every type maps to an [OCSF](https://schema.ocsf.io/) class and activity, so export to a SIEM is',
    'a mapping, not a rewrite: `type_uid = class_uid × 100 + activity_id`. Activity 99 is OCSF',
    '"Other"; its name here says which. Severity is OCSF `severity_id`. "Emitted by" names the',
    'module that records the event; "not built" marks events whose emitter comes later but whose',
    'alarm rules already exist. The ledger refuses a type that is not listed here. The full OCSF',
    '1.8.0 event of each record (actor, device, metadata, class attributes) is in [siem.md](siem.md).',
    '',
    row(['Type', 'OCSF class', 'Activity', 'type_uid', 'Severity', 'Emitted by', 'Description']),
    row(['---', '---', '---', '---:', '---', '---', '---']),
    ...events,
    '',
    '## Default alarm rules',
    '',
    'Every record committed to the ledger, by any process, is evaluated against these rules (LOG-6); a rule that fires',
    'records an `alarm.raised` event by `system:alarm-rules` whose `details` give the `rule` id below,',
    'its `title`, `triggeredBy` (the `seq` of the triggering records) and `windowMinutes` for',
    'windowed rules; `target` and `camera_id` name the principal or camera concerned. Windows are',
    'measured on the records\' `time` and include their end. `alarm.raised` records are never',
    'evaluated, so alarms cannot trigger alarms. Rule ids are stable.',
    '',
    row(['Rule', 'Title', 'On', 'Window (min)', 'Fires when']),
    row(['---', '---', '---', '---:', '---']),
    ...rules,
    '',
    'The ledger raises one more alarm itself, `checkpoint-refused` (by `system:audit-ledger`), when',
    'it refuses to sign a checkpoint that does not extend the last one it signed (see',
    '[audit-ledger.md](audit-ledger.md)).',
    '',
    'The health monitor raises `storage-fault` (by `system:health`) once per episode when the',
    'database, the disk or the master key provider cannot take writes: a full disk, an unreachable',
    'database, recording index writes or audit events waiting, a key provider (HSM) that cannot wrap',
    'and unwrap a probe key; `details.problems` lists them. It is written once the ledger',
    'can write again (see [operations.md](../operations.md)). Events held in memory during such an',
    'episode carry `details.occurredAt`, the time they happened; the leaf `time` is when they were written.',
    '',
    'SIEM delivery raises `siem-destination-failing` (by `system:siem`, `target` the destination) once',
    'per episode when a destination has failed for longer than `siem.alarmAfterSeconds`; `reason` is',
    'the last error. The end of such an episode is recorded as `siem.destination.recovered` (see',
    '[siem.md](siem.md)).',
    'The storage replicator raises `storage-zone-lag` (by `system:storage`) once per episode when a',
    'storage zone is further behind than `storage.spool.lagAlarmSeconds`, and `storage-spool-full`',
    'when the copies waiting for zones exceed `storage.spool.maxPendingBytes`; `storage.zone.caught-up`',
    'ends a lag episode. It raises `storage-under-replicated` (`target` the camera) once per episode',
    'when a segment of the camera has been acknowledged by fewer zones than its placement\'s `ack` for',
    'longer than `lagAlarmSeconds`; `storage.camera.caught-up` ends it (see [storage.md](storage.md)).',
    'In a cluster, the recorder that takes a camera whose holder stopped renewing its lease raises',
    '`recorder-failover` (by `system:cluster`, `target` the camera; `details.from`, `to`, `token`) (see',
    '[deployment.md](deployment.md#leases-and-fencing)).',
    'The node that takes the jobs lease after its holder stopped renewing it raises `jobs-failover` (by',
    '`system:cluster`, `target` the node; `details.from`, `to`, `token`) (see',
    '[deployment.md](deployment.md#the-jobs-lease)).',
    '',
  ].join('\n');
}

function code(text: string): string {
  return `\`${text}\``;
}

/** A Markdown table row; a `|` inside a cell is escaped. */
function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
}
