import type { AuditLedger } from '../audit/ledger.ts';
import type { Db } from '../db/database.ts';
import type { KeyProvider } from '../keys/key-provider.ts';
import type { Clock } from '../lib/clock.ts';
import { AccountabilityService } from './accountability.service.ts';
import { CatalogueService } from './catalogue.service.ts';
import { GovernanceBundles, type GovernanceBundleDeps } from './governance-bundles.ts';
import { createGovernanceStore } from './governance.store.ts';
import { measureLiveEvidence, type LiveEvidence, type LiveEvidenceDeps } from './live-evidence.ts';
import { createSystemFacts } from './system-facts.store.ts';

/** Governance as the server and the CLI use it. */
export interface Governance {
  readonly catalogue: CatalogueService;
  readonly accountability: AccountabilityService;
  readonly bundles: GovernanceBundles;
  readonly liveEvidence: () => Promise<LiveEvidence>;
}

/** What governance is assembled from. */
export interface GovernanceOptions {
  readonly db: Db;
  readonly engine: string;
  readonly ledger: AuditLedger;
  readonly provider: KeyProvider;
  readonly clock: Clock;
  /** True when holders of the role MUST use a second factor (the privileged roles). */
  readonly privileged: (role: string) => boolean;
  readonly keys: { readonly dataKeyHours: number; readonly cacheSeconds: number };
  /** The server's clock watch; absent in the CLI. */
  readonly clockTrust?: LiveEvidenceDeps['clockTrust'];
  /** SIEM delivery lag, once the forwarder is wired (issue 14). */
  readonly siemLagMs?: LiveEvidenceDeps['siemLagMs'];
  /** Advisories and affected cameras (AST-4) for live evidence and the readiness pack, where onboarding is wired. */
  readonly cameraAdvisories?: LiveEvidenceDeps['cameraAdvisories'];
  /** Facts of the incident process for the readiness pack, once the incident register is wired in (issue 18 items 1-6). */
  readonly incidentProcess?: GovernanceBundleDeps['incidentProcess'];
}

/** Assembles governance over the database, the ledger and the key provider. */
export function buildGovernance(opts: GovernanceOptions): Governance {
  const store = createGovernanceStore(opts.db);
  const facts = createSystemFacts(opts.db);
  const catalogue = new CatalogueService({ store, audit: opts.ledger, clock: opts.clock });
  const accountability = new AccountabilityService({
    store,
    audit: opts.ledger,
    clock: opts.clock,
    cameraExists: async (id) => (await facts.cameras()).some((c) => c.id === id),
  });
  const liveEvidence = () =>
    measureLiveEvidence({
      facts,
      privileged: opts.privileged,
      kek: opts.provider,
      justifications: () => store.retentionJustifications(),
      clock: opts.clock,
      ...(opts.clockTrust === undefined ? {} : { clockTrust: opts.clockTrust }),
      ...(opts.siemLagMs === undefined ? {} : { siemLagMs: opts.siemLagMs }),
      ...(opts.cameraAdvisories === undefined ? {} : { cameraAdvisories: opts.cameraAdvisories }),
    });
  const bundles = new GovernanceBundles({
    catalogue,
    accountability,
    liveEvidence,
    ledger: opts.ledger,
    clock: opts.clock,
    keyDesign: () => ({ provider: opts.provider.kind, kekVersion: opts.provider.currentVersion(), kekVersions: opts.provider.versions(), dataKeyHours: opts.keys.dataKeyHours, keyCacheSeconds: opts.keys.cacheSeconds }),
    databaseEngine: opts.engine,
    ledgerOrigin: opts.ledger.origin,
    ...(opts.incidentProcess === undefined ? {} : { incidentProcess: opts.incidentProcess }),
    ...(opts.cameraAdvisories === undefined ? {} : { cameraAdvisories: opts.cameraAdvisories }),
  });
  return { catalogue, accountability, bundles, liveEvidence };
}
