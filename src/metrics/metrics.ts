import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Camera } from '../cameras/camera.ts';
import type { CameraStatus } from '../recording/camera-status.ts';
import type { StorageStatus } from '../storage/replicator.ts';

/** What the metrics read at scrape time. */
export interface MetricsSource {
  list(): Promise<Camera[]>;
  status(camera: Camera): CameraStatus;
  /** SIEM destinations and their delivery progress (src/siem/delivery/shipper.ts), when shipping runs. */
  destinations?(): Promise<readonly SiemDestinationMetrics[]>;
  /** Storage zones (lag, spool); absent in tests that build metrics without zones. */
  storage?: () => Promise<StorageStatus>;
}

/** What /metrics shows of one SIEM destination. */
export interface SiemDestinationMetrics {
  readonly id: string;
  readonly kind: string;
  readonly lag: number;
  readonly sent: number;
  readonly failed: number;
  readonly deadLetters: number;
  readonly lastSuccessMs: number | null;
  readonly failingSinceMs: number | null;
}

/**
 * Prometheus metrics (prom-client): per-camera recording counters read from the recorder at
 * scrape time, and the process's own (CPU, memory, event-loop lag). One registry per app, passed
 * in by hand (no global registry), so two apps in one test process do not share counters.
 * Labels carry the camera id only: names are operator data and may change.
 */
export function createMetrics(source: MetricsSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'custos_' });
  // prom-client runs the collectors of one scrape concurrently: each reads the list itself.
  const snapshot = async () => (await source.list()).map((camera) => ({ camera, status: source.status(camera) }));
  const perCamera = (pick: (s: CameraStatus) => number | null) =>
    async function collect(this: Gauge) {
      const rows = await snapshot();
      this.reset();
      for (const { camera, status } of rows) {
        const value = pick(status);
        if (value !== null) this.set({ camera: camera.id }, value);
      }
    };
  new Gauge({
    name: 'custos_camera_recording',
    help: '1 while the camera is recording, 0 otherwise.',
    labelNames: ['camera'],
    registers: [registry],
    async collect() {
      const rows = await snapshot();
      this.reset();
      for (const { camera, status } of rows) this.set({ camera: camera.id }, status.state === 'recording' ? 1 : 0);
    },
  });
  const counters: Array<[string, string, (s: CameraStatus) => number | null]> = [
    ['custos_camera_bytes_total', 'Bytes recorded since the server started.', (s) => s.bytes],
    ['custos_camera_fragments_total', 'Fragments (≤ 1 s each) recorded since the server started.', (s) => s.fragments],
    ['custos_camera_frames_total', 'Video frames recorded since the server started.', (s) => s.frames],
    ['custos_camera_reconnects_total', 'Times the ingest ended unexpectedly and was restarted.', (s) => s.reconnects],
    ['custos_camera_lost_packets_total', 'RTP packets lost (native ingest).', (s) => s.lostPackets],
    ['custos_camera_clock_offset_ms', 'Camera clock minus the server clock from RTCP sender reports (native ingest).', (s) => s.clockOffsetMs],
    ['custos_camera_dropped_frames_total', 'Frames dropped after a loss until the next key frame (native ingest).', (s) => s.droppedFrames],
  ];
  // Gauges set from the recorder's monotonic counters (prom-client counters cannot be set).
  for (const [name, help, pick] of counters) new Gauge({ name, help, labelNames: ['camera'], registers: [registry], collect: perCamera(pick) });
  const destinations = source.destinations?.bind(source);
  if (destinations !== undefined) siemGauges(registry, destinations);
  const storageSource = source.storage;
  if (storageSource !== undefined) {
    // One status read per scrape, shared by the gauges below (each collects concurrently).
    let last: { at: number; status: Promise<StorageStatus> } | null = null;
    const storage = (): Promise<StorageStatus> => {
      if (last === null || performance.now() - last.at > 1000) last = { at: performance.now(), status: storageSource() };
      return last.status;
    };
    const perZone: Array<[string, string, (z: StorageStatus['zones'][number]) => number]> = [
      ['custos_storage_zone_up', '1 while the zone answers (its last copy attempt succeeded), 0 when down.', (z) => (z.health === 'down' ? 0 : 1)],
      ['custos_storage_zone_lag_seconds', 'How far the zone is behind: now minus the seal time of its oldest pending copy.', (z) => z.lagSeconds],
      ['custos_storage_zone_pending_objects', 'Copies waiting in the edge spool for the zone.', (z) => z.backlog.pending],
      ['custos_storage_zone_pending_bytes', 'Bytes waiting in the edge spool for the zone.', (z) => z.backlog.pendingBytes],
      ['custos_storage_zone_stored_objects', 'Copies stored in the zone.', (z) => z.backlog.stored],
      ['custos_storage_zone_bad_objects', 'Copies the scrub found missing or damaged and not yet repaired.', (z) => z.backlog.missing + z.backlog.damaged],
    ];
    for (const [name, help, pick] of perZone) {
      new Gauge({
        name,
        help,
        labelNames: ['zone'],
        registers: [registry],
        async collect() {
          const s = await storage();
          this.reset();
          for (const z of s.zones) this.set({ zone: z.id }, pick(z));
        },
      });
    }
    const perCamera: Array<[string, string, (c: StorageStatus['underReplicated'][number]) => number]> = [
      ['custos_storage_camera_unacknowledged_segments', 'Segments of the camera held by fewer zones than its placement acknowledges after (absent when none).', (c) => c.segments],
      ['custos_storage_camera_unacknowledged_seconds', 'Now minus the seal time of the camera\'s oldest unacknowledged segment (absent when none).', (c) => c.lagSeconds],
    ];
    for (const [name, help, pick] of perCamera) {
      new Gauge({
        name,
        help,
        labelNames: ['camera'],
        registers: [registry],
        async collect() {
          const s = await storage();
          this.reset();
          for (const c of s.underReplicated) this.set({ camera: c.cameraId }, pick(c));
        },
      });
    }
    new Gauge({
      name: 'custos_storage_unacknowledged_segments',
      help: 'Segments held by fewer zones than their placement acknowledges after (ADR 0040).',
      registers: [registry],
      async collect() {
        this.set((await storage()).unacknowledged);
      },
    });
    new Gauge({
      name: 'custos_storage_spool_bytes',
      help: 'Bytes waiting in the edge spool for any zone.',
      registers: [registry],
      async collect() {
        this.set((await storage()).spoolBytes);
      },
    });
  }
  return registry;
}

/** Per SIEM destination (label `destination` = its configured id, `kind`): lag, counters, last success, failing. */
function siemGauges(registry: Registry, destinations: () => Promise<readonly SiemDestinationMetrics[]>): void {
  const gauges: Array<[string, string, (d: SiemDestinationMetrics) => number | null]> = [
    ['custos_siem_lag_events', 'Committed audit events not yet shipped to the destination.', (d) => d.lag],
    ['custos_siem_sent_total', 'Audit events the destination accepted.', (d) => d.sent],
    ['custos_siem_failed_total', 'Failed delivery attempts (each retried).', (d) => d.failed],
    ['custos_siem_dead_letters_total', 'Events the destination refused for good, kept as dead letters.', (d) => d.deadLetters],
    ['custos_siem_last_success_seconds', 'Unix time of the last accepted batch.', (d) => (d.lastSuccessMs === null ? null : d.lastSuccessMs / 1000)],
    ['custos_siem_failing', '1 while the destination is failing, 0 otherwise.', (d) => (d.failingSinceMs === null ? 0 : 1)],
  ];
  for (const [name, help, pick] of gauges) {
    new Gauge({
      name,
      help,
      labelNames: ['destination', 'kind'],
      registers: [registry],
      async collect() {
        const rows = await destinations();
        this.reset();
        for (const d of rows) {
          const value = pick(d);
          if (value !== null) this.set({ destination: d.id, kind: d.kind }, value);
        }
      },
    });
  }
}
