import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A private SoftHSM2 with one initialised token, for PKCS#11 integration tests. */
export interface SoftHsm {
  /** Path of the PKCS#11 module (libsofthsm2.so). */
  readonly module: string;
  readonly tokenLabel: string;
  /** User PIN of the token. */
  readonly pin: string;
  /** Security officer PIN of the token. */
  readonly soPin: string;
  /** Removes the token directory and restores SOFTHSM2_CONF. */
  cleanup(): Promise<void>;
}

/** Where Debian's softhsm2 package puts the module; CUSTOS_TEST_SOFTHSM_MODULE overrides it. */
export const softHsmModule = process.env.CUSTOS_TEST_SOFTHSM_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';

/**
 * Makes a private SoftHSM2 configuration (SOFTHSM2_CONF → a temporary token directory) and
 * initialises a token with `softhsm2-util --init-token --free`. SOFTHSM2_CONF is read when the
 * module is initialised (C_Initialize), so this MUST run before any provider opens the module,
 * and tests sharing a process MUST share one SoftHSM (call it once per test file).
 */
export async function createSoftHsm(opts: { tokenLabel?: string; pin?: string } = {}): Promise<SoftHsm> {
  const tokenLabel = opts.tokenLabel ?? 'custos';
  const pin = opts.pin ?? '246810';
  const soPin = '13579111';
  const dir = await mkdtemp(join(tmpdir(), 'custos-softhsm-'));
  const tokens = join(dir, 'tokens');
  await mkdir(tokens, { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  await writeFile(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  try {
    await promisify(execFile)('softhsm2-util', ['--init-token', '--free', '--label', tokenLabel, '--so-pin', soPin, '--pin', pin], {
      env: { ...process.env, SOFTHSM2_CONF: conf },
    });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`softhsm2-util --init-token failed (is the softhsm2 package installed?): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return {
    module: softHsmModule,
    tokenLabel,
    pin,
    soPin,
    async cleanup() {
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
