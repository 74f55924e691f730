import { stringify } from 'yaml';
import { describeConfig } from './config-keys.ts';

/**
 * Renders `custos.example.yaml` from the schema: every key with its description, environment
 * variable and default. `config.test.ts` fails when the committed file differs.
 */
export function renderExampleYaml(): string {
  const { keys, sections } = describeConfig();
  const lines = [
    '# Custos configuration: every key with its default. Generated from src/config/schema.ts',
    '# (npm run config:example); a test fails when this file and the schema disagree.',
    '# Precedence: defaults → this file (--config) → CUSTOS_* environment → CUSTOS_*_FILE secret files.',
    '',
  ];
  const opened = new Set<string>();
  for (const key of keys) {
    const parts = key.path.split('.');
    for (let depth = 1; depth < parts.length; depth++) {
      const sectionPath = parts.slice(0, depth).join('.');
      if (opened.has(sectionPath)) continue;
      opened.add(sectionPath);
      const indent = '  '.repeat(depth - 1);
      const section = sections.find((s) => s.path === sectionPath);
      if (depth === 1) lines.push('');
      lines.push(`${indent}# ${section?.description ?? ''}`, `${indent}${parts[depth - 1]}:`);
    }
    const indent = '  '.repeat(parts.length - 1);
    const name = parts[parts.length - 1];
    const options = key.enum ? ` One of: ${key.enum.join(', ')}.` : '';
    const secretNote = key.secret ? ` Or a file named by ${key.env}_FILE.` : '';
    lines.push(`${indent}# ${key.description}${options} Env: ${key.env}.${secretNote}`);
    const value = key.default === undefined ? null : key.default;
    // A non-empty list in flow style (`[recorder, api]`): block style would need its own lines.
    lines.push(`${indent}${name}: ${stringify(value, Array.isArray(value) ? { collectionStyle: 'flow' } : {}).trim()}`);
  }
  return `${lines.join('\n')}\n`;
}
