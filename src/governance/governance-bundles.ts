/**
 * The two signed governance bundles: the live-evidence bundle (GOV-2, with the catalogue and the
 * management records) and the readiness pack (GOV-4, the six buyer questions and the cameras'
 * known vulnerabilities and accepted risks, AST-2/AST-4).
 *
 * Contracts:
 * - Content is built from the system's own state at the moment of export and from the documents
 *   on file; where a fact does not exist, the answer says `not available` and why. Nothing here
 *   invents a certification, an SBOM or a reference.
 * - Every document a bundle cites travels in it as `documents/<sha256>`, so its hash can be
 *   checked against the approvals and the statement offline.
 */
import type { AuditContext } from '../audit/audit-event.ts';
import type { Clock } from '../lib/clock.ts';
import { catalogueSource, frameworks } from './catalogue-seed.ts';
import type { AccountabilityService } from './accountability.service.ts';
import { sealBundle, type BundleLedger, type SealedBundle } from './bundle-writer.ts';
import type { CatalogueService } from './catalogue.service.ts';
import { requirementStatuses, type DocumentKind, type GovernanceDocument, type Requirement } from './governance-model.ts';
import type { LiveEvidence, LiveEvidenceDeps } from './live-evidence.ts';

/** Facts about the key design that only the running configuration knows. */
export interface KeyDesignFacts {
  readonly provider: string;
  readonly kekVersion: number;
  readonly kekVersions: readonly number[];
  readonly dataKeyHours: number;
  readonly keyCacheSeconds: number;
}

/** What the bundles are built from. */
export interface GovernanceBundleDeps {
  readonly catalogue: CatalogueService;
  readonly accountability: AccountabilityService;
  readonly liveEvidence: () => Promise<LiveEvidence>;
  readonly ledger: BundleLedger;
  readonly clock: Clock;
  readonly keyDesign: () => KeyDesignFacts;
  /** The metadata database engine (residency facts). */
  readonly databaseEngine: string;
  /** The audit log's origin (the checkpoint line a verifier sees). */
  readonly ledgerOrigin: string;
  /**
   * Facts of the incident process once an incident register runs in this build (issue 18 items
   * 1-6); absent: the pack says the register is not available here.
   */
  readonly incidentProcess?: () => Promise<Record<string, unknown>>;
  /** Advisories, affected cameras and risk acceptances (AST-4, AST-2); absent: not available. */
  readonly cameraAdvisories?: LiveEvidenceDeps['cameraAdvisories'];
}

const json = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
const iso = (ms: number): string => new Date(ms).toISOString();

/** Builds and seals the governance bundles. */
export class GovernanceBundles {
  readonly #deps: GovernanceBundleDeps;

  constructor(deps: GovernanceBundleDeps) {
    this.#deps = deps;
  }

  /** The live-evidence bundle: metrics, catalogue (SoA), approvals, training, approved documents. */
  async evidenceBundle(by: AuditContext): Promise<SealedBundle> {
    const { catalogue, accountability } = this.#deps;
    const [live, requirements, approvals, training, documents] = await Promise.all([this.#deps.liveEvidence(), catalogue.list(), accountability.approvals(), accountability.training(), accountability.documents()]);
    const contents = new Map<string, Buffer>([
      ['contents/live-evidence.json', json(live)],
      ['contents/catalogue.json', json({ source: catalogueSource, summary: summarise(requirements), requirements: requirements.map(requirementView) })],
      ['contents/approvals.json', json(approvals.map((a) => ({ ...a, approvedAt: iso(a.approvedMs), document: `documents/${a.documentSha256}` })))],
      ['contents/training.json', json(training.map((t) => ({ ...t, attestedAt: iso(t.attestedMs) })))],
      ['contents/documents.json', json(documents.map(documentView))],
    ]);
    const cited = new Set([...approvals.map((a) => a.documentId)]);
    await this.#attach(contents, documents.filter((d) => cited.has(d.id)));
    return sealBundle({ kind: 'evidence', contents, ledger: this.#deps.ledger, clock: this.#deps.clock, by });
  }

  /** The readiness pack: the six buyer questions answered from facts and documents on file. */
  async readinessPack(by: AuditContext): Promise<SealedBundle> {
    const { accountability } = this.#deps;
    const [live, requirements, documents, approvals] = await Promise.all([this.#deps.liveEvidence(), this.#deps.catalogue.list(), accountability.documents(), accountability.approvals()]);
    const ofKind = (...kinds: DocumentKind[]) => documents.filter((d) => kinds.includes(d.kind));
    const metric = (id: string) => live.metrics.find((m) => m.id === id);
    const cite = (docs: readonly GovernanceDocument[]) => docs.map((d) => ({ ...documentView(d), approvals: approvals.filter((a) => a.documentId === d.id).map((a) => ({ approver: a.approverName, function: a.approverFunction, at: iso(a.approvedMs) })) }));
    const answer = (id: string, question: string, docs: readonly GovernanceDocument[], facts: Record<string, unknown>, missing: string) => ({
      id,
      question,
      status: docs.length > 0 ? 'available' : Object.keys(facts).length > 0 ? 'facts only' : 'not available',
      answer: docs.length > 0 ? `${docs.length} document${docs.length === 1 ? '' : 's'} on file` : missing,
      facts,
      documents: cite(docs),
    });
    const incident = this.#deps.incidentProcess === undefined ? undefined : await this.#deps.incidentProcess();
    const advisories = this.#deps.cameraAdvisories === undefined ? undefined : await this.#deps.cameraAdvisories();
    const key = this.#deps.keyDesign();
    const questions = [
      answer('certifications', 'Which security certifications do you hold?', ofKind('certification'), { statementOfApplicability: summarise(requirements) }, 'not available: no certificate is on file; the Statement of Applicability below is a self-assessment, not a certification'),
      answer('sbom', 'Can you supply a software bill of materials (SBOM)?', ofKind('sbom'), {}, 'not available: Custos does not generate an SBOM yet and none is on file'),
      answer(
        'encryption-and-keys',
        'How are data encrypted and keys managed?',
        ofKind('key-design'),
        {
          footage: 'AES-256-GCM per chunk, one data key per camera per window (envelope encryption), keys destroyed at retention (crypto-shredding)',
          dataKeyHours: key.dataKeyHours,
          keyCacheSeconds: key.keyCacheSeconds,
          masterKeyProvider: key.provider,
          masterKeyVersion: key.kekVersion,
          masterKeyVersions: [...key.kekVersions],
          auditLedger: `Merkle tree (C2SP tlog) with Ed25519-signed checkpoints, log origin ${this.#deps.ledgerOrigin}`,
          transport: 'HTTPS with TLS 1.3 only; cameras over rtsps:// verified, or rtsp:// in clear (see plaintext-cameras)',
          liveEvidence: ['encryption-coverage', 'key-rotation-age', 'plaintext-cameras'].map(metric).filter((m) => m !== undefined),
        },
        'no key-design document on file; the facts come from the running system',
      ),
      answer(
        'incident-process',
        'How do you handle incidents within the NIS2 24 h / 72 h / one-month deadlines?',
        ofKind('incident-process'),
        incident === undefined
          ? { incidentRegister: 'not available in this build: the incident register with the 24 h / 72 h / one-month clocks is not part of it', alarms: 'ledger alarm rules (LOG-6) are recorded as alarm.raised events' }
          : incident,
        'no incident-process document on file',
      ),
      answer(
        'residency',
        'Where are data stored, and can residency be chosen?',
        ofKind('residency'),
        { databaseEngine: this.#deps.databaseEngine, footageAndKeys: 'in the data directory of the host running Custos and in its configured database', residencyReport: 'not available: Custos produces no residency report yet' },
        'no residency document on file',
      ),
      answer('references', 'Which reference deployments can you name?', ofKind('reference'), {}, 'not available: no reference deployment is on file'),
      answer(
        'camera-vulnerabilities',
        'Which connected cameras are affected by known vulnerabilities, and which risks were accepted?',
        ofKind('risk-acceptance'),
        advisories === undefined
          ? {}
          : {
              advisoriesImported: advisories.imported,
              affectedCameras: [...new Set(advisories.open.flatMap((a) => a.cameraIds))],
              openAdvisories: advisories.open.map((a) => ({ ...a, cves: [...a.cves], cameraIds: [...a.cameraIds] })),
              riskAcceptances: advisories.acceptances.map((a) => ({ ...a })),
              liveEvidence: ['camera-advisories'].map(metric).filter((m) => m !== undefined),
            },
        advisories === undefined ? 'not available: advisories are not matched in this build' : 'no risk-acceptance document on file; the facts come from the inventory, the imported advisories and the four-eyes acceptances',
      ),
    ];
    const contents = new Map<string, Buffer>([['contents/readiness.json', json({ format: 'custos-readiness/v1', measuredAt: live.measuredAt, questions })]]);
    const citedIds = new Set(questions.flatMap((q) => q.documents.map((d) => d.id)));
    await this.#attach(contents, documents.filter((d) => citedIds.has(d.id)));
    return sealBundle({ kind: 'readiness', contents, ledger: this.#deps.ledger, clock: this.#deps.clock, by });
  }

  async #attach(contents: Map<string, Buffer>, documents: readonly GovernanceDocument[]): Promise<void> {
    for (const d of documents) contents.set(`documents/${d.sha256}`, (await this.#deps.accountability.document(d.id)).content);
  }
}

function documentView(d: GovernanceDocument) {
  return { id: d.id, kind: d.kind, title: d.title, mediaType: d.mediaType, sha256: d.sha256, bytes: d.bytes, registeredBy: d.registeredBy, registeredAt: iso(d.registeredMs), file: `documents/${d.sha256}` };
}

function requirementView(r: Requirement): Record<string, unknown> {
  return { id: r.id, framework: r.framework, ref: r.ref, title: r.title, status: r.status, applicable: r.status !== 'not-applicable', owner: r.owner, evidence: r.evidence, reason: r.reason, updatedBy: r.updatedBy, updatedAt: iso(r.updatedMs) };
}

/** Requirement counts by framework and status. */
export function summarise(requirements: readonly Requirement[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const f of frameworks) out[f] = Object.fromEntries(requirementStatuses.map((s) => [s, requirements.filter((r) => r.framework === f && r.status === s).length]));
  return out;
}
