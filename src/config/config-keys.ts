import { z } from 'zod';
import { configSchema } from './schema.ts';

/** One leaf key of the configuration, as the loader, the example file and the docs see it. */
export interface ConfigKey {
  /** Dotted path, e.g. `recording.segmentSeconds`. */
  readonly path: string;
  /** Environment variable that sets it, e.g. `CUSTOS_RECORDING_SEGMENT_SECONDS`. */
  readonly env: string;
  readonly type: 'string' | 'number' | 'integer' | 'boolean';
  readonly description: string;
  readonly default: unknown;
  readonly enum: readonly string[] | undefined;
  /** True for secrets: also settable from a file named by `<env>_FILE`. */
  readonly secret: boolean;
}

/** A described object node (a section), for headings in the example file. */
export interface ConfigSection {
  readonly path: string;
  readonly description: string;
}

interface JsonNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: string[];
  properties?: Record<string, JsonNode>;
  anyOf?: JsonNode[];
  secret?: boolean;
}

/** `segmentSeconds` → `SEGMENT_SECONDS`. */
function envPart(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function leafType(node: JsonNode): ConfigKey['type'] {
  const types = [node.type, ...(node.anyOf ?? []).map((n) => n.type)].flat().filter((t) => t && t !== 'null');
  const t = types[0];
  if (t === 'number' || t === 'integer' || t === 'boolean') return t;
  return 'string';
}

/** Walks the schema once and lists every leaf key and section, in schema order. */
export function describeConfig(): { keys: ConfigKey[]; sections: ConfigSection[] } {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonNode;
  const keys: ConfigKey[] = [];
  const sections: ConfigSection[] = [];
  const walk = (node: JsonNode, path: string[]): void => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const p = [...path, name];
      if (child.properties) {
        sections.push({ path: p.join('.'), description: child.description ?? '' });
        walk(child, p);
        continue;
      }
      keys.push({
        path: p.join('.'),
        env: `CUSTOS_${p.map(envPart).join('_')}`,
        type: leafType(child),
        description: child.description ?? '',
        // zod leaves out the default of an array whose items hold a transform (a Secret): [] then.
        default: child.default === undefined && child.type === 'array' ? [] : child.default,
        enum: child.enum ?? child.anyOf?.find((n) => n.enum)?.enum,
        secret: child.secret === true,
      });
    }
  };
  walk(root, []);
  return { keys, sections };
}
