import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { renderAuditCatalogueDoc } from './catalogue-doc.ts';
import { auditCatalogue, isAuditEventType } from './catalogue.ts';
import { alarmRules } from './alarm-rules.ts';

const srcDir = fileURLToPath(new URL('..', import.meta.url));

/** Audit-looking event types written as `type: '<name>'` in a source text. */
function emittedTypes(source: string): string[] {
  const audit = /^(audit|camera|recording|footage|key|auth|access|alarm)\.[a-z_.]+$/;
  return [...source.matchAll(/\btype\s*:\s*(['"`])([^'"`\n]+)\1/g)].map((m) => m[2] ?? '').filter((t) => audit.test(t));
}

/** The emitted types of `source` that the catalogue lacks. */
function uncatalogued(source: string): string[] {
  return emittedTypes(source).filter((t) => !isAuditEventType(t));
}

test('docs/reference/audit-events.md matches the catalogue and alarm rules', async () => {
  const committed = await readFile(new URL('../../docs/reference/audit-events.md', import.meta.url), 'utf8');
  assert.equal(committed, renderAuditCatalogueDoc(), 'docs/reference/audit-events.md is stale: run npm run audit:catalogue');
});

test('the reference page lists every event type and every alarm rule', () => {
  const page = renderAuditCatalogueDoc();
  for (const type of Object.keys(auditCatalogue)) assert.ok(page.includes(`| \`${type}\` |`), `${type} is missing`);
  for (const rule of Object.keys(alarmRules)) assert.ok(page.includes(`| \`${rule}\` |`), `${rule} is missing`);
});

test('the scanner finds emitted types and names the ones the catalogue lacks', () => {
  const sample = [
    "await audit.record({ type: 'camera.created', actor, outcome: 'success' });",
    'const input = { type: "camera.exploded", actor, outcome: "failure" };',
    "audit.record({ ...input, type: `footage.played` });",
    "options: { port: { type: 'string' } }, { type: 'text/html; charset=utf-8' }",
  ].join('\n');
  assert.deepEqual(emittedTypes(sample), ['camera.created', 'camera.exploded', 'footage.played']);
  assert.deepEqual(uncatalogued(sample), ['camera.exploded']);
});

test('every event type emitted in src/ is in the catalogue', async () => {
  const files = (await readdir(srcDir, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== join('audit', 'catalogue.ts'));
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const source = await readFile(join(srcDir, file), 'utf8');
    for (const type of emittedTypes(source)) seen.add(type);
    for (const type of uncatalogued(source)) missing.push(`${type} (src/${file})`);
  }
  assert.ok(seen.has('alarm.raised'), 'the scan must see the alarm rules emit alarm.raised');
  assert.deepEqual(missing, [], `event types emitted but not in src/audit/catalogue.ts: ${missing.join(', ')}`);
});
