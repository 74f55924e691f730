import { accessRoutes, type AccessRouteDeps } from './access/access.routes.ts';
import { approvalRoutes, type ApprovalRouteDeps } from './approvals/approvals.routes.ts';
import type { ApprovalExecutors } from './approvals/approval-executor.ts';
import { requestSensitiveChange } from './approvals/sensitive-change.ts';
import { cameraChangeApproval } from './cameras/camera-change-approval.ts';
import { grantApproval } from './identity/grant-approval.ts';
import { resetApproval } from './identity/reset-approval.ts';
import { exportApproval } from './playback/export-approval.ts';
import { onboardingRoutes, type OnboardingRouteDeps } from './onvif/onboarding.routes.ts';
import { sbomRoutes, type SbomRouteDeps } from './sbom/sbom.routes.ts';
import { ptzRoutes, type PtzRouteDeps } from './onvif/ptz.routes.ts';
import { cameraSbomRoutes, type CameraSbomRouteDeps } from './onvif/camera-sbom.routes.ts';
import { firmwarePushRoutes, type FirmwarePushRouteDeps } from './onvif/firmware-push.routes.ts';
import { firmwarePushApproval } from './onvif/firmware-push-approval.ts';
import { isFirmwarePush } from './onvif/firmware-push.service.ts';
import { advisoryRoutes, type AdvisoryRouteDeps } from './onvif/advisories.routes.ts';
import { isRiskAcceptance, riskAcceptanceApproval } from './onvif/risk-acceptance-approval.ts';
import { siteRoutes, type SiteRouteDeps } from './access/sites.routes.ts';
import { auditRoutes, type AuditRouteDeps } from './audit/audit.routes.ts';
import { alarmRoutes, type AlarmRouteDeps } from './alarms/alarms.routes.ts';
import { incidentRoutes, type IncidentRouteDeps } from './incidents/incidents.routes.ts';
import { authRoutes, type AuthRouteDeps } from './identity/auth.routes.ts';
import { ssoRoutes, type SsoRouteDeps } from './identity/sso.routes.ts';
import { userRoutes, type UserRouteDeps } from './identity/users.routes.ts';
import type { RouteSpec } from './identity/request-context.ts';
import { cameraRoutes, type CameraRouteDeps } from './cameras/cameras.routes.ts';
import { liveRoutes, type LiveRouteDeps } from './live/live.routes.ts';
import { metricsRoutes, type MetricsRouteDeps } from './metrics/metrics.routes.ts';
import { exportRoutes, type ExportRouteDeps } from './playback/exports.routes.ts';
import { playbackRoutes, type PlaybackRouteDeps } from './playback/playback.routes.ts';
import { bookmarkRoutes, type BookmarkRouteDeps } from './playback/bookmarks.routes.ts';
import { buildOpenApi } from './http/openapi.ts';
import { systemRoutes, type SystemRouteDeps } from './http/system.routes.ts';
import { webRoutes } from './http/web.routes.ts';
import { governanceRoutes, type GovernanceRouteDeps } from './governance/governance.routes.ts';
import { siemRoutes, type SiemRouteDeps } from './siem/delivery/siem.routes.ts';
import { residencyRoutes, type ResidencyRouteDeps } from './residency/residency.routes.ts';
import { storageRoutes, type StorageRouteDeps } from './storage/storage.routes.ts';
import { clusterRoutes, type ClusterRouteDeps } from './cluster/cluster.routes.ts';

/** Everything the route table's handlers use. */
export type RouteDeps = CameraRouteDeps &
  PlaybackRouteDeps &
  BookmarkRouteDeps &
  ExportRouteDeps &
  LiveRouteDeps &
  AuditRouteDeps &
  MetricsRouteDeps &
  AuthRouteDeps &
  SsoRouteDeps &
  UserRouteDeps &
  AccessRouteDeps &
  SiteRouteDeps &
  ApprovalRouteDeps &
  AlarmRouteDeps &
  IncidentRouteDeps &
  GovernanceRouteDeps &
  SiemRouteDeps &
  ResidencyRouteDeps &
  StorageRouteDeps &
  ClusterRouteDeps &
  OnboardingRouteDeps &
  SbomRouteDeps &
  PtzRouteDeps &
  CameraSbomRouteDeps &
  FirmwarePushRouteDeps &
  AdvisoryRouteDeps &
  SystemRouteDeps;

/**
 * Who carries out an approved four-eyes request, by action: each feature's executor. Unmasking
 * has none (the approval itself is the permission). Reads `deps` only when one runs.
 */
function approvalExecutors(deps: RouteDeps): ApprovalExecutors {
  const cameraChange = cameraChangeApproval(deps);
  const riskAcceptance = riskAcceptanceApproval(deps);
  const firmwarePush = firmwarePushApproval(deps);
  return {
    'recording.export': exportApproval(deps),
    'access.grant': grantApproval(deps),
    // A `camera.manage` request is a change weakening a four-eyes site, a camera's risk acceptance or a firmware push.
    'camera.manage': {
      execute: (approved, audit) => (isRiskAcceptance(approved.details) ? riskAcceptance : isFirmwarePush(approved.details) ? firmwarePush : cameraChange).execute(approved, audit),
    },
    'account.reset': resetApproval(deps),
  };
}

/** The version reported by /healthz and the OpenAPI document. */
export const apiVersion = '0.1.0';

/**
 * The whole route table, in one list: the server registers it, the OpenAPI document is built
 * from it, and the access test walks it. Builders MUST NOT touch `deps` until a handler runs,
 * so the table can be built without services to write the OpenAPI document.
 */
export function routeTable(deps: RouteDeps): RouteSpec[] {
  const routes: RouteSpec[] = [
    ...cameraRoutes(deps),
    ...playbackRoutes(deps),
    ...bookmarkRoutes(deps),
    ...exportRoutes(deps),
    ...liveRoutes(deps),
    ...auditRoutes(deps),
    ...siemRoutes(deps),
    ...metricsRoutes(deps),
    ...storageRoutes(deps),
    ...clusterRoutes(deps),
    ...authRoutes(deps),
    ...ssoRoutes(deps),
    ...userRoutes(deps),
    ...accessRoutes(deps),
    ...siteRoutes(deps, (siteId, requester, by) => requestSensitiveChange(deps.approvals, { change: 'site.fourEyesOff', siteId }, requester, by)),
    ...onboardingRoutes(deps),
    ...sbomRoutes(deps),
    ...ptzRoutes(deps),
    ...cameraSbomRoutes(deps),
    ...firmwarePushRoutes(deps),
    ...advisoryRoutes(deps),
    ...approvalRoutes(deps, approvalExecutors(deps)),
    ...alarmRoutes(deps),
    ...incidentRoutes(deps),
    ...governanceRoutes(deps),
    ...residencyRoutes(deps),
    ...webRoutes(),
  ];
  let document: unknown;
  const system = systemRoutes({ version: apiVersion, health: () => deps.health.parts(), openapi: () => (document ??= buildOpenApi([...routes, ...system], apiVersion)) });
  return [...system, ...routes];
}

/** The OpenAPI document of the route table (no services needed). */
export function openApiDocument(): Record<string, unknown> {
  return buildOpenApi(routeTable(undefined as unknown as RouteDeps), apiVersion);
}
