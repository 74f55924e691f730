import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { StorageStatus } from './replicator.ts';

/** Dependencies of the storage routes. Route builders MUST NOT use them before a handler runs. */
export interface StorageRouteDeps {
  readonly storageStatus: () => Promise<StorageStatus>;
}

const backlog = z.object({
  pending: z.number(),
  pendingBytes: z.number(),
  oldestSealedMs: z.number().nullable(),
  stored: z.number(),
  storedBytes: z.number(),
  missing: z.number(),
  damaged: z.number(),
});

export const storageStatusSchema = z
  .object({
    zones: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(['local', 's3']),
        jurisdiction: z.string().describe('ISO 3166-1 alpha-2 code; empty when undeclared (a local zone where the data directory is).'),
        recording: z.boolean().describe('True for the zone the recorder writes into.'),
        health: z.enum(['ok', 'down', 'idle']),
        lastError: z.string().nullable(),
        lagSeconds: z.number().describe('Now minus the seal time of the oldest copy waiting for this zone (0 when none waits).'),
        backlog,
        usedBytes: z.number().nullable(),
        totalBytes: z.number().nullable(),
        copiedObjects: z.number(),
        copiedBytes: z.number(),
      }),
    ),
    spoolBytes: z.number(),
    spoolMaxBytes: z.number(),
    unacknowledged: z.number().describe('Segments held by fewer zones than their placement acknowledges after (W; a copy counts once stored with a known ciphertext SHA-256, ADR 0040).'),
    underReplicated: z
      .array(
        z.object({
          cameraId: z.string(),
          segments: z.number().describe('Its segments short of their acknowledgement count.'),
          oldestSealedMs: z.number(),
          lagSeconds: z.number().describe('Now minus the seal time of its oldest unacknowledged segment.'),
          waitingFor: z.array(z.string()).describe('The zones whose copies of them are not stored yet.'),
        }),
      )
      .describe('Cameras with footage not yet acknowledged (most segments first).'),
  })
  .describe('Storage zones: health, fill, lag, spool and jurisdiction.');

/** `GET /api/v1/storage/status`. */
export function storageRoutes(deps: StorageRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/storage/status',
      access: 'camera.manage',
      scope: 'global',
      summary: 'Storage zones: health, fill, lag behind the recording zone, edge spool and jurisdiction of each',
      tag: 'system',
      response: { status: 200, schema: storageStatusSchema },
      handler: async () => deps.storageStatus(),
    }),
  ];
}
