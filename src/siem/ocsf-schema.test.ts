// Checks the OCSF mapping of EVERY catalogued audit event type against the released OCSF 1.8.0
// schema, read in place from the shared test data beside the clone (never copied into the repository).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { leafRecordOf, type AuditInput, type LeafRecord } from '../audit/audit-event.ts';
import { auditCatalogue, type AuditEventType } from '../audit/catalogue.ts';
import { toOcsf, type OcsfProduct } from './ocsf.ts';

/** The shared test data sits beside the repository (as in CI); CUSTOS_TEST_OCSF_SCHEMA overrides it. */
const SCHEMA = (process.env.CUSTOS_TEST_OCSF_SCHEMA ?? fileURLToPath(new URL('../../../shared/testdata/ocsf-schema-1.8.0/', import.meta.url))).replace(/\/?$/, '/');
/** Third-party reference data is not part of the repository: where it is absent the suite says so and is skipped (CI always has it). */
const absent = existsSync(`${SCHEMA}dictionary.json`) ? false : `the OCSF 1.8.0 schema is not at ${SCHEMA}: put the shared test data beside the repository or set CUSTOS_TEST_OCSF_SCHEMA`;

type Json = Record<string, unknown>;
type AttrDef = { profile?: string | undefined; requirement?: string; type?: string; is_array?: boolean; object_type?: string; enum?: Json; caption?: string };
type Attrs = Record<string, AttrDef>;
interface Shape { attrs: Attrs; atLeastOne: string[] }

const read = (path: string): Json => JSON.parse(readFileSync(`${SCHEMA}${path}`, 'utf8')) as Json;

/** The schema as the test needs it: classes by uid (attributes merged down the extends chain), objects, dictionary. */
function loadSchema() {
  const dictionary = read('dictionary.json');
  const dictAttrs = dictionary['attributes'] as Attrs;
  const types = (dictionary['types'] as Json)['attributes'] as Record<string, { type?: string }>;
  const categories = (read('categories.json')['attributes']) as Record<string, { uid: number; caption: string }>;
  const eventFiles = new Map<string, Json>();
  for (const f of readdirSync(`${SCHEMA}events`, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'))) {
    const json = read(`events/${f}`);
    eventFiles.set(json['name'] as string, json);
  }
  /** Own attributes of a file, with its `$include`d files (profiles) merged in. */
  const own = (json: Json): Attrs => {
    const attrs: Attrs = {};
    const raw = (json['attributes'] ?? {}) as Record<string, unknown>;
    // Attributes a profile adds apply only to events that declare the profile (metadata.profiles).
    for (const inc of (raw['$include'] ?? []) as string[]) {
      const profile = inc.startsWith('profiles/') ? (read(inc)['name'] as string) : undefined;
      for (const [k, v] of Object.entries(own(read(inc)))) attrs[k] = { ...v, profile };
    }
    // A file's own definition of an attribute makes it part of the class, whatever profile also adds it.
    for (const [k, v] of Object.entries(raw)) if (k !== '$include') attrs[k] = { ...attrs[k], ...(v as AttrDef), profile: undefined };
    return attrs;
  };
  const chain = (name: string, files: (n: string) => Json): Json[] => {
    const json = files(name);
    const parent = json['extends'] as string | undefined;
    return parent !== undefined && parent !== 'object' ? [...chain(parent, files), json] : [json];
  };
  const merge = (jsons: Json[]): Attrs => {
    const attrs: Attrs = {};
    for (const j of jsons) {
      for (const [k, v] of Object.entries(own(j))) {
        // A profile re-adding an attribute an ancestor defines does not make it profile-only.
        const profile = v.profile !== undefined && attrs[k] !== undefined && attrs[k].profile === undefined ? undefined : v.profile;
        attrs[k] = { ...attrs[k], ...v, profile, enum: { ...attrs[k]?.enum, ...v.enum } };
      }
    }
    return attrs;
  };
  const classes = new Map<number, { name: string; caption: string; categoryUid: number; attrs: Attrs }>();
  for (const [name, json] of eventFiles) {
    if (typeof json['uid'] !== 'number') continue;
    const jsons = chain(name, (n) => eventFiles.get(n) ?? assert.fail(`event class ${n} missing`));
    const category = jsons.map((j) => j['category'] as string | undefined).filter((c) => c !== undefined).at(-1) ?? 'other';
    const categoryUid = categories[category]?.uid ?? 0;
    classes.set(categoryUid * 1000 + json['uid'], { name, caption: json['caption'] as string, categoryUid, attrs: merge(jsons) });
  }
  const objects = new Map<string, Shape>();
  const objectShape = (name: string): Shape => {
    let shape = objects.get(name);
    if (shape === undefined) {
      const jsons = chain(name, (n) => read(`objects/${n}.json`));
      const atLeastOne = jsons.flatMap((j) => ((j['constraints'] as Json | undefined)?.['at_least_one'] as string[] | undefined) ?? []);
      const last = jsons.at(-1)?.['constraints'] as Json | undefined;
      shape = { attrs: merge(jsons), atLeastOne: (last?.['at_least_one'] as string[] | undefined) ?? atLeastOne };
      objects.set(name, shape);
    }
    return shape;
  };
  /** The base type of a dictionary type: timestamp_t is a long_t, ip_t a string_t... */
  const baseType = (t: string): string => types[t]?.type ?? t;
  return { dictAttrs, classes, objectShape, baseType };
}

const schema = absent ? undefined : loadSchema();

/** Problems with `value` against attribute `name` defined as `def` (dictionary merged with class/object overrides). */
function check(path: string, value: unknown, def: AttrDef): string[] {
  const s = schema!;
  if (def.is_array === true) {
    if (!Array.isArray(value)) return [`${path} must be an array`];
    return value.flatMap((v, i) => check(`${path}[${i}]`, v, { ...def, is_array: false }));
  }
  const type = def.type ?? '';
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value) ? [] : [`${path} must be an object`];
  if (type.endsWith('_t')) {
    const base = s.baseType(type);
    const ok =
      base === 'string_t' ? typeof value === 'string'
      : base === 'integer_t' || base === 'long_t' ? Number.isSafeInteger(value)
      : base === 'float_t' ? typeof value === 'number'
      : base === 'boolean_t' ? typeof value === 'boolean'
      : true; // json_t: any
    if (!ok) return [`${path} must be ${type} (${base}), got ${JSON.stringify(value)}`];
    if (def.enum !== undefined && Object.keys(def.enum).length > 0 && !Object.hasOwn(def.enum, String(value))) return [`${path} = ${String(value)} is not in its enum`];
    return [];
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path} must be a ${type} object`];
  return checkShape(path, value as Json, s.objectShape(type));
}

const CLASSIFICATION = new Set(['class_uid', 'category_uid', 'activity_id', 'type_uid']);

/** Problems of an object or event against a shape: required present, at-least-one met, every attribute known and typed. */
function checkShape(path: string, value: Json, shape: Shape, profiles: readonly string[] = []): string[] {
  const s = schema!;
  const problems: string[] = [];
  for (const [name, def] of Object.entries(shape.attrs)) {
    const applies = def.profile === undefined || profiles.includes(def.profile);
    if (def.requirement === 'required' && applies && value[name] === undefined) problems.push(`${path}.${name} is required`);
  }
  if (shape.atLeastOne.length > 0 && !shape.atLeastOne.some((a) => value[a] !== undefined)) problems.push(`${path} needs one of ${shape.atLeastOne.join(', ')}`);
  for (const [name, v] of Object.entries(value)) {
    const local = shape.attrs[name];
    if (local === undefined || (local.profile !== undefined && !profiles.includes(local.profile))) {
      problems.push(`${path}.${name} is not an attribute here`);
      continue;
    }
    const dict = s.dictAttrs[name] ?? {};
    // The classification uids carry only placeholder enums in the source schema; the test checks them against the class itself.
    if (CLASSIFICATION.has(name)) continue;
    problems.push(...check(`${path}.${name}`, v, { ...dict, ...local, enum: { ...dict.enum, ...local.enum } }));
  }
  return problems;
}

const PRODUCT: OcsfProduct = { version: '0.1.0', vendorName: 'Custos project', hostname: 'vms-1.example.org', hostUid: 'host-7c1e' };

const user = { kind: 'user', id: 'user:0b7e5f3e-2a44-4c1f-9e1d-2f6b9a1c3d11', name: 'Alice Example' } as const;
const ledger = { kind: 'system', id: 'system' } as const;
const recorder = { kind: 'system', id: 'system:recorder' } as const;
const recovery = { kind: 'system', id: 'system:recovery' } as const;
const cli = { kind: 'cli', id: 'cli:root' } as const;
const anonymous = { kind: 'anonymous', id: 'anonymous' } as const;
const token = { kind: 'token', id: 'token:t1' } as const;
const source = { address: '192.0.2.10', userAgent: 'Mozilla/5.0' } as const;
const camera = { kind: 'camera', id: 'cam-1', name: 'Gate' } as const;
const segment = { kind: 'segment', id: 'seg-9' } as const;
const other = { kind: 'user', id: 'user:b2' } as const;
const exported = { kind: 'export', id: 'exp-3' } as const;

/** A realistic input for every catalogued type, actor, target and details as the emitters write them (a new type needs one here). */
const FIXTURES: { readonly [T in AuditEventType]: Omit<AuditInput, 'type' | 'outcome'> & { readonly outcome?: AuditInput['outcome'] } } = {
  'audit.ledger.started': { actor: ledger, details: { treeSize: 41 } },
  'audit.ledger.stopped': { actor: ledger },
  'audit.ledger.heartbeat': { actor: ledger },
  'audit.events.read': { actor: user, source, details: { filter: 'type=auth.login.failed', returned: 20 } },
  'audit.verified': { actor: cli, details: { size: 1200, firstBad: null } },
  'audit.subject.erased': { actor: cli, target: { kind: 'subject', id: 'subject:9' } },
  'audit.witness.cosigned': { actor: ledger, target: { kind: 'witness', id: 'witness.example/w1' }, details: { witness: 'witness.example/w1', host: 'witness.example:8444', size: 12 } },
  'audit.witness.refused': { actor: ledger, target: { kind: 'witness', id: 'witness.example/w1' }, outcome: 'failure', reason: 'the witness holds another root', details: { witness: 'witness.example/w1', host: 'witness.example:8444', size: 12, status: 409 } },
  'camera.created': { actor: user, source, target: camera, cameraId: 'cam-1' },
  'camera.updated': { actor: user, source, target: camera, cameraId: 'cam-1', details: { changed: ['url', 'credentials'] } },
  'camera.deleted': { actor: user, source, target: camera, cameraId: 'cam-1' },
  'camera.auth.failed': { actor: recorder, target: camera, cameraId: 'cam-1', outcome: 'failure', reason: 'RTSP 401' },
  'camera.tamper': { actor: recorder, target: camera, cameraId: 'cam-1', details: { kind: 'covered' } },
  'camera.discovered': { actor: user, source, details: { interfaceAddress: '10.0.0.1', unicast: [], found: [{ endpoint: 'urn:uuid:1', xaddrs: ['http://10.0.0.2/onvif/device_service'] }] } },
  'camera.identified': { actor: user, source, target: camera, cameraId: 'cam-1', details: { vendor: 'Acme', model: 'A1', firmware: '1.0', mac: '44:19:b6:00:00:01', oui: '44:19:b6', vetting: 'flagged', likelyRelabel: true, matches: [{ by: 'oui', entryId: 'hikvision' }] } },
  'camera.quarantined': { actor: user, source, target: camera, cameraId: 'cam-1', reason: 'likely relabel', details: { vetting: 'flagged' } },
  'camera.risk.accepted': { actor: user, source, target: camera, cameraId: 'cam-1', details: { approvalId: 'ap-1', requestedBy: 'user:b2', untilMs: 2 } },
  'camera.asset.updated': { actor: user, source, target: camera, cameraId: 'cam-1', details: { changed: ['location'] } },
  'camera.ptz.session.started': { actor: user, source, target: camera, cameraId: 'cam-1', details: { pan: '0.5', tilt: '0', zoom: '0', timeoutMs: 1000 } },
  'camera.ptz.session.ended': { actor: user, source, target: camera, cameraId: 'cam-1', details: { reason: 'stop', moves: 4, durationMs: 2300 } },
  'camera.ptz.preset.set': { actor: user, source, target: camera, cameraId: 'cam-1', details: { name: 'Door', token: 'preset-1', replaced: false } },
  'camera.ptz.preset.goto': { actor: user, source, target: camera, cameraId: 'cam-1', details: { token: 'preset-1' } },
  'camera.sbom.attached': { actor: user, source, target: camera, cameraId: 'cam-1', details: { format: 'CycloneDX', specVersion: '1.6', bytes: 5120, sha256: 'cd'.repeat(32), components: 12 } },
  'firmware.key.trusted': { actor: cli, target: { kind: 'firmware-key', id: 'acme-2026' }, details: { vendor: 'Acme', keyType: 'ed25519' } },
  'firmware.release.imported': { actor: cli, target: { kind: 'firmware-release', id: 'Acme/2.4.1' }, details: { vendor: 'Acme', modelPattern: 'AO-*', version: '2.4.1', sha256: 'ab'.repeat(32), keyId: 'acme-2026' } },
  'firmware.image.verified': { actor: cli, target: { kind: 'firmware-image', id: 'ab'.repeat(32) }, details: { vendor: 'Acme', version: '2.4.1', sha256: 'ab'.repeat(32), keyId: 'acme-2026' } },
  'firmware.image.pushed': { actor: user, source, target: camera, cameraId: 'cam-1', details: { vendor: 'Acme', model: 'AO-200', version: '2.4.1', sha256: 'ab'.repeat(32), keyId: 'acme-2026' } },
  'advisory.imported': { actor: cli, target: { kind: 'advisory', id: 'csaf:https://psirt.acme.example:ACME-SA-2026-0042', name: 'RTSP overflow' }, details: { source: 'acme-sa-0042.json', change: 'new', format: 'csaf', cves: ['CVE-2026-41234'], severity: 'critical', products: 1 } },
  'camera.advisory.matched': { actor: cli, target: camera, cameraId: 'cam-1', reason: 'ACME-SA-2026-0042 affects Acme AO-200 firmware 2.4.1', details: { advisoryId: 'csaf:x:ACME-SA-2026-0042', cves: ['CVE-2026-41234'], severity: 'critical', firmware: '2.4.1', range: '>=2.0 <2.4.2', fixedIn: ['2.4.2'] } },
  'camera.advisory.cleared': { actor: { kind: 'system', id: 'system:advisories' }, target: camera, cameraId: 'cam-1', reason: 'firmware is now 2.4.2', details: { advisoryId: 'csaf:x:ACME-SA-2026-0042', firmware: '2.4.1' } },
  'recording.interrupted': { actor: recorder, cameraId: 'cam-1', outcome: 'failure', reason: 'stream ended' },
  'recording.resumed': { actor: recorder, cameraId: 'cam-1', details: { gapMs: 12000 } },
  'recording.space.stopped': { actor: { kind: 'system', id: 'system:space-guard' }, reason: 'free space below the watermark', details: { path: '/data/segments', freeBytes: 1024 } },
  'residency.configured': { actor: { kind: 'system', id: 'system:residency' }, details: { hash: 'ab'.repeat(32), previousHash: null, allowed: ['EU'], locations: [{ kind: 'database', id: 'sqlite', jurisdiction: 'DE', outbound: false }] } },
  'recording.space.resumed': { actor: { kind: 'system', id: 'system:space-guard' }, details: { path: '/data/segments', freeBytes: 1 << 30 } },
  'footage.segment.sealed': { actor: recorder, target: segment, cameraId: 'cam-1', details: { sha256: 'cd'.repeat(32), startMs: 1, endMs: 2 } },
  'footage.deleted': { actor: { kind: 'system', id: 'system:retention' }, cameraId: 'cam-1', details: { segments: 12 } },
  'footage.damaged': { actor: recovery, target: segment, cameraId: 'cam-1', details: { bytesCut: 1024 } },
  'footage.reindexed': { actor: recovery, target: segment, cameraId: 'cam-1' },
  'footage.quarantined': { actor: recovery, details: { objects: 2 } },
  'footage.live.viewed': { actor: user, source, target: camera, cameraId: 'cam-1' },
  'footage.played': { actor: user, source, target: camera, cameraId: 'cam-1', details: { fromMs: 1, toMs: 2 } },
  'footage.bookmark.created': { actor: user, source, target: { kind: 'bookmark', id: 'b-1' }, cameraId: 'cam-1', details: { bookmarkId: 'b-1', from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T00:01:00.000Z' }, personal: { note: 'red van at the gate' } },
  'footage.bookmark.deleted': { actor: user, source, target: { kind: 'bookmark', id: 'b-1' }, cameraId: 'cam-1', details: { bookmarkId: 'b-1', from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T00:01:00.000Z' } },
  'footage.hold.placed': { actor: user, source, target: { kind: 'bookmark', id: 'b-1' }, cameraId: 'cam-1', reason: 'case 2026-113', details: { bookmarkId: 'b-1', from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T00:01:00.000Z' } },
  'footage.hold.released': { actor: user, source, target: { kind: 'bookmark', id: 'b-1' }, cameraId: 'cam-1', reason: 'case closed', details: { bookmarkId: 'b-1', heldBy: 'user:u-1' } },
  'footage.export.requested': { actor: user, source, target: exported, cameraId: 'cam-1', details: { purpose: 'incident 7' }, personal: { requestedFor: 'Police officer X' } },
  'footage.export.completed': { actor: { kind: 'system', id: 'system:exports' }, target: exported, cameraId: 'cam-1', details: { sha256: 'ef'.repeat(32) } },
  'footage.export.downloaded': { actor: token, source, target: exported, cameraId: 'cam-1' },
  'key.rotated': { actor: cli, details: { version: 2 } },
  'key.retired': { actor: cli, details: { version: 1 } },
  'system.backup.created': { actor: cli, target: { kind: 'backup', id: 'b-1' }, details: { engine: 'sqlite', ledgerSize: 10, keyIncluded: false } },
  'system.restore.completed': { actor: cli, target: { kind: 'backup', id: 'b-1' }, details: { ledgerSize: 10, publishedCheckpoint: 'behind', missingLeaves: 4 } },
  'auth.login.succeeded': { actor: user, source, target: { kind: 'user', id: user.id }, details: { method: 'password', mfa: true } },
  'auth.login.failed': { actor: anonymous, source, outcome: 'failure', reason: 'local: wrong password' },
  'auth.logout': { actor: user, source, target: { kind: 'user', id: user.id }, details: { everywhere: false, sessions: 1 } },
  'auth.lockout': { actor: anonymous, source, details: { failures: 10 } },
  'auth.mfa.enrolled': { actor: user, source, target: { kind: 'user', id: user.id }, details: { factor: 'totp', recoveryCodesIssued: true } },
  'auth.token.created': { actor: user, source, target: { kind: 'token', id: 'token:t1' }, details: { owner: user.id, permissions: ['camera.read'], expiresMs: 5 } },
  'auth.token.revoked': { actor: user, source, target: { kind: 'token', id: 'token:t1' }, details: { owner: user.id } },
  'account.created': { actor: user, source, target: other, details: { kind: 'local', external: false } },
  'account.password.changed': { actor: user, source, target: { kind: 'user', id: user.id } },
  'account.reset': { actor: cli, target: other, details: { password: true, factors: true } },
  'account.disabled': { actor: user, source, target: other },
  'account.enabled': { actor: user, source, target: other },
  'access.grant.created': { actor: user, source, target: other, details: { role: 'operator', scope: 'site:hq', privileged: false } },
  'access.grant.revoked': { actor: user, source, target: other, details: { role: 'operator', scope: 'site:hq' } },
  'access.denied': { actor: token, source, outcome: 'failure', reason: 'permission missing', details: { method: 'GET', route: '/api/v1/cameras', permission: 'camera.read', refused: 3, windowSeconds: 60 } },
  'access.approval.requested': { actor: user, source, target: { kind: 'approval', id: 'ap-1' }, cameraId: 'cam-1', details: { action: 'export' } },
  'access.approval.decided': { actor: user, source, target: { kind: 'approval', id: 'ap-1' }, cameraId: 'cam-1', details: { action: 'export', approve: true } },
  'site.saved': { actor: user, source, target: { kind: 'site', id: 'site-1', name: 'HQ' } },
  'group.saved': { actor: user, source, target: { kind: 'group', id: 'group-1', name: 'Doors' } },
  'clock.stepped': { actor: { kind: 'system', id: 'system:clock' }, details: { stepMs: 93000 } },
  'siem.destinations.changed': { actor: { kind: 'system', id: 'system:siem' }, details: { sha256: 'ab'.repeat(32), previousSha256: null, destinations: [] } },
  'siem.destination.recovered': { actor: { kind: 'system', id: 'system:siem' }, target: { kind: 'siem-destination', id: 'soc' }, details: { failedForSeconds: 400 } },
  'siem.events.dead-lettered': { actor: { kind: 'system', id: 'system:siem' }, outcome: 'failure', target: { kind: 'siem-destination', id: 'soc' }, reason: 'HTTP 400', details: { seqs: [7], eventIds: ['e7'] } },
  'siem.heartbeat': { actor: { kind: 'system', id: 'system:siem' }, target: { kind: 'siem-destination', id: 'soc' }, details: { nextSeq: 12, checkpointSize: 12, checkpointRoot: 'cd'.repeat(32), checkpointNote: 'note' } },
  'storage.zones.changed': { actor: { kind: 'system', id: 'system:storage' }, details: { before: null, after: { recordingZone: 'local' } } },
  'storage.zone.caught-up': { actor: { kind: 'system', id: 'system:storage' }, target: { kind: 'storage-zone', id: 'offsite' }, details: { zone: 'offsite', copiedObjects: 120, copiedBytes: 4_000_000 } },
  'storage.camera.caught-up': { actor: { kind: 'system', id: 'system:storage' }, target: { kind: 'camera', id: '3f0c9a1e-0000-4000-8000-000000000001' }, details: { cameraId: '3f0c9a1e-0000-4000-8000-000000000001', unacknowledged: 1 } },
  'storage.copy.repaired': { actor: { kind: 'system', id: 'system:storage' }, target: segment, cameraId: 'cam-1', details: { zone: 'offsite', problem: 'damaged', from: 'local', sha256: 'ab'.repeat(32) } },
  'storage.copy.unrepairable': { actor: { kind: 'system', id: 'system:storage' }, target: segment, cameraId: 'cam-1', details: { zone: 'offsite', problem: 'missing' } },
  'storage.scrub.completed': { actor: cli, details: { checked: 40, missing: 1, damaged: 1, repaired: 2 } },
  'alarm.raised': { actor: { kind: 'system', id: 'system:alarms' }, details: { rule: 'LOG-6 repeated login failures', events: [3, 4, 5] } },
  'alarm.updated': { actor: user, source, target: { kind: 'alarm', id: '17' }, details: { action: 'acknowledge', status: 'acknowledged' } },
  'incident.candidate.raised': { actor: { kind: 'system', id: 'system:incidents' }, target: { kind: 'incident-candidate', id: 'cand-1' }, details: { kind: 'brute-force', alarms: [17] } },
  'incident.candidate.decided': { actor: user, source, target: { kind: 'incident-candidate', id: 'cand-1' }, details: { decision: 'qualify', incidentId: 'inc-1' } },
  'incident.created': { actor: user, source, target: { kind: 'incident', id: 'inc-1' }, details: { aware: '2026-12-07T03:00:00.000Z', sha256: 'ab'.repeat(32) } },
  'incident.updated': { actor: user, source, target: { kind: 'incident', id: 'inc-1' }, details: { fields: ['rootCause'], sha256: 'ab'.repeat(32) } },
  'incident.report.generated': { actor: user, source, target: { kind: 'incident', id: 'inc-1' }, details: { stage: 'final', format: 'pdf', sha256: 'ab'.repeat(32) } },
  'incident.report.submitted': { actor: user, source, target: { kind: 'incident', id: 'inc-1' }, details: { stage: 'early-warning', sha256: 'ab'.repeat(32) } },
  'vault.fsck.completed': { actor: cli, details: { objects: 12, chunks: 300, corrupt: 0 } },
  'governance.requirement.updated': { actor: user, source, target: { kind: 'requirement', id: 'iso27001-A.8.24' }, details: { requirement: 'iso27001-A.8.24', changed: ['status'] } },
  'governance.document.registered': { actor: user, source, target: { kind: 'document', id: 'doc-1' }, details: { kind: 'policy', sha256: 'ab'.repeat(32) } },
  'governance.approval.recorded': { actor: user, source, target: { kind: 'document', id: 'doc-1' }, details: { documentSha256: 'ab'.repeat(32), kind: 'policy-approval' } },
  'governance.training.attested': { actor: user, source, target: { kind: 'training', id: 'training-1' }, details: { course: 'NIS2 for boards', completedOn: '2026-11-30' } },
  'governance.retention.justified': { actor: user, source, target: { kind: 'camera', id: 'cam-1' }, cameraId: 'cam-1', details: { justification: 'court order' } },
  'governance.bundle.exported': { actor: user, source, target: { kind: 'governance-bundle', id: 'bundle-1' }, details: { kind: 'evidence', statementSha256: 'cd'.repeat(32) } },
};

function inputOf(type: AuditEventType): AuditInput {
  return { outcome: 'success', correlationId: 'req-42', ...FIXTURES[type], type };
}

function recordOf(type: AuditEventType, seq: number): LeafRecord {
  const input = inputOf(type);
  return leafRecordOf(input, { id: `0190c6a4-0000-7000-8000-${String(seq).padStart(12, '0')}`, timeMs: Date.UTC(2026, 11, 7, 3, 0, seq), personal: { subject: 'subject:9', sha256: 'ab'.repeat(32) } }, seq);
}

const types = Object.keys(auditCatalogue) as AuditEventType[];

describe('OCSF 1.8.0 mapping of the audit catalogue', { skip: absent }, () => {
  types.forEach((type, seq) => {
    test(`${type} maps to an OCSF 1.8.0 event that the released schema accepts`, () => {
      const s = schema!;
      const record = recordOf(type, seq);
      const event = toOcsf(record, PRODUCT) as unknown as Json;
      const cls = s.classes.get(event['class_uid'] as number);
      assert.ok(cls, `class_uid ${String(event['class_uid'])} is not an OCSF 1.8.0 class`);
      assert.equal(event['class_name'], cls.caption, 'the catalogue names the class as the schema does');
      assert.equal(event['category_uid'], cls.categoryUid);
      const activities = cls.attrs['activity_id']?.enum ?? {};
      const activityId = String(event['activity_id']);
      assert.ok(Object.hasOwn(activities, activityId), `activity_id ${activityId} is not defined for ${cls.name}`);
      if (activityId !== '99') assert.equal(event['activity_name'], (activities[activityId] as AttrDef).caption, 'the catalogue names the activity as the schema does');
      assert.equal(event['type_uid'], (event['class_uid'] as number) * 100 + (event['activity_id'] as number));
      const profiles = ((event['metadata'] as Json)['profiles'] ?? []) as string[];
      assert.deepEqual(checkShape(cls.name, event, { attrs: cls.attrs, atLeastOne: [] }, profiles), []);
      // The leaf index, the event id and the time survive the mapping.
      const metadata = event['metadata'] as Json;
      assert.equal(metadata['sequence'], seq);
      assert.equal(metadata['uid'], record.id);
      assert.equal(metadata['version'], '1.8.0');
      assert.equal(event['time'], Date.parse(record.time));
    });
  });

  test('an event with an opened source address is still accepted by the schema', () => {
    const event = toOcsf(recordOf('footage.played', 1), PRODUCT, { sourceAddress: '198.51.100.4' }) as unknown as Json;
    assert.deepEqual(checkShape('datastore_activity', event, { attrs: schema!.classes.get(6005)!.attrs, atLeastOne: [] }, ['host']), []);
  });

  test('a sign-in names its protocol and whether MFA was verified', () => {
    const password = toOcsf(recordOf('auth.login.succeeded', 0), PRODUCT);
    assert.equal(password['auth_protocol_id'], 99);
    assert.equal(password['auth_protocol'], 'password');
    assert.equal(password['is_mfa'], true);
    const oidc = { ...recordOf('auth.login.succeeded', 0), details: { method: 'oidc+totp', mfa: true } };
    assert.equal(toOcsf(oidc, PRODUCT)['auth_protocol_id'], 4);
    assert.deepEqual(checkShape('authentication', toOcsf(oidc, PRODUCT) as unknown as Json, { attrs: schema!.classes.get(3002)!.attrs, atLeastOne: [] }, ['host']), []);
  });

});

// The mapping itself, without the schema (runs everywhere).
describe('OCSF mapping of a ledger record', () => {
  test('no sealed personal field reaches the OCSF event, and a source address appears only when the caller passes it', () => {
    for (const [seq, type] of types.entries()) {
      const text = JSON.stringify(toOcsf(recordOf(type, seq), PRODUCT));
      for (const personal of ['Alice Example', '192.0.2.10', 'Mozilla/5.0', 'Police officer X']) assert.ok(!text.includes(personal), `${type} leaks ${personal}`);
    }
    assert.deepEqual(toOcsf(recordOf('footage.played', 1), PRODUCT, { sourceAddress: '198.51.100.4' }).src_endpoint, { ip: '198.51.100.4' });
    assert.deepEqual(toOcsf(recordOf('footage.played', 1), PRODUCT).src_endpoint, { name: 'sealed' });
    assert.deepEqual(toOcsf(recordOf('footage.segment.sealed', 1), PRODUCT).src_endpoint, { hostname: PRODUCT.hostname });
  });

  test('the same record always maps to the same event, keyed by its event id and ordered by its leaf index', () => {
    const record = recordOf('camera.updated', 7);
    const a = toOcsf(record, PRODUCT);
    assert.deepEqual(toOcsf(record, PRODUCT), a);
    assert.equal(a.metadata.uid, record.id);
    assert.equal(a.metadata.sequence, 7);
    assert.equal(a.metadata.correlation_uid, 'req-42');
  });

  test('a failure maps to status Failure with its reason, a success to Success', () => {
    const failed = toOcsf(recordOf('auth.login.failed', 0), PRODUCT);
    assert.equal(failed.status_id, 2);
    assert.equal(failed.status, 'Failure');
    assert.equal(failed.status_detail, 'local: wrong password');
    const ok = toOcsf(recordOf('auth.login.succeeded', 0), PRODUCT);
    assert.equal(ok.status_id, 1);
    assert.equal(ok.status_detail, undefined);
  });
});
