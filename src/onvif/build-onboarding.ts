/**
 * Assembles onboarding (issue 17) over the database: the inventory, the firmware trust store,
 * advisories and security scores, and the onboarding service whose vet step uses them. The
 * server and the CLI build it the same way; only the server re-matches on a timer.
 */
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { AdvisoriesService } from './advisories.service.ts';
import { createAdvisoryStore } from './advisories.store.ts';
import { advisoryFacts } from './advisory-facts.ts';
import { FirmwareService } from './firmware.service.ts';
import { createFirmwareStore } from './firmware.store.ts';
import { createInventoryStore } from './inventory.store.ts';
import { OnboardingService, type InventoryStore, type OnboardingDeps } from './onboarding.service.ts';
import { SecurityScoreService, vetAssessor, type SecurityScoreDeps } from './security-score.service.ts';

/** Onboarding as the server and the CLI use it. */
export interface BuiltOnboarding {
  readonly onboarding: OnboardingService;
  readonly inventory: InventoryStore;
  /** The firmware trust store (verification and pushes use the same one). */
  readonly firmware: FirmwareService;
  readonly advisories: AdvisoriesService;
  readonly securityScores: SecurityScoreService;
  /** Governance's CameraAdvisoryFacts now. */
  readonly facts: () => ReturnType<typeof advisoryFacts>;
  /**
   * Re-matches advisories now, after every identification, and every `everyMs` (changes other
   * processes made); `stop` ends the timer and waits for a re-match in progress.
   */
  readonly startRematching: (everyMs: number, onError: (e: unknown) => void) => { stop(): Promise<void> };
}

/** What onboarding is assembled from. */
export interface OnboardingOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditSink;
  readonly cameras: OnboardingDeps['cameras'];
  readonly connect: OnboardingDeps['connect'];
  readonly probe: OnboardingDeps['probe'];
  /** The recorder's view of a camera for the score; the CLI, which runs no recorder, says `unknown`. */
  readonly status: SecurityScoreDeps['status'];
}

/** The system actor of re-matches that no person started. */
const rematchActor: AuditContext = { actor: { kind: 'system', id: 'system:advisories' } };

/** Builds onboarding. */
export function buildOnboarding(o: OnboardingOptions): BuiltOnboarding {
  const inventory = createInventoryStore(o.db);
  const advisories = new AdvisoriesService({
    store: createAdvisoryStore(o.db), clock: o.clock, audit: o.audit,
    targets: async () => (await inventory.list()).map((a) => ({ cameraId: a.cameraId, vendor: a.vendor, model: a.model, firmware: a.firmware })),
  });
  const securityScores = new SecurityScoreService({ camera: (id) => o.cameras.get(id), asset: (id) => inventory.get(id), advisories: (id) => advisories.forCamera(id), status: o.status, clock: o.clock });
  const firmware = new FirmwareService(createFirmwareStore(o.db), o.clock, o.audit);
  const onboarding = new OnboardingService({
    store: inventory, clock: o.clock, audit: o.audit, cameras: o.cameras, connect: o.connect, probe: o.probe,
    firmware,
    assess: vetAssessor(advisories, securityScores),
  });
  return {
    onboarding, inventory, firmware, advisories, securityScores,
    facts: () => advisoryFacts({ advisories, inventory, clock: o.clock }),
    startRematching: (everyMs, onError) => {
      let stopped = false;
      const run = () => void (stopped ? undefined : advisories.rematch(rematchActor).catch(onError));
      onboarding.onChange(run);
      run();
      const timer = setInterval(run, everyMs);
      timer.unref();
      return {
        async stop() {
          stopped = true;
          clearInterval(timer);
          await advisories.idle();
        },
      };
    },
  };
}

/** A camera's recorder state as the score reads it (`disabled` for a disabled camera). */
export function cameraState<C extends { readonly enabled: boolean }>(camera: C, status: (c: C) => { readonly state: string; readonly sinceMs: number; readonly clockOffsetMs: number | null }): { state: string; sinceMs: number; clockOffsetMs: number | null } {
  const s = status(camera);
  return { state: camera.enabled ? s.state : 'disabled', sinceMs: s.sinceMs, clockOffsetMs: s.clockOffsetMs };
}
