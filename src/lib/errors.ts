/**
 * Errors as values with stable codes (STYLE rule 4). Every code here MUST be documented in
 * docs/reference/errors.md (a test checks it); HTTP mapping lives only in src/http/problem.ts.
 */
export const errorCodes = {
  VALIDATION_FAILED: 'The request or input did not match the expected shape.',
  NOT_FOUND: 'The resource does not exist or the caller may not see it.',
  CONFLICT: 'The resource conflicts with one that already exists.',
  CAMERA_URL_INVALID: 'A camera URL is not a valid rtsp:// or rtsps:// URL.',
  CAMERA_NAME_TAKEN: 'Another camera already has this name.',
  CAMERA_URL_TAKEN: 'Another camera already records this URL.',
  CAMERA_UNREACHABLE: 'The camera could not be reached or refused the stream.',
  RANGE_INVALID: 'A time range is empty, reversed or too long.',
  NO_RECORDING: 'No recording exists in the requested range.',
  EXPORT_FAILED: 'An export could not be produced.',
  HOLD_ACTIVE: 'The bookmark holds footage beyond retention (a legal hold); release the hold before deleting it.',
  MEDIA_MALFORMED: 'Media bytes do not form valid fragmented MP4.',
  STORAGE_FAILED: 'The segment store could not read or write.',
  DATABASE_UNRELATED: 'The database knows none of the footage in the data directory (wrong database.url, or an empty or re-created database); the server refuses to start so nothing is touched.',
  STORAGE_FULL: 'The disk under the database or the vault is full; the write was not made (reads still work).',
  DATABASE_UNAVAILABLE: 'The metadata database cannot be reached or did not answer in time; retry later.',
  CONFIG_INVALID: 'The configuration is invalid.',
  KEY_UNAVAILABLE: 'A key is destroyed, missing, or its provider cannot be reached.',
  AUDIT_UNAVAILABLE: 'The audit ledger could not record the event, so the action was not carried out.',
  AUDIT_CHECKPOINT_REFUSED: 'The ledger refused to sign a checkpoint that does not extend the last one it signed.',
  UNAUTHENTICATED: 'The request carries no valid session or token; log in first.',
  FORBIDDEN: 'The caller is authenticated but holds no grant with the permission this action needs.',
  LOGIN_FAILED: 'The user name, password or second factor was not accepted (the reason is not disclosed).',
  MFA_REQUIRED: 'A second factor is required: verify one, or enrol one when the role makes it mandatory.',
  PASSWORD_REJECTED: 'The new password does not meet the password policy.',
  RATE_LIMITED: 'Too many attempts from this address or for this account; wait and retry.',
  CSRF_FAILED: 'A state-changing request made with a session cookie lacked the matching CSRF token or came from another origin.',
  SSO_REFUSED: 'The identity provider response was refused (signature, audience, validity, replay or state).',
  APPROVAL_REQUIRED: 'The action (an export at a four-eyes site, a sensitive grant, a change weakening a four-eyes site) needs the approval of a second user holding the permission.',
  EXPORT_REQUIRED: 'At a four-eyes site recorded video is streamed fragment by fragment to a logged-in browser; a file (a whole segment, an API client) is an export.',
  SELF_APPROVAL: 'A requester cannot approve their own request, nor grant a role to themselves.',
  RESIDENCY_REFUSED: 'A location (data directory, database, key provider, identity provider, storage zone, outbound destination) is outside residency.allowed or declares no jurisdiction while it is set; Custos does not start.',
  REPORT_INCOMPLETE: 'An incident report stage lacks content the stage requires; `missing` lists the fields to fill first (INC-5).',
  BACKUP_INVALID: 'A backup directory has no valid manifest, or a file in it does not match the SHA-256 its manifest states.',
  DATA_DIR_IN_USE: 'Another Custos process (a server, a key rotation) holds the data directory.',
  XML_REFUSED: 'An XML document from a camera or the network was refused: too large, too deep, a DOCTYPE or entity declaration, or malformed.',
  ONVIF_FAULT: 'A camera answered an ONVIF call with a SOAP fault (authentication refused, action not supported) or with an answer that lacks what the call needs.',
  SBOM_UNAVAILABLE: 'No SBOM was generated for this installation (custos sbom generate), or its generator is missing or failed.',
  SBOM_SIGNATURE_INVALID: 'An SBOM does not match its signature: the signature is malformed, not by the given key, or over other bytes.',
  PTZ_UNAVAILABLE: 'The camera cannot be moved: it was not identified over ONVIF, has no PTZ service, or is quarantined.',
  FIRMWARE_REFUSED: 'A firmware manifest or image was refused: unknown or mismatched signing key, a signature that does not verify, or an image whose SHA-256 is not the vetted one.',
  ADVISORY_REFUSED: 'A security advisory document (CSAF 2.0 or OSV) was refused: too large, not JSON, of an unknown format, malformed, or naming no camera product Custos can match; nothing of it was stored.',
  LEASE_LOST: 'This node no longer holds the lease (a camera\'s, or the cluster jobs\'): the write carries an older fencing token and was refused.',
  CAMERA_ON_OTHER_NODE: 'The camera is recorded by another node of the cluster; its live view is served there (the detail names the node and its URL).',
  INTERNAL: 'An unexpected error; details are in the server log under the correlation id.',
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof errorCodes;

/** An expected failure, carried as a value through services and mapped to HTTP in one place. */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable detail, safe to show to the caller (never a secret). */
  readonly detail: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
  }
}

/** True when `e` is an AppError with one of the given codes (or any code when none given). */
export function isAppError(e: unknown, ...codes: ErrorCode[]): e is AppError {
  return e instanceof AppError && (codes.length === 0 || codes.includes(e.code));
}
