/**
 * The configured zones, built and checked: ids unique, every placement naming known zones and
 * the recording zone, ack between 1 and the number of zones. No zones configured: one local zone
 * `default` at <dataDir>/segments, and every camera's placement is that zone alone.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { PlacementRule, StorageConfig } from '../config/storage.schema.ts';
import { AppError } from '../lib/errors.ts';
import { LocalZone } from './local-zone.ts';
import { S3Zone } from './s3-zone.ts';
import type { Zone } from './zone.ts';
import { readSecretFile } from './scratch-files.ts';

/** Which zones hold a camera's footage, and after how many copies a segment is acknowledged. */
export interface Placement {
  readonly zones: readonly string[];
  readonly ack: number;
}

/** What placement needs to know of a camera. */
export interface PlacedCamera {
  readonly id: string;
  readonly siteId: string;
}

export interface ZoneSet {
  readonly zones: ReadonlyMap<string, Zone>;
  /** The local zone the recorder writes into (the vault's root). */
  readonly recording: LocalZone;
  placementOf(camera: PlacedCamera): Placement;
  /** A JSON description of zones and placement without secrets (audited when it changes). */
  layout(): string;
  close(): Promise<void>;
}

function invalid(message: string): AppError {
  return new AppError('CONFIG_INVALID', `storage: ${message}`);
}

/** Builds the zones; reads each S3 secret key from its file. */
export async function buildZoneSet(storage: StorageConfig, dataDir: string): Promise<ZoneSet> {
  const configs = storage.zones.length > 0 ? storage.zones : [{ id: 'default', kind: 'local' as const, path: join(dataDir, 'segments'), jurisdiction: null, watermark: { minFreeBytes: null, minFreePercent: null } }];
  const zones = new Map<string, Zone>();
  const built: Zone[] = [];
  try {
    for (const c of configs) {
      if (zones.has(c.id)) throw invalid(`zone id "${c.id}" is used twice`);
      let zone: Zone;
      if (c.kind === 'local') {
        zone = new LocalZone({ id: c.id, jurisdiction: c.jurisdiction ?? '', root: isAbsolute(c.path) ? c.path : resolve(c.path) });
      } else {
        const read = await readSecretFile(c.secretAccessKeyFile);
        if ('error' in read) throw invalid(`zone "${c.id}": cannot read secretAccessKeyFile (${read.error})`);
        const secret = read.value;
        if (secret === '') throw invalid(`zone "${c.id}": secretAccessKeyFile is empty`);
        zone = new S3Zone({ ...c, secretAccessKey: secret, requestTimeoutMs: c.requestTimeoutSeconds * 1000 });
      }
      zones.set(c.id, zone);
      built.push(zone);
    }
    const recordingId = storage.recordingZone ?? configs.find((c) => c.kind === 'local')?.id;
    const recording = recordingId === undefined ? undefined : zones.get(recordingId);
    if (!(recording instanceof LocalZone)) throw invalid(recordingId === undefined ? 'at least one local zone is needed to record into' : `recordingZone "${recordingId}" is not a configured local zone`);
    const check = (rule: PlacementRule, where: string): Placement => {
      for (const z of rule.zones) if (!zones.has(z)) throw invalid(`${where} names zone "${z}", which is not configured`);
      if (new Set(rule.zones).size !== rule.zones.length) throw invalid(`${where} names a zone twice`);
      if (!rule.zones.includes(recording.id)) throw invalid(`${where} must include the recording zone "${recording.id}"`);
      if (rule.ack > rule.zones.length) throw invalid(`${where} acknowledges after ${rule.ack} copies but names ${rule.zones.length} zones`);
      return { zones: rule.zones, ack: rule.ack };
    };
    const p = storage.placement;
    const fallback: Placement = p.default === null ? { zones: [recording.id], ack: 1 } : check(p.default, 'placement.default');
    const bySite = new Map(p.sites.map((r) => [r.site, check(r, `placement for site "${r.site}"`)]));
    const byCamera = new Map(p.cameras.map((r) => [r.camera, check(r, `placement for camera "${r.camera}"`)]));
    const layout = JSON.stringify({
      zones: configs.map((c) => (c.kind === 'local' ? { id: c.id, kind: c.kind, path: c.path, jurisdiction: c.jurisdiction } : { id: c.id, kind: c.kind, endpoint: c.endpoint, region: c.region, bucket: c.bucket, prefix: c.prefix, jurisdiction: c.jurisdiction })),
      recordingZone: recording.id,
      placement: { default: fallback, sites: Object.fromEntries(bySite), cameras: Object.fromEntries(byCamera) },
    });
    return {
      zones,
      recording,
      placementOf: (camera) => byCamera.get(camera.id) ?? bySite.get(camera.siteId) ?? fallback,
      layout: () => layout,
      close: async () => {
        for (const z of built) await z.close();
      },
    };
  } catch (e) {
    for (const z of built) await z.close();
    throw e;
  }
}

/** The zones of a configuration as residency locations ({ kind, id, jurisdiction }), for the residency check. */
export function zoneLocations(storage: StorageConfig): { kind: 'storage-zone'; id: string; jurisdiction: string | null }[] {
  if (storage.zones.length === 0) return [{ kind: 'storage-zone', id: 'default', jurisdiction: null }];
  return storage.zones.map((z) => ({ kind: 'storage-zone', id: z.id, jurisdiction: z.jurisdiction }));
}
