import type { Incident } from './incident.ts';

/**
 * The report stages of NIS2 Art. 23(4) and GDPR Art. 33, and the content each MUST carry
 * (../shared/requirements/NIS2-GDPR.md, "Art. 23, reporting"). A stage lacking any of it is
 * refused with the list of what is missing (INC-5). Pure.
 */
export const reportStages = ['early-warning', 'notification', 'intermediate', 'final', 'progress', 'gdpr-art33'] as const;
export type ReportStage = (typeof reportStages)[number];

/** One requirement: a name shown in the missing list, and whether the incident meets it. */
interface Requirement {
  readonly name: string;
  readonly met: (i: Incident) => boolean;
}

const present = (name: keyof Incident): Requirement => ({ name, met: (i) => i[name] !== null && i[name] !== '' });
const answered = (name: 'suspectedMalicious' | 'crossBorder'): Requirement => ({ name, met: (i) => i[name] !== 'unknown' });
const nonEmpty = (name: 'mitigationsApplied' | 'indicators' | 'affectedMemberStates'): Requirement => ({ name, met: (i) => i[name].length > 0 });
const rootCause: Requirement = { name: 'rootCause (or threatType)', met: (i) => i.rootCause !== null || i.threatType !== null };
const memberStates: Requirement = { name: 'affectedMemberStates (cross-border impact is yes)', met: (i) => i.crossBorder !== 'yes' || i.affectedMemberStates.length > 0 };

/** What each stage requires. */
export const stageRequirements: Readonly<Record<ReportStage, readonly Requirement[]>> = {
  // "suspected unlawful or malicious cause? possible cross-border impact?": both asked; `unknown` is an answer at 24 h.
  'early-warning': [present('description')],
  notification: [present('description'), present('initialAssessment'), present('severity'), present('impact')],
  intermediate: [present('statusUpdate')],
  final: [present('description'), present('severity'), present('impact'), rootCause, nonEmpty('mitigationsApplied'), answered('crossBorder'), memberStates],
  progress: [present('statusUpdate'), nonEmpty('mitigationsApplied')],
  'gdpr-art33': [{ name: 'personalDataBreach', met: (i) => i.personalDataBreach }, present('description'), present('affectedPersons'), present('impact'), nonEmpty('mitigationsApplied')],
};

/** The names of what `incident` lacks for `stage`; empty when the stage can be produced. */
export function missingFor(incident: Incident, stage: ReportStage): string[] {
  return stageRequirements[stage].filter((r) => !r.met(incident)).map((r) => r.name);
}
