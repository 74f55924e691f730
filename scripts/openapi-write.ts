// Writes docs/reference/openapi.json from the route table and the console's API types generated
// from it (web/src/api/openapi.d.ts) (npm run openapi); tests fail on drift of either.
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/routes.ts';
import { renderWebApiTypes, webApiTypesFile } from './web-api-types.ts';

const document = openApiDocument();
writeFileSync(new URL('../docs/reference/openapi.json', import.meta.url), `${JSON.stringify(document, null, 2)}\n`);
writeFileSync(webApiTypesFile, await renderWebApiTypes(document));
