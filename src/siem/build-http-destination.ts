/**
 * Builds an HTTP SIEM destination from its config: reads its secret and CA files and hands the
 * adapter plain settings. The one place of src/siem/ that reads files (a `*File` secret is
 * read once, at build; a rotated secret takes effect at the next start or reload).
 */
import { readFile } from 'node:fs/promises';
import type { HttpDestinationConfig } from '../config/siem-http.schema.ts';
import { Secret } from '../config/secret.ts';
import type { SiemDestination } from './destination.ts';
import type { OcsfProduct } from './ocsf.ts';
import { chronicleDestination } from './chronicle-destination.ts';
import { sentinelDestination } from './sentinel-destination.ts';
import { newHecChannel, splunkHecDestination } from './splunk-hec-destination.ts';
import { webhookDestination } from './webhook-destination.ts';

/** What a destination needs besides its config. */
export interface HttpDestinationDeps {
  /** The writer named in every OCSF event. */
  readonly product: OcsfProduct;
  /** The clock (Retry-After dates, webhook timestamps, Chronicle collection time). */
  readonly now?: () => number;
}

/** Reads a secret file; the error names the key and the path, never the content. */
async function secretFrom(path: string, key: string, id: string): Promise<Secret> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`SIEM destination ${id}: cannot read ${key} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
  const value = text.trim();
  if (value === '') throw new Error(`SIEM destination ${id}: ${key} ${path} is empty`);
  return new Secret(value);
}

async function caFrom(path: string | null, id: string): Promise<string | undefined> {
  if (path === null) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`SIEM destination ${id}: cannot read caFile ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
}

/** The destination of one HTTP destination config (rejects when a file cannot be read or is invalid). */
export async function createHttpDestination(config: HttpDestinationConfig, deps: HttpDestinationDeps): Promise<SiemDestination> {
  const now = deps.now ?? Date.now;
  const ca = await caFrom(config.caFile, config.id);
  const common = { id: config.id, maxBatch: config.maxBatch, timeoutMs: config.timeoutSeconds * 1000, ...(ca !== undefined ? { ca } : {}) };
  switch (config.kind) {
    case 'splunk-hec':
      return splunkHecDestination({
        ...common,
        url: new URL(config.url),
        token: await secretFrom(config.tokenFile, 'tokenFile', config.id),
        source: config.source,
        sourcetype: config.sourcetype,
        ...(config.index !== null ? { index: config.index } : {}),
        maxRequestBytes: config.maxRequestBytes,
        ...(config.ack.enabled
          ? { ack: { channel: config.ack.channel ?? newHecChannel(), pollMs: config.ack.pollSeconds * 1000, timeoutMs: config.ack.timeoutSeconds * 1000 } }
          : {}),
      }, deps.product, now);
    case 'sentinel':
      return sentinelDestination({
        ...common,
        endpoint: new URL(config.endpoint),
        ruleId: config.ruleId,
        streamName: config.streamName,
        tenantId: config.tenantId,
        clientId: config.clientId,
        clientSecret: await secretFrom(config.clientSecretFile, 'clientSecretFile', config.id),
        authorityHost: new URL(config.authorityHost),
        audience: config.audience.replace(/\/$/, ''),
      }, deps.product, now);
    case 'chronicle': {
      const serviceAccountKey = await secretFrom(config.serviceAccountKeyFile, 'serviceAccountKeyFile', config.id);
      try {
        return chronicleDestination({
          ...common,
          endpoint: new URL(config.endpoint),
          project: config.project,
          location: config.location,
          instance: config.instance,
          logType: config.logType,
          ...(config.forwarder !== null ? { forwarder: config.forwarder } : {}),
          ...(config.namespace !== null ? { namespace: config.namespace } : {}),
          labels: config.labels,
          serviceAccountKey,
          ...(config.tokenUri !== null ? { tokenUri: new URL(config.tokenUri) } : {}),
          maxRequestBytes: config.maxRequestBytes,
        }, deps.product, now);
      } catch (error) {
        throw new Error(`SIEM destination ${config.id}: ${(error as Error).message}`, { cause: error });
      }
    }
    case 'webhook': {
      const hmacKey = await secretFrom(config.hmacKeyFile, 'hmacKeyFile', config.id);
      if (Buffer.byteLength(hmacKey.reveal()) < 32) throw new Error(`SIEM destination ${config.id}: hmacKeyFile holds fewer than 32 bytes`);
      return webhookDestination({ ...common, url: new URL(config.url), hmacKey, maxRequestBytes: config.maxRequestBytes }, deps.product, now);
    }
  }
}
