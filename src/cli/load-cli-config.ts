import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { CliIo } from './args.ts';

/** Loads configuration for a CLI command from `--config`, `--data-dir` and the environment. */
export function loadCliConfig(values: { config?: string | undefined; 'data-dir'?: string | undefined }, io: CliIo, overrides: Record<string, unknown> = {}): Promise<Config> {
  return loadConfig({
    file: values.config ?? null,
    env: io.env,
    overrides: { ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}), ...overrides },
  });
}
