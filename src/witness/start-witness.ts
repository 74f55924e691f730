import { join } from 'node:path';
import { ensurePrivateDir } from '../lib/durable-files.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { loadTlsMaterial } from '../http/tls.ts';
import type { Verifier } from '../tlog/signed-note.ts';
import { cosignerOf, formatCosignerKey } from '../tlog/cosignature.ts';
import { Witness } from './witness.ts';
import { loadOrMakeWitnessKey } from './witness-key.ts';
import { openWitnessState } from './witness-state.store.ts';
import { listenWitness } from './witness-server.ts';

/** A running witness. */
export interface RunningWitness {
  /** Its verifier key (cosignature/v1 vkey). */
  readonly vkey: string;
  readonly port: number;
  /** True when its key was made by this start. */
  readonly created: boolean;
  /** PEM of its TLS certificate (to trust a self-signed one). */
  readonly certificatePem: string;
  close(): Promise<void>;
}

/**
 * Starts a witness (the assembly of `custos witness serve` and the tests): in `stateDir` (made
 * 0700) its key `witness.key` (made at first start, 0600), its state `witness.sqlite` (0600)
 * and, without `certFile`/`keyFile`, a self-signed certificate under `tls/`.
 */
export async function startWitness(opts: {
  stateDir: string;
  name: string;
  logs: readonly Verifier[];
  host: string;
  port: number;
  certFile: string | null;
  keyFile: string | null;
  clock: Clock;
  log: Logger;
}): Promise<RunningWitness> {
  await ensurePrivateDir(opts.stateDir);
  const { key, created } = await loadOrMakeWitnessKey(join(opts.stateDir, 'witness.key'));
  const tls = await loadTlsMaterial({ certFile: opts.certFile, keyFile: opts.keyFile, dataDir: opts.stateDir });
  const state = await openWitnessState(join(opts.stateDir, 'witness.sqlite'));
  try {
    const witness = new Witness({ name: opts.name, key, logs: opts.logs, state, clock: opts.clock, log: opts.log });
    const listener = await listenWitness({ witness, tls, host: opts.host, port: opts.port, log: opts.log });
    return {
      vkey: witness.vkey,
      port: listener.port,
      created,
      certificatePem: tls.cert,
      async close() {
        await listener.close();
        state.close();
      },
    };
  } catch (e) {
    state.close();
    throw e;
  }
}

/** The verifier key of the witness in `stateDir` (its key made when missing). */
export async function witnessKeyOf(stateDir: string, name: string): Promise<string> {
  await ensurePrivateDir(stateDir);
  const { key } = await loadOrMakeWitnessKey(join(stateDir, 'witness.key'));
  return formatCosignerKey(cosignerOf(name, key));
}
