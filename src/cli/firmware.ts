import { readFile } from 'node:fs/promises';
import { openCore } from '../core.ts';
import { systemClock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { SignedManifest } from '../onvif/firmware-manifest.ts';
import { FirmwareService } from '../onvif/firmware.service.ts';
import { createFirmwareStore } from '../onvif/firmware.store.ts';
import { stageFirmwareImage } from '../onvif/firmware-staging.ts';
import { configOptions, parse, type Command, subcommand } from './args.ts';
import { cliAuditContext } from './cli-actor.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { terminalText } from './terminal-text.ts';

const usage = `Usage: custos firmware <trust-key|import|list|verify|stage> [options]

  custos firmware trust-key --key-id ID --vendor NAME --public-key-file PEM
  custos firmware import SIGNED_MANIFEST.json
  custos firmware list
  custos firmware verify IMAGE [--manifest SIGNED_MANIFEST.json]
  custos firmware stage IMAGE

The firmware trust store (AST-3). trust-key adds a vendor's signing key (Ed25519, EC P-256 or
RSA >= 2048, as a PEM public key). import verifies a signed manifest
{"manifest":{"vendor","modelPattern","version","sha256"},"keyId","algorithm","signature"} against
the trusted keys and stores it as a vetted release; a refused one exits 1 with the reason. Once a
vendor has a vetted release, cameras of that vendor whose firmware matches none are quarantined at
identification. verify checks a firmware image before it is pushed to a camera: its SHA-256 must
be that of a vetted release (or of the manifest given) whose signature verifies again under a
trusted key; it prints the release and exits 0, or exits 1 with the reason. Every change and
every verification is audited. stage verifies an image the same way and keeps it in the data
directory, named by its SHA-256, for a four-eyes push (POST /api/v1/cameras/{id}/firmware).
Common options: --config FILE, --data-dir DIR, --help.`;

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** A signed manifest file, shape-checked (the signature is checked by the service). */
async function readManifest(path: string): Promise<SignedManifest> {
  let signed: SignedManifest;
  try {
    signed = JSON.parse(await readText(path, 'the manifest')) as SignedManifest;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('VALIDATION_FAILED', 'the manifest is not JSON');
  }
  if (typeof signed !== 'object' || signed === null || typeof signed.manifest !== 'object' || signed.manifest === null) throw new AppError('VALIDATION_FAILED', 'the manifest file lacks "manifest"');
  if (typeof signed.signature !== 'string' || typeof signed.keyId !== 'string') throw new AppError('VALIDATION_FAILED', 'the manifest file lacks "keyId" or "signature"');
  return signed;
}

/** `custos firmware …`. */
export const firmwareCommand: Command = {
  name: 'firmware',
  summary: 'Manage the firmware trust store: vendor keys and signed release manifests',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parse(parsed.rest, { ...configOptions, 'key-id': { type: 'string' }, vendor: { type: 'string' }, 'public-key-file': { type: 'string' }, manifest: { type: 'string' } }, true);
    const config = await loadCliConfig(values, io);
    const core = await openCore(config);
    try {
      const firmware = new FirmwareService(createFirmwareStore(core.database.db), systemClock, await core.ledger());
      const store = createFirmwareStore(core.database.db);
      switch (parsed.sub) {
        case 'trust-key': {
          if (values['key-id'] === undefined || values.vendor === undefined || values['public-key-file'] === undefined) throw new AppError('VALIDATION_FAILED', 'trust-key needs --key-id, --vendor and --public-key-file');
          await firmware.trustKey({ keyId: values['key-id'], vendor: values.vendor, publicKeyPem: await readText(values['public-key-file'], '--public-key-file') }, cliAuditContext());
          return 0;
        }
        case 'import': {
          if (positionals.length !== 1 || positionals[0] === undefined) throw new AppError('VALIDATION_FAILED', 'import needs exactly one manifest file');
          const m = await firmware.importManifest(await readManifest(positionals[0]), cliAuditContext());
          io.stdout.write(`${terminalText(`vetted: ${m.vendor} ${m.modelPattern} ${m.version} sha256 ${m.sha256}`)}\n`);
          return 0;
        }
        case 'list': {
          for (const k of await store.keys()) io.stdout.write(`${terminalText(`key ${k.keyId}  ${k.vendor}`)}\n`);
          for (const r of await store.releases()) io.stdout.write(`${terminalText(`release ${r.vendor}  ${r.modelPattern}  ${r.version}  ${r.sha256}`)}\n`);
          return 0;
        }
        case 'stage':
        case 'verify': {
          if (positionals.length !== 1 || positionals[0] === undefined) throw new AppError('VALIDATION_FAILED', `${parsed.sub} needs exactly one firmware IMAGE`);
          const given = values.manifest === undefined ? undefined : await readManifest(values.manifest);
          let image: Buffer;
          try {
            image = await readFile(positionals[0]);
          } catch (e) {
            throw new AppError('VALIDATION_FAILED', `cannot read the image: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
          }
          const v = await firmware.verifyImage(image, cliAuditContext(), given);
          if (parsed.sub === 'stage') {
            await stageFirmwareImage(core.dataDir, v.manifest.sha256, image);
            io.stdout.write(`staged: ${v.manifest.sha256}\n`);
            return 0;
          }
          io.stdout.write(`${terminalText(`verified: ${v.manifest.vendor} ${v.manifest.modelPattern} ${v.manifest.version} sha256 ${v.manifest.sha256} signed by ${v.keyId}`)}\n`);
          return 0;
        }
        default:
          throw new AppError('VALIDATION_FAILED', `unknown firmware command "${parsed.sub}"; try custos firmware --help`);
      }
    } finally {
      await core.close();
    }
  },
};
