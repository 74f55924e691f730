/**
 * The recorder's view of the cameras with quarantined ones left out (AST-2): a camera the
 * onboarding service holds in quarantine is neither recorded nor shown live (live views are fed
 * by the recorder, which closes them when a camera leaves its list). Each listing first records
 * the quarantine of cameras whose risk acceptance has expired, so the alarm follows within one
 * reconcile period.
 */
import type { AuditContext } from '../audit/audit-event.ts';

/** Wraps `cameras` for the recorder. A failure to read the quarantine fails the listing (the recorder keeps its state). */
export function recordableCameras<C extends { readonly id: string }>(
  cameras: { list(): Promise<C[]> },
  onboarding: { recordExpiries(by: AuditContext): Promise<number>; quarantinedIds(): Promise<Set<string>> },
): { list(): Promise<C[]>; isQuarantined(cameraId: string): boolean } {
  const by: AuditContext = { actor: { kind: 'system', id: 'system:onboarding' } };
  let last = new Set<string>();
  return {
    async list() {
      await onboarding.recordExpiries(by);
      last = await onboarding.quarantinedIds();
      const held = last;
      return (await cameras.list()).filter((c) => !held.has(c.id));
    },
    /** As of the last listing (the status the API shows between reconciles). */
    isQuarantined: (cameraId) => last.has(cameraId),
  };
}
