// Writes docs/reference/audit-events.md from the audit event catalogue and alarm rules (npm run audit:catalogue).
import { writeFileSync } from 'node:fs';
import { renderAuditCatalogueDoc } from '../src/audit/catalogue-doc.ts';

writeFileSync(new URL('../docs/reference/audit-events.md', import.meta.url), renderAuditCatalogueDoc());
