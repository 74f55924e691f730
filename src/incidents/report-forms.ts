import type { ClockView } from './clocks.ts';
import type { Incident } from './incident.ts';
import type { ReportStage } from './report-stages.ts';
import { formatInZone } from './zoned-time.ts';

/**
 * The mapping layer of reports (INC-5): a form turns an incident and a stage into labelled
 * sections; the JSON and PDF outputs are made from those sections only, so a national CSIRT's
 * form is a new {@link ReportForm} beside the generic one, not a new generator. Pure.
 */
export interface ReportField {
  /** Stable key (the JSON field name). */
  readonly key: string;
  readonly label: string;
  readonly value: string;
}

export interface ReportSection {
  readonly title: string;
  readonly fields: readonly ReportField[];
}

export interface ReportForm {
  readonly id: string;
  readonly title: string;
  sections(incident: Incident, stage: ReportStage, ctx: { readonly clocks: readonly ClockView[]; readonly timeZone: string; readonly generatedMs: number }): ReportSection[];
}

const stageTitles: Readonly<Record<ReportStage, string>> = {
  'early-warning': 'Early warning (NIS2 Art. 23(4)(a), within 24 hours)',
  notification: 'Incident notification (NIS2 Art. 23(4)(b), within 72 hours)',
  intermediate: 'Intermediate report (NIS2 Art. 23(4)(c))',
  final: 'Final report (NIS2 Art. 23(4)(d), one month after the notification)',
  progress: 'Progress report (NIS2 Art. 23(4)(e))',
  'gdpr-art33': 'Personal data breach notification (GDPR Art. 33)',
};

/** The title of a stage. */
export function stageTitle(stage: ReportStage): string {
  return stageTitles[stage];
}

const orNone = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '—' : String(v));
const listOf = (v: readonly (string | number)[]) => (v.length === 0 ? '—' : v.join('; '));

/** The generic form: every INC-1 field a stage calls for, labelled in English. */
export const genericForm: ReportForm = {
  id: 'custos-generic-v1',
  title: 'Custos generic NIS2 incident report',
  sections(i, stage, ctx) {
    const when = (iso: string | null) => (iso === null ? '—' : `${iso} (${formatInZone(Date.parse(iso), ctx.timeZone)})`);
    const due = ctx.clocks.find((c) => c.id === stage);
    const header: ReportSection = {
      title: stageTitle(stage),
      fields: [
        { key: 'incidentId', label: 'Incident', value: i.id },
        { key: 'title', label: 'Title', value: i.title },
        { key: 'stage', label: 'Stage', value: stage },
        { key: 'due', label: 'Due', value: due?.dueMs == null ? '—' : `${new Date(due.dueMs).toISOString()} (${due.dueLocal ?? ''})` },
        { key: 'generatedAt', label: 'Generated', value: when(new Date(ctx.generatedMs).toISOString()) },
      ],
    };
    const times: ReportSection = {
      title: 'Times',
      fields: [
        { key: 'awareAt', label: 'Aware', value: when(i.awareAt) },
        { key: 'detectedAt', label: 'Detected', value: when(i.detectedAt) },
        { key: 'occurredAt', label: 'Occurred', value: when(i.occurredAt) },
        { key: 'containedAt', label: 'Contained', value: when(i.containedAt) },
        { key: 'recoveredAt', label: 'Recovered', value: when(i.recoveredAt) },
        { key: 'closedAt', label: 'Handling ended', value: when(i.closedAt) },
      ],
    };
    const assessment: ReportSection = {
      title: 'Assessment',
      fields: [
        { key: 'suspectedMalicious', label: 'Suspected unlawful or malicious act', value: i.suspectedMalicious },
        { key: 'crossBorder', label: 'Possible cross-border impact', value: i.crossBorder },
        { key: 'affectedMemberStates', label: 'Affected member states', value: listOf(i.affectedMemberStates) },
        { key: 'category', label: 'Category', value: orNone(i.category) },
        { key: 'severity', label: 'Severity', value: orNone(i.severity) },
        { key: 'description', label: 'Description', value: orNone(i.description) },
        ...(stage === 'early-warning' ? [] : [{ key: 'initialAssessment', label: 'Initial assessment', value: orNone(i.initialAssessment) }, { key: 'impact', label: 'Severity and impact', value: orNone(i.impact) }, { key: 'indicators', label: 'Indicators of compromise', value: listOf(i.indicators) }]),
        { key: 'significant', label: 'Significant', value: i.significance.significant ? 'yes' : 'no' },
        ...i.significance.criteria.map((c) => ({ key: `criterion.${c.criterion}`, label: `Criterion ${c.criterion}`, value: `${c.met ? 'met' : 'not met'}: ${c.reasoning}` })),
      ],
    };
    const handling: ReportSection = {
      title: 'Cause and handling',
      fields: [
        { key: 'statusUpdate', label: 'Status', value: orNone(i.statusUpdate) },
        { key: 'rootCause', label: 'Root cause', value: orNone(i.rootCause) },
        { key: 'threatType', label: 'Threat type', value: orNone(i.threatType) },
        { key: 'mitigationsApplied', label: 'Mitigations applied', value: listOf(i.mitigationsApplied) },
        { key: 'mitigationsOngoing', label: 'Mitigations ongoing', value: listOf(i.mitigationsOngoing) },
      ],
    };
    const affected: ReportSection = {
      title: 'Affected',
      fields: [
        { key: 'affectedServices', label: 'Services', value: listOf(i.affectedServices) },
        { key: 'affectedCameras', label: 'Cameras', value: listOf(i.affectedCameras) },
        { key: 'affectedUsers', label: 'Users', value: orNone(i.affectedUsers) },
        { key: 'affectedPersons', label: 'Persons (personal data)', value: orNone(i.affectedPersons) },
        { key: 'estimatedLossEur', label: 'Estimated loss (EUR)', value: orNone(i.estimatedLossEur) },
        { key: 'personalDataBreach', label: 'Personal data breach', value: i.personalDataBreach ? 'yes' : 'no' },
        { key: 'ledgerEvents', label: 'Ledger events', value: listOf(i.ledgerEvents) },
        { key: 'evidenceExports', label: 'Evidence exports', value: listOf(i.evidenceExports) },
      ],
    };
    const bySection: Readonly<Record<ReportStage, ReportSection[]>> = {
      'early-warning': [header, times, assessment],
      notification: [header, times, assessment, affected],
      intermediate: [header, times, handling],
      final: [header, times, assessment, handling, affected],
      progress: [header, times, handling, affected],
      'gdpr-art33': [header, times, assessment, handling, affected],
    };
    return bySection[stage];
  },
};

/** The forms known, by id. */
export const reportForms: ReadonlyMap<string, ReportForm> = new Map([[genericForm.id, genericForm]]);
