import { z } from 'zod';
import { jurisdiction } from './jurisdiction.ts';

/**
 * `storage`: where sealed segment objects live (storage zones), how many copies each camera's
 * footage gets (placement), how long a zone may fall behind, and the scrub. Reference:
 * docs/reference/storage.md. With no zones configured there is one local zone `default` at
 * <dataDir>/segments and every camera's placement is that zone alone: nothing changes.
 */

const zoneId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a zone id is lower-case letters, digits and dashes (at most 32)')
  .describe('Short id of the zone, used in placement, status, metrics and audit events.');

const watermark = z
  .strictObject({
    minFreeBytes: z.number().int().min(0).nullable().default(null).describe('Keep at least this many bytes free in the zone.'),
    minFreePercent: z.number().min(0).max(100).nullable().default(null).describe('Keep at least this percentage of the zone free.'),
  })
  .prefault({})
  .describe('Free-space watermark of a local zone (the disk-full policy acts when free space falls below it).');

const localZone = z.strictObject({
  id: zoneId,
  kind: z.literal('local').describe('A directory on a local or mounted filesystem.'),
  path: z.string().min(1).describe('Directory of the zone (absolute, or relative to the working directory).'),
  jurisdiction: jurisdiction.nullable().default(null).describe('ISO 3166-1 alpha-2 country code of where this directory is (null: where the data directory is).'),
  watermark,
});

const s3Zone = z.strictObject({
  id: zoneId,
  kind: z.literal('s3').describe('An S3-compatible bucket (AWS, MinIO, Ceph RGW, Swift s3api).'),
  endpoint: z.url().nullable().default(null).describe('Endpoint URL (null: AWS for the region).'),
  region: z.string().min(1).default('us-east-1').describe('Signing region.'),
  bucket: z.string().min(3).max(63).describe('Bucket name; it MUST exist.'),
  prefix: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)*$/, 'a prefix is empty or ends with "/"')
    .default('custos/')
    .describe('Prefix of every object key in the bucket.'),
  accessKeyId: z.string().min(1).describe('Access key id.'),
  secretAccessKeyFile: z.string().min(1).describe('File holding the secret access key (read at start; never in the configuration itself).'),
  forcePathStyle: z.boolean().default(false).describe('Path-style addressing (endpoint/bucket/key), for servers without virtual-host buckets.'),
  caFile: z.string().nullable().default(null).describe('PEM of a CA to trust for the endpoint\'s TLS certificate, besides the system store.'),
  jurisdiction: jurisdiction.describe('ISO 3166-1 alpha-2 country code of where the bucket keeps data (required for S3).'),
  requestTimeoutSeconds: z.number().min(1).max(600).default(30).describe('One request is abandoned after this long; the copy stays in the spool and is retried.'),
  multipartThresholdBytes: z.number().int().min(5 << 20).default(16 << 20).describe('Objects larger than this go up as a multipart upload.'),
  partSizeBytes: z.number().int().min(5 << 20).default(8 << 20).describe('Part size of a multipart upload (S3 minimum 5 MiB).'),
  watermark,
});

const zone = z.discriminatedUnion('kind', [localZone, s3Zone]).describe('A storage zone.');

const placementRule = z.strictObject({
  zones: z.array(zoneId).min(1).describe('Zones that hold a copy of every segment.'),
  ack: z.number().int().min(1).default(1).describe('Copies that must be durable before a segment counts as acknowledged (the rest are filled in the background).'),
});

const placement = z
  .strictObject({
    default: placementRule.nullable().default(null).describe('Placement of every camera without its own rule (null: the recording zone alone).'),
    sites: z
      .array(placementRule.extend({ site: z.string().min(1).describe('Site id.') }))
      .default([])
      .describe('Placement of the cameras of a site.'),
    cameras: z
      .array(placementRule.extend({ camera: z.string().min(1).describe('Camera id.') }))
      .default([])
      .describe('Placement of one camera (wins over its site).'),
  })
  .prefault({})
  .describe('Which zones hold each camera\'s footage: write to N zones, acknowledge after W.');

export const storage = z
  .strictObject({
    zones: z.array(zone).default([]).describe('Storage zones (none: one local zone `default` at <dataDir>/segments).'),
    recordingZone: zoneId
      .nullable()
      .default(null)
      .describe('The local zone the recorder writes into (null: the first local zone, or `default`). It MUST be in every placement.'),
    placement,
    spool: z
      .strictObject({
        maxPendingBytes: z.number().int().min(0).default(50 * 2 ** 30).describe('Bytes waiting for a zone beyond which status and /metrics report the spool full and an alarm is raised. Copies are never dropped.'),
        lagAlarmSeconds: z.number().min(1).default(900).describe('A zone more than this far behind raises the storage-zone-lag alarm (LOG-6).'),
        retryMaxSeconds: z.number().min(0.1).max(3600).default(30).describe('Longest wait between two attempts to reach a zone that is down.'),
        concurrency: z.number().int().min(1).max(64).default(4).describe('Copies sent to one zone at once (started oldest first; 1 keeps the zone filled strictly in seal order).'),
      })
      .prefault({})
      .describe('The edge spool: copies waiting for a zone that is down or slow, backfilled oldest first.'),
    scrub: z
      .strictObject({
        intervalHours: z.number().min(0).default(24).describe('The background scrub checks every copy this often (0: only `custos storage scrub`).'),
      })
      .prefault({})
      .describe('Scrub and repair: every copy\'s ciphertext SHA-256 against the segment\'s audit-ledger leaf.'),
  })
  .prefault({})
  .describe('Storage zones, placement, edge spool and scrub (docs/reference/storage.md).');

export type StorageConfig = z.output<typeof storage>;
export type ZoneConfig = StorageConfig['zones'][number];
export type PlacementRule = z.output<typeof placementRule>;
