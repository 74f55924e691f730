import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { chronicleDestination, httpDestination, sentinelDestination, splunkHecDestination, webhookDestination } from './siem-http.schema.ts';

interface JsonNode { description?: string; properties?: Record<string, JsonNode>; anyOf?: JsonNode[] }

test('every key of every HTTP SIEM destination kind is described', () => {
  for (const schema of [splunkHecDestination, sentinelDestination, chronicleDestination, webhookDestination]) {
    const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonNode;
    const walk = (node: JsonNode, path: string): void => {
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        assert.ok((child.description ?? '').length > 10, `${path}${name} has a description`);
        walk(child, `${path}${name}.`);
      }
    };
    walk(root, '');
  }
});

test('the HTTP destination configs take secrets only from files, HTTPS URLs only, and refuse unknown keys', () => {
  const hec = { kind: 'splunk-hec', id: 'splunk-1', jurisdiction: 'DE', url: 'https://splunk.example:8088', tokenFile: '/run/secrets/hec' };
  const parsed = httpDestination.parse(hec);
  assert.equal(parsed.kind, 'splunk-hec');
  assert.deepEqual(parsed.kind === 'splunk-hec' && [parsed.enabled, parsed.filter, parsed.ack.enabled, parsed.maxRequestBytes, parsed.sourcetype], [true, { types: [], minSeverity: 1 }, false, 1_000_000, 'custos:ocsf']);
  assert.throws(() => httpDestination.parse({ ...hec, token: 'inline-secret' }), /token/);
  assert.throws(() => httpDestination.parse({ ...hec, url: 'http://splunk.example:8088' }), /https/);
  assert.throws(() => httpDestination.parse({ ...hec, id: 'Splunk_1' }), /lower-case/);
  assert.throws(() => httpDestination.parse({ ...hec, jurisdiction: 'de' }), /alpha-2/);
  assert.throws(() => httpDestination.parse({ ...hec, filter: { minSeverity: 6 } }));
  const sentinel = { kind: 'sentinel', id: 's', jurisdiction: 'NL', endpoint: 'https://dce.westeurope-1.ingest.monitor.azure.com', ruleId: 'dcr-00112233445566778899aabbccddeeff', streamName: 'Custom-CustosAudit_CL', tenantId: 't', clientId: 'c', clientSecretFile: '/s' };
  assert.equal(httpDestination.parse(sentinel).kind, 'sentinel');
  assert.throws(() => httpDestination.parse({ ...sentinel, ruleId: 'my-rule' }), /immutable id/);
  assert.throws(() => httpDestination.parse({ ...sentinel, clientSecret: 'x' }), /clientSecret/);
});
