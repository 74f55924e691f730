import { z } from 'zod';
import { jurisdiction } from './jurisdiction.ts';

/**
 * The `witnesses` part of the one configuration schema (schema.ts composes it): C2SP
 * tlog-witnesses every newly signed audit checkpoint is offered to (docs/reference/witnesses.md).
 */

/** A witness vkey of cosignature/v1 (signature type 0x04): `<name>+<8 hex>+<base64>`. */
const witnessKey = z
  .string()
  .regex(/^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/, 'a witness key is <name>+<key id>+<base64 key>, as printed by "custos witness key"');

/** One witness. */
export const witnessEntry = z.strictObject({
  url: z
    .url({ protocol: /^https$/ })
    .describe('Submission prefix of the witness (https://…); checkpoints are POSTed to <url>/add-checkpoint.'),
  key: witnessKey.describe('The witness\'s verifier key (cosignature/v1 Ed25519 vkey, as printed by "custos witness key"); its name identifies the witness.'),
  jurisdiction: jurisdiction.describe('ISO 3166-1 alpha-2 country code where the witness runs (it receives checkpoints: sizes and root hashes, no personal data).'),
  timeoutSeconds: z.number().min(0.1).max(300).default(10).describe('A request to the witness that takes longer than this fails (retried with the next checkpoint).'),
  caFile: z.string().nullable().default(null).describe('PEM of a CA (or the self-signed certificate) to trust for the witness\'s TLS certificate, besides the system store.'),
});

/** The `witnesses` list. */
export const witnesses = z
  .array(witnessEntry)
  .default([])
  .describe('Witnesses that cosign the audit ledger\'s checkpoints (C2SP tlog-witness); a refusal raises audit.witness.refused.');

/** One configured witness with defaults applied. */
export type WitnessConfig = z.output<typeof witnessEntry>;
