// Writes docs/reference/openapi.json from the route table (npm run openapi); a test fails on drift.
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/routes.ts';

writeFileSync(new URL('../docs/reference/openapi.json', import.meta.url), `${JSON.stringify(openApiDocument(), null, 2)}\n`);
