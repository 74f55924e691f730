import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../lib/errors.ts';
import { configSchema, type Config } from './schema.ts';
import { describeConfig, type ConfigKey } from './config-keys.ts';
import { Secret } from './secret.ts';

/** Where configuration comes from; passed in so tests never touch the real environment. */
export interface ConfigSources {
  /** Path of a YAML file (`--config`), or null for none. */
  readonly file: string | null;
  /** Environment variables; only `CUSTOS_*` ones are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Values set by the CLI (e.g. `--data-dir`), applied after the environment. */
  readonly overrides?: Record<string, unknown>;
}

/**
 * Loads configuration: defaults → YAML file → `CUSTOS_*` environment → `CUSTOS_*_FILE` secret
 * files → CLI overrides. Unknown keys, unknown `CUSTOS_*` variables and bad values throw
 * AppError CONFIG_INVALID whose message is one line naming the key.
 */
export async function loadConfig(sources: ConfigSources): Promise<Config> {
  const raw: Record<string, unknown> = {};
  if (sources.file !== null) {
    let text: string;
    try {
      text = await readFile(sources.file, 'utf8');
    } catch (e) {
      throw new AppError('CONFIG_INVALID', `config: cannot read ${sources.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new AppError('CONFIG_INVALID', `config: ${sources.file} is not valid YAML: ${firstLine((e as Error).message)}`);
    }
    if (doc !== null && doc !== undefined) {
      if (typeof doc !== 'object' || Array.isArray(doc)) {
        throw new AppError('CONFIG_INVALID', `config: ${sources.file} must hold a mapping of keys`);
      }
      Object.assign(raw, doc);
    }
  }
  const { keys } = describeConfig();
  await applyEnv(raw, keys, sources.env);
  for (const [path, value] of Object.entries(sources.overrides ?? {})) setPath(raw, path, value);

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    const where = keys.find((k) => k.path === path);
    const hint = where ? ` (file key ${path} or ${where.env})` : '';
    throw new AppError('CONFIG_INVALID', `config: ${path || '(root)'}: ${issue?.message ?? 'invalid'}${hint}`);
  }
  return result.data;
}

async function applyEnv(raw: Record<string, unknown>, keys: ConfigKey[], env: ConfigSources['env']): Promise<void> {
  const byEnv = new Map(keys.map((k) => [k.env, k]));
  const secretFiles = new Map(keys.filter((k) => k.secret).map((k) => [`${k.env}_FILE`, k]));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('CUSTOS_') || value === undefined) continue;
    const key = byEnv.get(name);
    if (key) {
      setPath(raw, key.path, coerce(key, name, value));
      continue;
    }
    const fileKey = secretFiles.get(name);
    if (fileKey) {
      let text: string;
      try {
        text = await readFile(value, 'utf8');
      } catch (e) {
        throw new AppError('CONFIG_INVALID', `config: ${name}: cannot read secret file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      setPath(raw, fileKey.path, new Secret(text.trim()));
      continue;
    }
    throw new AppError('CONFIG_INVALID', `config: unknown environment variable ${name}`);
  }
}

function coerce(key: ConfigKey, name: string, value: string): unknown {
  if (key.type === 'number' || key.type === 'integer') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new AppError('CONFIG_INVALID', `config: ${key.path}: expected a number in ${name}, got "${value}"`);
    }
    return n;
  }
  if (key.type === 'boolean') {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new AppError('CONFIG_INVALID', `config: ${key.path}: expected true or false in ${name}`);
  }
  // A list (its default is one) is written comma-separated: CUSTOS_RECORDING_CAMERA_NETWORKS_DENY=10.0.0.0/8,fd00::/8
  if (Array.isArray(key.default)) return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  return key.secret ? new Secret(value) : value;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
