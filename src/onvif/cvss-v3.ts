/**
 * The CVSS v3.0/v3.1 base score of a vector string (FIRST, CVSS v3.1 Specification §7.1 and
 * Appendix A "Roundup"), for OSV records that give a vector but no rating. Pure; null for a
 * vector that is not a complete, valid v3 base vector (temporal/environmental metrics are
 * ignored).
 */

const weights = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** CVSS v3.1 Roundup: the smallest number with one decimal ≥ x, free of floating-point artefacts. */
function roundUp(x: number): number {
  const i = Math.round(x * 100_000);
  return i % 10_000 === 0 ? i / 100_000 : (Math.floor(i / 10_000) + 1) / 10;
}

/** The base score (0.0-10.0) of `vector`, or null. */
export function cvssV3BaseScore(vector: string): number | null {
  const parts = vector.trim().split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return null;
  const m = new Map<string, string>();
  for (const p of parts.slice(1)) {
    const [k, v, extra] = p.split(':');
    if (k === undefined || v === undefined || extra !== undefined || m.has(k)) return null;
    m.set(k, v);
  }
  const pick = <T extends Record<string, number>>(table: T, key: string): number | null => {
    const v = m.get(key);
    return v !== undefined && Object.hasOwn(table, v) ? (table[v] as number) : null;
  };
  const scope = m.get('S');
  if (scope !== 'U' && scope !== 'C') return null;
  const pr = m.get('PR');
  const prWeight = pr === 'N' ? 0.85 : pr === 'L' ? (scope === 'C' ? 0.68 : 0.62) : pr === 'H' ? (scope === 'C' ? 0.5 : 0.27) : null;
  const av = pick(weights.AV, 'AV');
  const ac = pick(weights.AC, 'AC');
  const ui = pick(weights.UI, 'UI');
  const c = pick(weights.CIA, 'C');
  const i = pick(weights.CIA, 'I');
  const a = pick(weights.CIA, 'A');
  if (prWeight === null || av === null || ac === null || ui === null || c === null || i === null || a === null) return null;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * av * ac * prWeight * ui;
  if (impact <= 0) return 0;
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}
