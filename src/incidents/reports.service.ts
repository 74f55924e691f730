import { createHash } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { computeClocks } from './clocks.ts';
import { clockFacts, type IncidentsService } from './incidents.service.ts';
import { reportForms, stageTitle, type ReportSection } from './report-forms.ts';
import { reportHtml } from './report-html.ts';
import { missingFor, type ReportStage } from './report-stages.ts';

/** A generated report. */
export interface GeneratedReport {
  readonly contentType: 'application/json' | 'application/pdf';
  readonly bytes: Buffer;
  /** SHA-256 (hex) of `bytes`: what a submission records as sent. */
  readonly sha256: string;
  readonly sections: readonly ReportSection[];
}

/** Renders printable HTML to PDF (pdf-renderer.ts binds Chromium). */
export interface HtmlToPdf {
  render(html: string): Promise<Buffer>;
}

/**
 * Report generation (INC-5). Contracts: a stage lacking its required content (report-stages.ts)
 * is refused with REPORT_INCOMPLETE, `detail.missing` listing what to fill; refusals and
 * reports are both recorded (`incident.report.generated`, failure or success, with the SHA-256
 * of the output). JSON and PDF come from the same sections of the form (report-forms.ts).
 */
export class ReportsService {
  readonly #incidents: IncidentsService;
  readonly #pdf: HtmlToPdf;
  readonly #clock: Clock;

  constructor(deps: { incidents: IncidentsService; pdf: HtmlToPdf; clock: Clock }) {
    this.#incidents = deps.incidents;
    this.#pdf = deps.pdf;
    this.#clock = deps.clock;
  }

  async generate(id: string, stage: ReportStage, format: 'json' | 'pdf', formId: string, by: AuditContext): Promise<GeneratedReport> {
    const form = reportForms.get(formId);
    if (form === undefined) throw new AppError('VALIDATION_FAILED', `no report form ${formId}; known: ${[...reportForms.keys()].join(', ')}`);
    const incident = await this.#incidents.get(id);
    const missing = missingFor(incident, stage);
    if (missing.length > 0) {
      await this.#incidents.recordGenerated(id, { stage, format, form: form.id, missing }, 'failure', by);
      throw new AppError('REPORT_INCOMPLETE', `the ${stage} report of incident ${id} lacks: ${missing.join(', ')}`, { missing });
    }
    const now = this.#clock.now();
    const timeZone = this.#incidents.timeZone;
    const sections = form.sections(incident, stage, { clocks: computeClocks(clockFacts(incident), now, timeZone), timeZone, generatedMs: now });
    let bytes: Buffer;
    if (format === 'json') {
      const fields: Record<string, string> = {};
      for (const s of sections) for (const f of s.fields) fields[f.key] = f.value;
      bytes = Buffer.from(`${JSON.stringify({ form: form.id, stage, incidentId: id, version: incident.version, generatedAt: new Date(now).toISOString(), timeZone, fields, sections }, null, 2)}\n`);
    } else {
      bytes = await this.#pdf.render(reportHtml(`${form.title}: ${stageTitle(stage)}`, sections));
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.#incidents.recordGenerated(id, { stage, format, form: form.id, version: incident.version, sha256 }, 'success', by);
    return { contentType: format === 'json' ? 'application/json' : 'application/pdf', bytes, sha256, sections };
  }
}
