import { readFile, writeFile } from 'node:fs/promises';
import { openCore } from '../core.ts';
import { AppError } from '../lib/errors.ts';
import { parseVerifierKey } from '../tlog/signed-note.ts';
import { defaultSbomPath, generateSbom, readSbomFile } from '../sbom/sbom-files.ts';
import { loadSbomKey } from '../sbom/sbom-key.ts';
import { signSbom, verifySbom } from '../sbom/sbom-signature.ts';
import { configOptions, parse, type Command, subcommand } from './args.ts';
import { readKeyArg } from './key-argument.ts';
import { loadCliConfig } from './load-cli-config.ts';

const usage = `Usage: custos sbom <generate|sign|key|verify> [options]

  custos sbom generate [--out FILE]
  custos sbom sign [FILE] [--out SIG]
  custos sbom key
  custos sbom verify FILE --signature SIG --key VKEY_OR_FILE

Custos's own software bill of materials (AST-5), CycloneDX 1.6 JSON of the runtime dependencies
in package-lock.json, made by @cyclonedx/cyclonedx-npm. generate writes it (default: the
configured sbom.file, else build/custos.cdx.json in the installation; scripts/prereqs.sh runs
it). sign writes its detached signature by the SBOM key (FILE.sig by default); key prints that
key's verifier key (also GET /api/v1/sbom/key). verify needs no data directory: it checks FILE
against SIG and the verifier key, offline, and exits 1 with one line on any mismatch.
Common options: --config FILE, --data-dir DIR, --help.`;

async function readBytes(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** `custos sbom …`. */
export const sbomCommand: Command = {
  name: 'sbom',
  summary: "Generate, sign and verify Custos's own SBOM (CycloneDX 1.6)",
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parse(parsed.rest, { ...configOptions, out: { type: 'string' }, signature: { type: 'string' }, key: { type: 'string' } }, true);
    if (parsed.sub === 'verify') {
      if (positionals.length !== 1 || positionals[0] === undefined) throw new AppError('VALIDATION_FAILED', 'sbom verify needs exactly one FILE');
      if (values.signature === undefined || values.key === undefined) throw new AppError('VALIDATION_FAILED', 'sbom verify needs --signature SIG and --key (the SBOM verifier key, or a file holding it)');
      const verifier = await readKeyArg(values.key, '--key', 'a verifier key', parseVerifierKey);
      const bytes = await readBytes(positionals[0], 'the SBOM');
      const note = (await readBytes(values.signature, 'the signature')).toString('utf8');
      const ok = verifySbom(bytes, note, verifier);
      io.stdout.write(`verified: sha256 ${ok.sha256}, ${ok.size} bytes, signed by ${verifier.name}\n`);
      return 0;
    }
    if (!['generate', 'sign', 'key'].includes(parsed.sub)) throw new AppError('VALIDATION_FAILED', `unknown sbom command "${parsed.sub}"; try custos sbom --help`);
    const config = await loadCliConfig(values, io);
    const configured = config.sbom.file === '' ? defaultSbomPath : config.sbom.file;
    if (parsed.sub === 'generate') {
      const r = await generateSbom(values.out ?? configured);
      io.stdout.write(`${r.path}\n`);
      return 0;
    }
    const core = await openCore(config);
    try {
      const key = await loadSbomKey(core.dataKeys);
      if (parsed.sub === 'key') {
        io.stdout.write(`${key.vkey}\n`);
        return 0;
      }
      const file = positionals[0] ?? configured;
      const bytes = await readSbomFile(file);
      if (bytes === undefined) throw new AppError('SBOM_UNAVAILABLE', `no SBOM at ${file}; run custos sbom generate`);
      const out = values.out ?? `${file}.sig`;
      await writeFile(out, signSbom(bytes, key.signer));
      io.stdout.write(`${out}\n`);
      return 0;
    } finally {
      await core.close();
    }
  },
};
