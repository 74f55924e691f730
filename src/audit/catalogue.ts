/**
 * The audit event catalogue (LOG-1): every event type Custos records, with its OCSF class and
 * activity so SIEM export is a mapping, not a rewrite (FORMATS.md "SIEM"). `type_uid` is
 * `class_uid × 100 + activity_id`. docs/reference/audit-events.md is generated from this table
 * (`npm run audit:catalogue`) and a test keeps them in step; the ledger refuses a type that is
 * not here, and a test scans the sources for emitted types that are missing.
 *
 * `emitter` says which module records the event today; `not built` marks events whose emitter is
 * a later issue (identity, camera tamper detection) but whose alarm rules already exist.
 */
export interface EventKind {
  readonly classUid: number;
  readonly className: string;
  readonly activityId: number;
  readonly activityName: string;
  /** OCSF severity_id: 1 informational, 2 low, 3 medium, 4 high, 5 critical. */
  readonly severityId: 1 | 2 | 3 | 4 | 5;
  readonly emitter: string;
  readonly description: string;
}

const eventLog = { classUid: 1008, className: 'Event Log Activity' } as const;
const entity = { classUid: 3004, className: 'Entity Management' } as const;
const datastore = { classUid: 6005, className: 'Datastore Activity' } as const;
const authn = { classUid: 3002, className: 'Authentication' } as const;
const account = { classUid: 3001, className: 'Account Change' } as const;
const userAccess = { classUid: 3005, className: 'User Access Management' } as const;
const finding = { classUid: 2004, className: 'Detection Finding' } as const;
const api = { classUid: 6003, className: 'API Activity' } as const;

export const auditCatalogue = {
  'audit.ledger.started': { ...eventLog, activityId: 6, activityName: 'Start', severityId: 1, emitter: 'audit ledger', description: 'The ledger opened and accepts events; details give the tree size it resumed at.' },
  'audit.ledger.stopped': { ...eventLog, activityId: 7, activityName: 'Stop', severityId: 1, emitter: 'audit ledger', description: 'The ledger is closing cleanly; a final checkpoint follows. A missing stop before a start marks an unclean stop.' },
  'audit.ledger.heartbeat': { ...eventLog, activityId: 99, activityName: 'Heartbeat', severityId: 1, emitter: 'audit ledger', description: 'Periodic proof of life, so a silent gap in the ledger is visible.' },
  'audit.events.read': { ...eventLog, activityId: 99, activityName: 'Read', severityId: 1, emitter: 'audit API', description: 'Somebody queried the ledger (reading the log is itself logged, LOG-2).' },
  'audit.verified': { ...eventLog, activityId: 99, activityName: 'Verify', severityId: 1, emitter: 'custos audit verify', description: 'A full verification of the ledger ran; outcome and first bad index in details.' },
  'audit.subject.erased': { ...eventLog, activityId: 2, activityName: 'Delete', severityId: 3, emitter: 'custos audit erase-subject', description: "A person's sealed personal fields were crypto-shredded; the tree still verifies." },
  'audit.witness.cosigned': { ...eventLog, activityId: 99, activityName: 'Cosign', severityId: 1, emitter: 'witness client', description: 'A witness cosigned an audit checkpoint: recorded at its first cosignature after start or after a refusal (every cosignature is stored beside its checkpoint).' },
  'audit.witness.refused': { ...eventLog, activityId: 99, activityName: 'Refuse', severityId: 4, emitter: 'witness client', description: 'A witness refused an audit checkpoint (it does not extend what the witness saw, an unknown key or origin, or a cosignature that does not verify): the ledger may have been rolled back or forked. Recorded when the witness turns to refusing.' },
  'camera.created': { ...entity, activityId: 1, activityName: 'Create', severityId: 1, emitter: 'cameras', description: 'A camera was added.' },
  'camera.updated': { ...entity, activityId: 3, activityName: 'Update', severityId: 1, emitter: 'cameras', description: 'A camera was changed; details name the fields changed, never credential values.' },
  'camera.deleted': { ...entity, activityId: 4, activityName: 'Delete', severityId: 2, emitter: 'cameras', description: 'A camera was removed (its recordings stay until retention).' },
  'camera.auth.failed': { ...authn, activityId: 1, activityName: 'Logon', severityId: 3, emitter: 'recorder', description: 'A camera refused our credentials (RTSP 401).' },
  'camera.discovered': { ...api, activityId: 99, activityName: 'Discover', severityId: 1, emitter: 'onboarding', description: 'A WS-Discovery probe ran (onboarding step 1); details give the interface, the unicast targets and every endpoint and device address that answered.' },
  'camera.identified': { ...entity, activityId: 3, activityName: 'Update', severityId: 2, emitter: 'onboarding', description: "A camera was identified over ONVIF and vetted (onboarding steps 2-3): details carry the evidence (manufacturer, model, firmware, serial, hardware id, MAC and OUI, clock offset, profiles) and the vendor verdict (matches with their source, likely relabel) and the vetting (clear, flagged, unvetted)." },
  'camera.quarantined': { ...finding, activityId: 1, activityName: 'Create', severityId: 4, emitter: 'onboarding', description: 'A camera was put in quarantine (flagged vendor, likely relabel, or an identity that could not be vetted) or its risk acceptance expired: it is neither recorded nor shown live until a four-eyes risk acceptance. Raises an alarm.' },
  'camera.risk.accepted': { ...finding, activityId: 2, activityName: 'Update', severityId: 3, emitter: 'onboarding (four-eyes)', description: "A second person approved a camera's risk acceptance: details give the requester, the approver, the approval id, the reason's presence and the expiry; the camera leaves quarantine until then." },
  'camera.asset.updated': { ...entity, activityId: 3, activityName: 'Update', severityId: 1, emitter: 'onboarding', description: "A camera's inventory fields (location, owner, install date, end of support) were changed; details name the fields and their new values." },
  'camera.ptz.session.started': { ...api, activityId: 99, activityName: 'Start', severityId: 1, emitter: 'ptz', description: 'Somebody started moving a PTZ camera (the first move after idle): one record per session, not per nudge; details give the first velocity.' },
  'camera.ptz.session.ended': { ...api, activityId: 99, activityName: 'Stop', severityId: 1, emitter: 'ptz', description: "A PTZ session ended: by Stop, after the idle time without a command, or at shutdown; details give the reason, the number of moves and the session's duration." },
  'camera.ptz.preset.set': { ...entity, activityId: 3, activityName: 'Update', severityId: 2, emitter: 'ptz', description: "A PTZ preset was stored at the camera's current position; details give its token and name (a preset can point a camera away from what it is meant to watch)." },
  'camera.ptz.preset.goto': { ...api, activityId: 99, activityName: 'Goto', severityId: 1, emitter: 'ptz', description: 'A PTZ camera was sent to a preset; details give its token.' },
  'camera.sbom.attached': { ...entity, activityId: 3, activityName: 'Update', severityId: 2, emitter: 'onboarding', description: "A vendor's SBOM (CycloneDX or SPDX JSON) was attached to a camera's inventory entry, replacing any earlier one; details give its format, spec version, size, SHA-256 and component count." },
  'firmware.key.trusted': { ...entity, activityId: 1, activityName: 'Create', severityId: 3, emitter: 'custos firmware trust-key', description: "A vendor's firmware signing key was added to the trust store (AST-3); details give the vendor and key type." },
  'firmware.release.imported': { ...entity, activityId: 1, activityName: 'Create', severityId: 2, emitter: 'custos firmware import', description: 'A signed firmware manifest was imported as a vetted release (vendor, model pattern, version, SHA-256, key), or refused (outcome failure with the reason: unknown key, bad signature).' },
  'firmware.image.verified': { ...api, activityId: 99, activityName: 'Verify', severityId: 1, emitter: 'custos firmware verify', description: 'A firmware image was checked before use: its SHA-256 against a vetted release whose signed manifest verified again under a trusted key (outcome failure with the reason: no release, unknown key, bad signature).' },
  'firmware.image.pushed': { ...entity, activityId: 3, activityName: 'Update', severityId: 3, emitter: 'firmware push (building block, no route yet)', description: "A verified firmware image is being sent to a camera (ONVIF StartFirmwareUpgrade and upload); recorded after verification and before the upload; outcome failure when the release is not for the camera's vendor and model." },
  'advisory.imported': { ...entity, activityId: 1, activityName: 'Create', severityId: 2, emitter: 'advisories (custos advisories import, API)', description: 'A security advisory (CSAF 2.0 or OSV, AST-4) was imported: details give the source, whether it is new, an update or unchanged, its id, revision, SHA-256, CVEs, severity and product count; or it was refused (outcome failure, details.refusal the stable reason) and nothing was stored.' },
  'camera.advisory.matched': { ...finding, activityId: 1, activityName: 'Create', severityId: 4, emitter: 'advisories (re-match after import, identification, timer)', description: "An imported advisory affects a camera of the inventory at its current firmware: details give the advisory, its CVEs and severity, the camera's vendor, model and firmware, the affected range and the fixing versions. Raises the camera-advisory alarm; the camera's security score counts it." },
  'camera.advisory.cleared': { ...finding, activityId: 2, activityName: 'Update', severityId: 1, emitter: 'advisories (re-match)', description: "An advisory no longer affects a camera (its firmware changed, the advisory was updated or withdrawn, or the camera left the inventory); the reason says which." },
  'camera.tamper': { ...finding, activityId: 1, activityName: 'Create', severityId: 4, emitter: 'not built (analytics)', description: 'A camera reported tampering (covered, moved, defocused).' },
  'recording.interrupted': { ...datastore, activityId: 99, activityName: 'Interrupt', severityId: 3, emitter: 'recorder', description: 'Recording of a camera stopped unexpectedly (camera offline, stream error); a gap begins.' },
  'recording.resumed': { ...datastore, activityId: 99, activityName: 'Resume', severityId: 1, emitter: 'recorder', description: 'Recording of a camera resumed after a gap.' },
  'recording.space.stopped': { ...datastore, activityId: 99, activityName: 'Stop', severityId: 4, emitter: 'disk-full policy (space guard)', description: 'Free space of a storage directory fell below its watermark and no footage past its cameras\' minimum retention was left to delete: recording there stopped (cameras in state storage-full; the storage-fault alarm is raised). details: path, freeBytes.' },
  'recording.space.resumed': { ...datastore, activityId: 99, activityName: 'Resume', severityId: 1, emitter: 'disk-full policy (space guard)', description: 'Free space of a storage directory is back above its watermark (plus a margin): recording there resumes by itself. details: path, freeBytes.' },
  'residency.configured': { ...entity, activityId: 3, activityName: 'Update', severityId: 2, emitter: 'residency (at start-up)', description: 'The residency configuration (residency.allowed and every location with its jurisdiction) differs from the one last recorded, or none was recorded: a start with it. details: hash, previousHash, allowed, locations.' },
  'footage.segment.sealed': { ...datastore, activityId: 5, activityName: 'Write', severityId: 1, emitter: 'recorder, recovery', description: 'A segment was closed: camera, time span, SHA-256 of its plaintext fMP4 and of its stored (encrypted) object.' },
  'footage.deleted': { ...datastore, activityId: 7, activityName: 'Delete', severityId: 1, emitter: 'retention, recovery', description: 'Retention deleted expired segments and destroyed their data keys; or start-up recovery removed a segment that held no whole fragment, whose object was missing, or whose data key was already destroyed (actor system:recovery, reason in the event).' },
  'footage.damaged': { ...datastore, activityId: 99, activityName: 'Damage', severityId: 4, emitter: 'recovery', description: 'Start-up recovery cut a segment torn by an unclean stop back to its last whole fragment, or found chunks that fail authentication; details give the bytes cut and the chunks the index cannot name.' },
  'footage.reindexed': { ...datastore, activityId: 99, activityName: 'Reindex', severityId: 4, emitter: 'recovery', description: 'Start-up recovery found segment objects the index did not name (a restored or damaged database, a lost write-ahead log) and indexed them again from their vault headers.' },
  'footage.quarantined': { ...datastore, activityId: 99, activityName: 'Quarantine', severityId: 4, emitter: 'recovery', description: 'Start-up recovery moved objects it could neither index nor read (damaged header, data key unknown to this database) to the quarantine directory, where they are kept, never deleted.' },
  'footage.live.viewed': { ...datastore, activityId: 1, activityName: 'Read', severityId: 1, emitter: 'live', description: 'A live view of a camera started (details.stream: main, or sub for its sub-stream).' },
  'footage.played': { ...datastore, activityId: 1, activityName: 'Read', severityId: 1, emitter: 'playback', description: 'A viewer first played a camera\'s time range (playlist) or a segment\'s bytes; repeats by the same actor within ten minutes are the same playback, not new events.' },
  'footage.bookmark.created': { ...datastore, activityId: 6, activityName: 'Create', severityId: 1, emitter: 'bookmarks', description: 'Someone bookmarked a time range of a camera; details give the range, the note is sealed (personal).' },
  'footage.bookmark.deleted': { ...datastore, activityId: 7, activityName: 'Delete', severityId: 1, emitter: 'bookmarks', description: 'A bookmark was deleted (never one on hold); details give its range.' },
  'footage.hold.placed': { ...datastore, activityId: 2, activityName: 'Update', severityId: 3, emitter: 'bookmarks (legal hold)', description: 'A bookmarked range was put on legal hold: retention and the disk-full policy keep every segment overlapping it, and its data keys, until the hold is released. The reason is in the event.' },
  'footage.hold.released': { ...datastore, activityId: 2, activityName: 'Update', severityId: 3, emitter: 'bookmarks (legal hold)', description: 'A legal hold was released: retention applies to the range again. details give since when and by whom it was held; the reason is in the event.' },
  'footage.export.requested': { ...datastore, activityId: 6, activityName: 'Create', severityId: 2, emitter: 'exports', description: 'An export was requested, with its chain-of-custody record (why, for whom).' },
  'footage.export.completed': { ...datastore, activityId: 6, activityName: 'Create', severityId: 2, emitter: 'exports', description: 'An export finished: SHA-256 of the MP4 and the segment leaves it was cut from.' },
  'footage.export.downloaded': { ...datastore, activityId: 1, activityName: 'Read', severityId: 2, emitter: 'exports', description: 'An export or its evidence package was downloaded.' },
  'key.rotated': { ...entity, activityId: 3, activityName: 'Update', severityId: 3, emitter: 'custos keys rotate', description: 'A new master key version was made current and data keys were re-wrapped.' },
  'key.retired': { ...entity, activityId: 4, activityName: 'Delete', severityId: 3, emitter: 'custos keys rotate --retire', description: 'An old master key version was destroyed.' },
  'auth.login.succeeded': { ...authn, activityId: 1, activityName: 'Logon', severityId: 1, emitter: 'identity', description: 'A user signed in (or completed a second factor); details give the method and whether MFA was verified.' },
  'auth.login.failed': { ...authn, activityId: 1, activityName: 'Logon', severityId: 2, emitter: 'identity', description: 'A sign-in or second-factor check failed; the reason is recorded here and never told to the caller.' },
  'auth.logout': { ...authn, activityId: 2, activityName: 'Logoff', severityId: 1, emitter: 'identity', description: 'A session ended: logout, log out everywhere, idle or absolute timeout, or account disabled.' },
  'auth.lockout': { ...account, activityId: 9, activityName: 'Lock', severityId: 3, emitter: 'identity', description: 'An account name was locked after repeated failures (existing or not, so the lock reveals nothing).' },
  'auth.mfa.enrolled': { ...account, activityId: 10, activityName: 'MFA Factor Enable', severityId: 2, emitter: 'identity', description: 'A second factor (TOTP or passkey) was enrolled; recovery codes issued.' },
  'auth.token.created': { ...account, activityId: 99, activityName: 'Create API Token', severityId: 3, emitter: 'identity', description: 'An API token was created; details give its permissions and expiry, never the secret.' },
  'auth.token.revoked': { ...account, activityId: 99, activityName: 'Revoke API Token', severityId: 2, emitter: 'identity', description: 'An API token was revoked.' },
  'account.created': { ...account, activityId: 1, activityName: 'Create', severityId: 2, emitter: 'identity', description: 'A user account was created (local, setup, CLI, or at first SSO login).' },
  'account.password.changed': { ...account, activityId: 3, activityName: 'Password Change', severityId: 2, emitter: 'identity', description: "A user's password was changed; their other sessions end." },
  'account.reset': { ...account, activityId: 99, activityName: 'Reset', severityId: 4, emitter: 'identity', description: "An administrator reset a user's password and/or second factors (four-eyes for a sensitive account, or the host's CLI as break-glass): factors removed, sessions and API tokens ended; the user must enter a one-time enrolment code and enrol a new factor." },
  'account.disabled': { ...account, activityId: 5, activityName: 'Disable', severityId: 3, emitter: 'identity', description: 'A user account was disabled; its sessions and tokens stop working.' },
  'account.enabled': { ...account, activityId: 2, activityName: 'Enable', severityId: 2, emitter: 'identity', description: 'A disabled user account was enabled again.' },
  'access.grant.created': { ...userAccess, activityId: 1, activityName: 'Assign Privileges', severityId: 3, emitter: 'access', description: 'A role was granted to a principal on a scope (or the grant was refused); details say whether the role is privileged.' },
  'access.grant.revoked': { ...userAccess, activityId: 2, activityName: 'Revoke Privileges', severityId: 2, emitter: 'access', description: 'A grant was revoked.' },
  'access.denied': { ...api, activityId: 99, activityName: 'Deny', severityId: 2, emitter: 'access', description: 'An authenticated request was refused: permission missing, camera out of scope, or second factor pending. Summarised: one event per actor, route, reason and minute, details.refused counting the refusals it stands for.' },
  'access.approval.requested': { ...userAccess, activityId: 99, activityName: 'Request Approval', severityId: 2, emitter: 'access (four-eyes)', description: 'An export, unmask or weakening change (retention, move, removal, four-eyes off) at a four-eyes site, or a sensitive grant, waits for a second person.' },
  'access.approval.decided': { ...userAccess, activityId: 99, activityName: 'Decide Approval', severityId: 3, emitter: 'access (four-eyes)', description: 'A second person approved or rejected a four-eyes request.' },
  'site.saved': { ...entity, activityId: 3, activityName: 'Update', severityId: 2, emitter: 'access', description: 'A site was created or changed (its name, its four-eyes rule).' },
  'group.saved': { ...entity, activityId: 3, activityName: 'Update', severityId: 2, emitter: 'access', description: 'A camera group was created or its members changed.' },
  'clock.stepped': { ...eventLog, activityId: 99, activityName: 'Clock Step', severityId: 4, emitter: 'clock watch', description: 'The wall clock moved apart from the monotonic clock (set by hand, stepped by NTP, host suspended or VM restored); details give the step in ms. Retention is held until the clock has been steady for recording.clockConfirmSeconds.' },
  'siem.destinations.changed': { ...entity, activityId: 3, activityName: 'Update', severityId: 3, emitter: 'SIEM delivery', description: 'At start-up, the SIEM destinations configuration differs from the last one seen (a destination added, removed or changed); details give the secret-free configuration and its SHA-256.' },
  'siem.destination.recovered': { ...eventLog, activityId: 99, activityName: 'Recover', severityId: 2, emitter: 'SIEM delivery', description: 'A SIEM destination that had failed long enough to raise the siem-destination-failing alarm accepts events again; details give how long it failed.' },
  'siem.events.dead-lettered': { ...eventLog, activityId: 99, activityName: 'Dead Letter', severityId: 3, emitter: 'SIEM delivery', description: 'A SIEM destination refused events for good (not retryable): they are kept as dead letters (GET /api/v1/audit/destinations) and its cursor moved past them; details give their leaf indexes and the reason.' },
  'siem.heartbeat': { ...eventLog, activityId: 99, activityName: 'Heartbeat', severityId: 1, emitter: 'SIEM delivery (sent, never a leaf)', description: 'Sent to every SIEM destination every siem.heartbeatSeconds with the latest signed checkpoint (LOG-5); never recorded in the ledger itself (leaf index -1).' },
  'system.backup.created': { ...datastore, activityId: 99, activityName: 'Backup', severityId: 2, emitter: 'custos backup', description: 'A backup was taken (or failed): the SHA-256 of its manifest, the ledger size and checkpoint it holds, whether the master key (sealed) and the config are in it.' },
  'system.restore.completed': { ...datastore, activityId: 99, activityName: 'Restore', severityId: 4, emitter: 'custos restore', description: 'A backup was restored onto a new data directory; recorded into the restored ledger, with the backup id and how the restored ledger stands against the newest published checkpoint given (consistent, behind by N leaves, or contradicting it).' },
  'storage.zones.changed': { ...entity, activityId: 3, activityName: 'Update', severityId: 3, emitter: 'storage (replicator)', description: 'The storage zones or the placement (which zones hold each camera\'s footage, after how many copies a segment is acknowledged) differ from those of the last start; details give both.' },
  'storage.zone.caught-up': { ...datastore, activityId: 99, activityName: 'Backfill', severityId: 1, emitter: 'storage (replicator)', description: 'A storage zone that was behind (storage-zone-lag alarm) holds every pending copy again.' },
  'storage.copy.repaired': { ...datastore, activityId: 5, activityName: 'Write', severityId: 3, emitter: 'storage (scrub)', description: 'The scrub found a copy missing or damaged (its ciphertext SHA-256 differs from the segment\'s ledger leaf) and replaced it from a good copy in another zone.' },
  'storage.copy.unrepairable': { ...datastore, activityId: 99, activityName: 'Damage', severityId: 4, emitter: 'storage (scrub)', description: 'The scrub found a copy missing or damaged and no good copy to repair it from.' },
  'storage.scrub.completed': { ...datastore, activityId: 99, activityName: 'Scrub', severityId: 1, emitter: 'storage (scrub), custos storage scrub', description: 'A scrub checked every copy against the audit ledger; details count the copies checked, missing, damaged and repaired.' },
  'alarm.raised': { ...finding, activityId: 1, activityName: 'Create', severityId: 4, emitter: 'alarm rules', description: 'A default alarm rule (LOG-6) fired; details name the rule and the events that triggered it.' },
  'alarm.updated': { ...finding, activityId: 2, activityName: 'Update', severityId: 2, emitter: 'alarm inbox', description: 'A person acknowledged, assigned, snoozed or closed an alarm of the inbox; details give the action, the alarm (its leaf) and the new state.' },
  'incident.candidate.raised': { ...finding, activityId: 1, activityName: 'Create', severityId: 4, emitter: 'incident candidates', description: 'Alarms or ledger events (brute force, tamper, mass camera outage, ledger verification failure…) raised a candidate incident for a person to qualify or dismiss (INC-7); later alarms of the same kind join it.' },
  'incident.candidate.decided': { ...finding, activityId: 2, activityName: 'Update', severityId: 3, emitter: 'incident register', description: 'A candidate incident was qualified (an incident opened; its clocks start) or dismissed, with the reason.' },
  'incident.created': { ...finding, activityId: 1, activityName: 'Create', severityId: 4, emitter: 'incident register', description: 'An incident was opened in the register (INC-1), with its aware time.' },
  'incident.updated': { ...finding, activityId: 2, activityName: 'Update', severityId: 3, emitter: 'incident register', description: 'Fields of an incident changed; details name the fields and the SHA-256 of the new record.' },
  'incident.report.generated': { ...finding, activityId: 99, activityName: 'Report', severityId: 3, emitter: 'incident register', description: 'A report stage (early warning, notification, intermediate, final, progress, GDPR Art. 33) was generated, or refused for missing content; details give the form, the format and the SHA-256 of the output.' },
  'incident.report.submitted': { ...finding, activityId: 99, activityName: 'Submit', severityId: 3, emitter: 'incident register', description: 'A report stage was recorded as sent to the CSIRT or authority: its due and sent times and the SHA-256 of what was sent; this stops its clock.' },
  'vault.fsck.completed': { ...eventLog, activityId: 99, activityName: 'Verify', severityId: 1, emitter: 'custos vault fsck', description: 'A verification of every stored object ran; outcome and the counts of torn, corrupt, missing, unindexed and vanished objects in details (live evidence reads the newest).' },
  'governance.requirement.updated': { ...entity, activityId: 3, activityName: 'Update', severityId: 2, emitter: 'governance', description: 'A requirement of the NIS2 / ISO 27001 catalogue was assessed: status, owner, evidence links or the reason it is not applied; details give the fields before and after.' },
  'governance.document.registered': { ...entity, activityId: 1, activityName: 'Create', severityId: 2, emitter: 'governance', description: 'A document was put on file (policy, risk acceptance, certificate, SBOM…); details give its kind, title and SHA-256.' },
  'governance.approval.recorded': { ...entity, activityId: 3, activityName: 'Update', severityId: 3, emitter: 'governance', description: 'A member of the management body approved a policy or accepted a risk; details give the document, the SHA-256 approved and the approver\'s function.' },
  'governance.training.attested': { ...entity, activityId: 1, activityName: 'Create', severityId: 1, emitter: 'governance', description: 'A person attested a completed cybersecurity training (NIS2 Art. 20(2)); details give the course, the date and the certificate\'s SHA-256.' },
  'governance.retention.justified': { ...entity, activityId: 3, activityName: 'Update', severityId: 2, emitter: 'governance', description: 'The justification for keeping a camera\'s footage longer than 72 hours was recorded.' },
  'governance.bundle.exported': { ...datastore, activityId: 6, activityName: 'Create', severityId: 2, emitter: 'governance', description: 'A signed governance bundle (live evidence or readiness pack) was produced; details give its id, kind and the SHA-256 of its statement.json, which this leaf commits to.' },
} as const satisfies Record<string, EventKind>;

/** A catalogued event type. */
export type AuditEventType = keyof typeof auditCatalogue;

/** True when `type` is in the catalogue. */
export function isAuditEventType(type: string): type is AuditEventType {
  return Object.hasOwn(auditCatalogue, type);
}

/** OCSF type_uid of an event type. */
export function typeUid(type: AuditEventType): number {
  const kind: EventKind = auditCatalogue[type];
  return kind.classUid * 100 + kind.activityId;
}
