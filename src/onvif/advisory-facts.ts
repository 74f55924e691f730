/**
 * The supply-chain facts governance shows (live evidence `camera-advisories`, readiness pack
 * question `camera-vulnerabilities`): imported advisories with the cameras they affect now, and
 * the risk acceptances in force. Facts only; the shape is governance's CameraAdvisoryFacts.
 */
import type { Clock } from '../lib/clock.ts';
import type { AdvisoriesService } from './advisories.service.ts';
import { activeAcceptance } from './camera-asset.ts';
import type { InventoryStore } from './onboarding.service.ts';

/** Reads the facts now. */
export async function advisoryFacts(d: { readonly advisories: Pick<AdvisoriesService, 'list'>; readonly inventory: Pick<InventoryStore, 'list' | 'acceptances'>; readonly clock: Clock }): Promise<{
  imported: number;
  open: { advisoryId: string; documentId: string; title: string; cves: string[]; severity: string; cameraIds: string[] }[];
  acceptances: { cameraId: string; vetting: string; until: string; approvedBy: string }[];
}> {
  const views = await d.advisories.list();
  const [assets, acceptances] = await Promise.all([d.inventory.list(), d.inventory.acceptances()]);
  const now = d.clock.now();
  return {
    imported: views.length,
    open: views
      .filter((v) => v.cameras.length > 0)
      .map((v) => ({ advisoryId: v.advisory.id, documentId: v.advisory.documentId, title: v.advisory.title, cves: [...v.advisory.cves], severity: v.advisory.severity, cameraIds: [...new Set(v.cameras.map((m) => m.cameraId))] })),
    acceptances: assets.flatMap((a) => {
      if (a.vetting === 'clear') return [];
      const acc = activeAcceptance(a, acceptances, now);
      return acc === undefined ? [] : [{ cameraId: a.cameraId, vetting: a.vetting, until: new Date(acc.untilMs).toISOString(), approvedBy: acc.approvedBy }];
    }),
  };
}
