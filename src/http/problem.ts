import { errorCodes, type ErrorCode, AppError } from '../lib/errors.ts';

/**
 * The one place where error codes become HTTP (RFC 9457 problem details). Missing resources and
 * missing rights share NOT_FOUND so a caller cannot probe for existence.
 */
const statusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  HOLD_ACTIVE: 409,
  REPORT_INCOMPLETE: 422,
  CAMERA_URL_INVALID: 400,
  CAMERA_NAME_TAKEN: 409,
  CAMERA_URL_TAKEN: 409,
  CAMERA_UNREACHABLE: 502,
  RANGE_INVALID: 400,
  NO_RECORDING: 404,
  EXPORT_FAILED: 500,
  MEDIA_MALFORMED: 502,
  STORAGE_FAILED: 503,
  DATABASE_UNRELATED: 500,
  STORAGE_FULL: 507,
  DATABASE_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  KEY_UNAVAILABLE: 503,
  RESIDENCY_REFUSED: 500,
  BACKUP_INVALID: 422,
  DATA_DIR_IN_USE: 409,
  AUDIT_UNAVAILABLE: 503,
  AUDIT_CHECKPOINT_REFUSED: 500,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  LOGIN_FAILED: 401,
  MFA_REQUIRED: 403,
  PASSWORD_REJECTED: 400,
  RATE_LIMITED: 429,
  CSRF_FAILED: 403,
  SSO_REFUSED: 401,
  APPROVAL_REQUIRED: 403,
  EXPORT_REQUIRED: 403,
  SELF_APPROVAL: 403,
  XML_REFUSED: 502,
  ONVIF_FAULT: 502,
  FIRMWARE_REFUSED: 422,
  SBOM_UNAVAILABLE: 404,
  SBOM_SIGNATURE_INVALID: 422,
  PTZ_UNAVAILABLE: 409,
  ADVISORY_REFUSED: 422,
  INTERNAL: 500,
};

/** An RFC 9457 problem document with Custos's `code` and `correlationId` extensions. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance: string;
  correlationId: string;
  [extension: string]: unknown;
}

/** Media type of problem documents. */
export const problemMediaType = 'application/problem+json';

/** Maps an error to a problem document; unknown errors become INTERNAL with no detail leaked. */
export function toProblem(error: unknown, instance: string, correlationId: string): Problem {
  const appError = error instanceof AppError ? error : new AppError('INTERNAL', 'Internal error; see the server log for this correlation id.');
  return {
    ...appError.detail,
    type: `urn:custos:error:${appError.code}`,
    title: errorCodes[appError.code],
    status: statusOf[appError.code],
    detail: appError.message,
    code: appError.code,
    instance,
    correlationId,
  };
}
