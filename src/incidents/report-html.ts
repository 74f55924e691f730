import type { ReportSection } from './report-forms.ts';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * The printable HTML of a report: labels above their values (one column, so extracted text
 * keeps each label and value whole), every value escaped, no script, no
 * external resource (the renderer loads it with JavaScript disabled and the network blocked).
 */
export function reportHtml(title: string, sections: readonly ReportSection[]): string {
  const body = sections
    .map((s) => `<h2>${escape(s.title)}</h2>\n<dl>\n${s.fields.map((f) => `<dt>${escape(f.label)}</dt><dd>${escape(f.value)}</dd>`).join('\n')}\n</dl>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10pt; margin: 0; }
h1 { font-size: 14pt; } h2 { font-size: 11pt; margin-top: 14pt; }
dt { font-weight: bold; margin-top: 4pt; }
dd { margin: 0 0 0 12pt; white-space: pre-wrap; }
dt, dd { break-inside: avoid; }
</style></head>
<body><h1>${escape(title)}</h1>
${body}
</body></html>`;
}
