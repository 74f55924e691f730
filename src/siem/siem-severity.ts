/**
 * One severity scale for every SIEM format, from the catalogue's OCSF `severity_id`
 * (1 informational, 2 low, 3 medium, 4 high, 5 critical; src/audit/catalogue.ts).
 */

/**
 * CEF Severity (0–10; 0–3 Low, 4–6 Medium, 7–8 High, 9–10 Very-High; CEF implementation
 * standard, "CEF Header" table, Severity) and LEEF `sev` (1–10; LEEF 2.0 guide, "Predefined LEEF
 * event attributes", sev). Informational maps to 1 so a SIEM never reads it as "unknown" (0).
 */
export function tenPointSeverity(severityId: number): number {
  switch (severityId) {
    case 1: return 1;
    case 2: return 3;
    case 3: return 5;
    case 4: return 8;
    case 5: return 10;
    default: return 5;
  }
}

/**
 * RFC 5424 §6.2.1 Severity (0 Emergency … 7 Debug): informational 6, low 5 (Notice),
 * medium 4 (Warning), high 3 (Error), critical 2 (Critical). Nothing an audit ledger records is
 * an Alert or an Emergency of the host itself.
 */
export function syslogSeverity(severityId: number): number {
  switch (severityId) {
    case 1: return 6;
    case 2: return 5;
    case 3: return 4;
    case 4: return 3;
    case 5: return 2;
    default: return 5;
  }
}
