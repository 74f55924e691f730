import { readFile, stat } from 'node:fs/promises';
import { openCore } from '../core.ts';
import { systemClock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { maxCameraSbomBytes } from '../onvif/camera-sbom.ts';
import { CameraSbomService } from '../onvif/camera-sbom.service.ts';
import { createCameraSbomStore } from '../onvif/camera-sbom.store.ts';
import { createInventoryStore } from '../onvif/inventory.store.ts';
import type { CliIo } from './args.ts';
import { cliAuditContext } from './cli-actor.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { terminalText } from './terminal-text.ts';

/** `custos inventory attach-sbom CAMERA FILE`: attaches a vendor's SBOM (AST-5), audited. */
export async function attachSbomFromCli(positionals: readonly string[], values: Parameters<typeof loadCliConfig>[0], io: CliIo): Promise<number> {
  const [cameraId, file] = positionals;
  if (positionals.length !== 2 || cameraId === undefined || file === undefined) throw new AppError('VALIDATION_FAILED', 'attach-sbom needs CAMERA_ID and an SBOM FILE');
  let text: string;
  try {
    if ((await stat(file)).size > 2 * maxCameraSbomBytes) throw new AppError('VALIDATION_FAILED', `the SBOM file is larger than ${maxCameraSbomBytes} bytes`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('VALIDATION_FAILED', `cannot read the SBOM file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'the SBOM file is not JSON');
  }
  const config = await loadCliConfig(values, io);
  const core = await openCore(config);
  try {
    const inventory = createInventoryStore(core.database.db);
    const service = new CameraSbomService({ store: createCameraSbomStore(core.database.db), audit: await core.ledger(), clock: systemClock, hasEntry: async (id) => (await inventory.get(id)) !== undefined });
    const s = await service.attach(cameraId, doc, cliAuditContext());
    io.stdout.write(`${terminalText(`attached: ${s.summary.format} ${s.summary.specVersion}, ${s.summary.components} components, ${s.summary.bytes} bytes, sha256 ${s.summary.sha256}`)}\n`);
    return 0;
  } finally {
    await core.close();
  }
}
