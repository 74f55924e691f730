import { z } from 'zod';
import { Secret } from './secret.ts';
import { identity } from './identity.schema.ts';
import { incidents } from './incidents.schema.ts';
import { notifications } from './notifications.schema.ts';
import { witnesses } from './witness.schema.ts';
import { siem } from './siem.schema.ts';
import { storage } from './storage.schema.ts';
import { sbom } from './sbom.schema.ts';
import { ptz } from './ptz.schema.ts';
import { parseCidr } from '../lib/cidr.ts';
import { jurisdiction, jurisdictionAllowed } from './jurisdiction.ts';

/**
 * The one configuration schema (STYLE rule 3). Every key has a description; unknown keys are
 * errors (`strictObject`). `custos.example.yaml` lists every key and a test keeps it in step.
 * Reference: docs/reference/config.md.
 */

const secret = z
  .union([z.string(), z.instanceof(Secret)])
  .transform((v) => (v instanceof Secret ? v : new Secret(v)));

const server = z
  .strictObject({
    host: z
      .string()
      .default('127.0.0.1')
      .describe('Address the HTTPS server binds to (0.0.0.0 or :: for every interface).'),
    port: z.number().int().min(0).max(65535).default(8443).describe('HTTPS port (0 picks a free port).'),
    tls: z
      .strictObject({
        certFile: z
          .string()
          .nullable()
          .default(null)
          .describe('PEM certificate chain. When unset, a self-signed certificate is made in the data directory at first start.'),
        keyFile: z.string().nullable().default(null).describe('PEM private key for certFile.'),
      })
      .prefault({})
      .describe('TLS 1.3 settings of the HTTPS listener.'),
    idleTimeoutSeconds: z
      .number()
      .min(1)
      .max(3600)
      .default(30)
      .describe('A connection that sends and receives nothing for this long is closed. Downloads that keep flowing and live WebSockets are not affected.'),
    requestTimeoutSeconds: z
      .number()
      .min(1)
      .max(600)
      .default(30)
      .describe('The TLS handshake, and then the headers and body of a request, must each arrive within this, however slowly the bytes trickle in.'),
    keepAliveTimeoutSeconds: z
      .number()
      .min(1)
      .max(600)
      .default(10)
      .describe('An idle keep-alive connection is closed this long after its last answer.'),
  })
  .prefault({})
  .describe('The HTTPS API and web page.');

const database = z
  .strictObject({
    url: secret
      .nullable()
      .default(null)
      .describe('PostgreSQL connection URL (postgres://…). When unset, SQLite in the data directory is used. Secret: prefer CUSTOS_DATABASE_URL_FILE.')
      .meta({ secret: true }),
    connectTimeoutSeconds: z
      .number()
      .positive()
      .max(300)
      .default(5)
      .describe('PostgreSQL: longest wait for a connection (opening one, or a free one in the pool) before the statement fails with DATABASE_UNAVAILABLE.'),
    statementTimeoutSeconds: z
      .number()
      .positive()
      .max(3600)
      .default(15)
      .describe('PostgreSQL: longest a statement may run (server-side statement_timeout); the client gives up 1 s later when the server does not answer at all.'),
    jurisdiction: jurisdiction
      .nullable()
      .default(null)
      .describe('Residency: ISO 3166-1 alpha-2 country where the PostgreSQL server keeps its data (and with it the audit ledger). SQLite (no url) lives in the data directory: residency.dataDir applies.'),
  })
  .prefault({})
  .describe('Metadata database.');

/** An IPv4 or IPv6 network in CIDR form; a bare address is a /32 or /128. */
const cidr = z.string().refine((v) => parseCidr(v) !== undefined, { message: 'expected a network in CIDR form, e.g. 10.20.0.0/16 or fd00::/8' });

const recording = z
  .strictObject({
    segmentSeconds: z
      .number()
      .int()
      .min(2)
      .max(3600)
      .default(60)
      .describe('Target segment length; segments are cut on the first key frame at or after it.'),
    fragmentSeconds: z
      .number()
      .min(0.2)
      .max(1)
      .default(1)
      .describe('Upper bound of one fMP4 fragment, which is also the most a crash can lose.'),
    ffmpegPath: z.string().default('ffmpeg').describe('ffmpeg executable used by the ffmpeg ingest.'),
    ingestWorkers: z
      .number()
      .int()
      .min(0)
      .max(64)
      .default(0)
      .describe('Worker threads that run the native ingest (cameras are spread over them); 0 = one per core.'),
    stallSeconds: z
      .number()
      .min(2)
      .max(300)
      .default(15)
      .describe('A camera that delivers no bytes for this long is treated as failed and reconnected.'),
    retryInitialSeconds: z.number().min(0.1).max(60).default(1).describe('First reconnect delay after a failure; the delay starts again from it once the camera accepts PLAY. Every wait is jittered (half to all of the delay).'),
    retryMaxSeconds: z.number().min(1).max(3600).default(30).describe('Cap of the exponential reconnect delay.'),
    retentionCheckSeconds: z
      .number()
      .int()
      .min(1)
      .max(86400)
      .default(60)
      .describe('How often the retention job deletes expired segments.'),
    cameraNetworks: z
      .strictObject({
        allow: z
          .array(cidr)
          .default([])
          .describe('Networks (CIDR, e.g. 10.20.0.0/16) cameras may be in; empty = any. Checked on every connection, after DNS, by both ingests.'),
        deny: z
          .array(cidr)
          .default([])
          .describe('Networks cameras may never be in (e.g. the servers\' own network); wins over allow.'),
      })
      .prefault({})
      .describe('Which addresses a camera URL may reach, so a camera.manage holder cannot use Custos to reach other services.'),
    minFreeBytes: z
      .number()
      .int()
      .min(0)
      .default(256 * 1024 * 1024)
      .describe(
        'Free-space watermark of the data directory (disk-full policy): below it the oldest footage past each camera\'s minimum retention is deleted (crypto-shredded); when nothing more may go, recording stops (state storage-full, an alarm) and resumes by itself once free space is back above it (plus a tenth). The larger of this and minFreePercent applies; 0 and 0 = off (a full disk then stops recording with ENOSPC).',
      ),
    minFreePercent: z.number().min(0).max(50).default(0).describe('The watermark as a percent of the file system\'s size (see minFreeBytes).'),
    spaceCheckSeconds: z.number().min(0.2).max(3600).default(5).describe('How often free space is checked against the watermark (and at once when a write finds the disk full).'),
    clockConfirmSeconds: z
      .number()
      .int()
      .min(1)
      .max(86400)
      .default(600)
      .describe(
        'Retention deletes nothing until the wall clock has run in step with the monotonic clock for this long, after start-up and after every clock step (a step forward past the retention would otherwise shred everything).',
      ),
  })
  .prefault({})
  .describe('Recording data path.');

const live = z
  .strictObject({
    maxBufferedBytes: z
      .number()
      .int()
      .min(65536)
      .default(8 * 1024 * 1024)
      .describe('A live viewer whose unsent bytes exceed this is dropped; the recorder never waits for viewers.'),
    recheckSeconds: z
      .number()
      .min(0.5)
      .max(60)
      .default(5)
      .describe(
        'How often an open live view checks again that its session or token, the account and the grant still admit it; it is closed within this long after a logout, a revocation, a disabled account or an expiry.',
      ),
  })
  .prefault({})
  .describe('Live view over WebSocket.');

const demo = z
  .strictObject({
    cameras: z.number().int().min(0).max(250).default(2).describe('Simulated cameras started by `serve --demo`.'),
    camsimPort: z.number().int().min(0).max(65535).default(8554).describe('RTSP port of the demo camera simulator.'),
    profile: z
      .enum(['full', 'small'])
      .default('full')
      .describe('Demo clip: full = 1080p 25 fps ~4 Mbit/s, small = 360p ~0.5 Mbit/s.'),
  })
  .prefault({})
  .describe('Demo mode (`custos serve --demo`).');

const keys = z
  .strictObject({
    provider: z
      .enum(['file', 'pkcs11'])
      .default('file')
      .describe('Where the master key (KEK) lives: file = a key file in the data directory (optionally sealed by a passphrase); pkcs11 = an HSM, the key never leaves it.'),
    file: z
      .strictObject({
        path: z
          .string()
          .nullable()
          .default(null)
          .describe('Master key file; default <dataDir>/keys/master.key, created at first start with mode 0600. Back it up apart from the data: without it, recordings cannot be decrypted.'),
        passphrase: secret
          .nullable()
          .default(null)
          .describe('Seals the master key file (scrypt). Secret: prefer CUSTOS_KEYS_FILE_PASSPHRASE_FILE.')
          .meta({ secret: true }),
      })
      .prefault({})
      .describe('The file key provider.'),
    pkcs11: z
      .strictObject({
        module: z.string().default('/usr/lib/softhsm/libsofthsm2.so').describe('PKCS#11 module (shared library) of the HSM.'),
        tokenLabel: z.string().default('custos').describe('Label of the token that holds the master key.'),
        pin: secret
          .nullable()
          .default(null)
          .describe('User PIN of the token. Secret: prefer CUSTOS_KEYS_PKCS11_PIN_FILE.')
          .meta({ secret: true }),
        keyLabel: z.string().default('custos-kek').describe('Label prefix of the master key objects in the token (one per version).'),
      })
      .prefault({})
      .describe('The PKCS#11 (HSM) key provider.'),
    jurisdiction: jurisdiction
      .nullable()
      .default(null)
      .describe('Residency: ISO 3166-1 alpha-2 country where the master key lives: the HSM\'s location for pkcs11. For the file provider, default residency.dataDir (the key file is on this server).'),
    dataKeyHours: z.number().int().min(1).max(24).default(1).describe('Hours of one camera\'s footage under one data key (the unit of crypto-shredding).'),
    cacheSeconds: z
      .number()
      .int()
      .min(0)
      .max(86400)
      .default(600)
      .describe('How long an unwrapped data key stays in memory, so a key-service hiccup does not stop recording.'),
  })
  .prefault({})
  .describe('Encryption keys: the master key (KEK) and the data keys it wraps.');

const audit = z
  .strictObject({
    origin: z
      .string()
      .regex(/^[^\s+]+$/, 'an origin is one word without spaces or "+", e.g. vms.example.eu/audit')
      .default('custos.local/audit')
      .describe('Identity of this audit ledger: the first line of its checkpoints and the name of its signing key. Use a name you own, e.g. vms.example.eu/audit.'),
    checkpointSeconds: z.number().min(1).max(86_400).default(60).describe('A checkpoint is signed this often when the ledger grew.'),
    checkpointEntries: z.number().int().min(1).default(1000).describe('…and as soon as this many events were appended since the last one.'),
    heartbeatSeconds: z.number().min(1).max(86_400).default(300).describe('A heartbeat event is recorded this often, so a silent gap in the ledger is visible.'),
  })
  .prefault({})
  .describe('The tamper-evident audit ledger (docs/reference/audit-ledger.md).');

const residency = z
  .strictObject({
    allowed: z
      .array(jurisdictionAllowed)
      .default([])
      .describe(
        'Where data may be kept and sent: ISO 3166-1 alpha-2 country codes, or EU for every member state. When set, Custos refuses to start (RESIDENCY_REFUSED, one line naming it) if any location — data directory, database, key provider, identity provider — is declared outside it or not declared. Empty: not enforced (the report still lists every location).',
      ),
    dataDir: jurisdiction
      .nullable()
      .default(null)
      .describe('ISO 3166-1 alpha-2 country of the host that holds the data directory (segments, exports, SQLite, the file master key, the checkpoint pin).'),
  })
  .prefault({})
  .describe('Data residency (docs/reference/residency.md).');

/** The whole configuration. */
export const configSchema = z
  .strictObject({
    dataDir: z.string().default('./data').describe('Directory for the SQLite database, segments, exports and the self-signed certificate.'),
    log: z
      .strictObject({
        level: z
          .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .default('info')
          .describe('Log level of the log on stdout.'),
        format: z
          .enum(['auto', 'pretty', 'json'])
          .default('auto')
          .describe('auto: one human line per event when stdout is a terminal, JSON lines otherwise (a pipe, a file, journald); pretty or json: always that form. Both forms are redacted alike.'),
        requests: z
          .enum(['debug', 'info'])
          .default('debug')
          .describe('Level of the one line logged per HTTP request (method, URL, status, time): debug keeps it out of the default info log; info shows every request.'),
      })
      .prefault({})
      .describe('Structured logging.'),
    server,
    database,
    recording,
    storage,
    keys,
    audit,
    witnesses,
    siem,
    identity,
    residency,
    live,
    demo,
    notifications,
    incidents,
    sbom,
    ptz,
  })
  .describe('Custos configuration.');

/** The validated configuration with defaults applied. */
export type Config = z.output<typeof configSchema>;
