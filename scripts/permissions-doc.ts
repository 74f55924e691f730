// Writes docs/reference/permissions.md from the permissions, roles and route table (npm run permissions).
import { writeFileSync } from 'node:fs';
import { renderPermissionsDoc } from '../src/access/permissions-doc.ts';
import { routeTable, type RouteDeps } from '../src/routes.ts';

writeFileSync(new URL('../docs/reference/permissions.md', import.meta.url), renderPermissionsDoc(routeTable(undefined as unknown as RouteDeps)));
