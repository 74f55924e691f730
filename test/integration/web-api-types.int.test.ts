/**
 * The console's API client cannot drift from the API: its types (web/src/api/openapi.d.ts) are
 * generated from the committed OpenAPI document, itself checked against the route table by
 * api-contract.int.test.ts. Real openapi-typescript, real files.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { renderWebApiTypes, webApiTypesFile } from '../../scripts/web-api-types.ts';

test('the committed console API types match docs/reference/openapi.json', async () => {
  const committed = await readFile(webApiTypesFile, 'utf8');
  assert.ok(committed === (await renderWebApiTypes()), 'web/src/api/openapi.d.ts is stale: run npm run openapi');
});
