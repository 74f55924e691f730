// Writes custos.example.yaml from the config schema (npm run config:example).
import { writeFileSync } from 'node:fs';
import { renderExampleYaml } from '../src/config/example-yaml.ts';

writeFileSync(new URL('../custos.example.yaml', import.meta.url), renderExampleYaml());
