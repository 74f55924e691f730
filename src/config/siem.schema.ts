import { z } from 'zod';
import { destinationCommon } from './siem-common.schema.ts';
import { httpDestinations } from './siem-http.schema.ts';
import { replicaDestination } from './siem-replica.schema.ts';

/**
 * The `siem` section: where the audit ledger is shipped (issue 16) and how the delivery loop
 * behaves. `destinations` is a list of a discriminated union on `kind`; every kind spreads
 * {@link destinationCommon} into its object, so a new kind is one schema and one line in the
 * union below (and one case in src/siem/build-destination.ts). Reference: docs/reference/siem.md.
 */

/** Syslog over TLS (RFC 5424 messages, RFC 5425 octet-counted frames). */
export const syslogDestination = z
  .strictObject({
    kind: z.literal('syslog').describe('Syslog over TLS (RFC 5425).'),
    ...destinationCommon,
    host: z.string().min(1).describe('Collector host name or address; its certificate must carry it (or serverName).'),
    port: z.number().int().min(1).max(65535).default(6514).describe('Collector TCP port (6514 is the IANA port of syslog over TLS).'),
    serverName: z.string().optional().describe('Name the collector certificate must carry, when it is not host.'),
    caFile: z.string().min(1).describe('PEM file of the CA certificate(s) the collector certificate must chain to. There is no option to skip verification.'),
    certFile: z.string().optional().describe('PEM client certificate presented to the collector (mutual TLS, RFC 5425 §5.1); with keyFile.'),
    keyFile: z.string().optional().describe('PEM private key of certFile.'),
    payload: z.enum(['cef', 'leef', 'ocsf']).default('cef').describe('Message body: CEF (ArcSight and most SIEMs), LEEF 2.0 (QRadar) or OCSF JSON.'),
    hostname: z.string().optional().describe('HOSTNAME of the syslog header; the machine host name by default.'),
    facility: z.number().int().min(0).max(23).default(13).describe('RFC 5424 facility (13 = log audit).'),
    sdId: z
      .string()
      .regex(/^[^= \]"@]{1,32}@[0-9]+(\.[0-9]+)*$/, 'expected name@PEN, e.g. custos@32473')
      .default('custos@32473')
      .describe('SD-ID of the structured data element (name@Private Enterprise Number); 32473 is the documentation PEN: use your own.'),
    maxMessageOctets: z.number().int().min(2048).max(65_536).default(8192).describe('Largest syslog message; trailing payload fields are dropped to fit (RFC 5425: collectors must take 2048, should take 8192).'),
    replayFrames: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(10_000)
      .describe('Syslog has no acknowledgement: the last this many messages are sent again on the next connection after one broke, so a collector that died with them unread loses nothing (duplicates carry the same event id).'),
  })
  .refine((d) => (d.certFile === undefined) === (d.keyFile === undefined), { message: 'certFile and keyFile go together', path: ['keyFile'] })
  .describe('A syslog collector over TLS.');

/** JSON lines of OCSF events in a size-rotated file (for Vector, Fluent Bit, Filebeat). */
export const fileDestination = z
  .strictObject({
    kind: z.literal('file').describe('JSON lines of OCSF events in a local file.'),
    ...destinationCommon,
    path: z.string().min(1).describe('File written; rotated files get .1, .2, … (.1 the newest).'),
    maxBytes: z.number().int().min(4096).default(100 * 1024 * 1024).describe('The file is rotated before a write would make it larger than this.'),
    keep: z.number().int().min(1).max(1000).default(10).describe('Rotated files kept; older ones are deleted.'),
  })
  .describe('A local file a log shipper tails.');

/** Every destination kind. */
export const siemDestination = z.discriminatedUnion('kind', [syslogDestination, fileDestination, ...httpDestinations, replicaDestination]);

export const siem = z
  .strictObject({
    destinations: z
      .array(siemDestination)
      .default([])
      .refine((list) => new Set(list.map((d) => d.id)).size === list.length, { message: 'destination ids must be unique' })
      .describe('Where committed audit events are shipped, each with its own cursor (docs/reference/siem.md).'),
    alarmAfterSeconds: z
      .number()
      .min(1)
      .max(86_400)
      .default(300)
      .describe('A destination failing for longer than this raises the siem-destination-failing alarm (LOG-6); its recovery is recorded too.'),
    heartbeatSeconds: z
      .number()
      .min(1)
      .max(86_400)
      .default(300)
      .describe('Every destination receives a heartbeat carrying the latest signed checkpoint this often, whatever its filter (LOG-5).'),
    retryMaxSeconds: z.number().min(0.1).max(3600).default(60).describe('Cap of the exponential, jittered wait between attempts to a failing destination.'),
    batchSize: z.number().int().min(1).max(10_000).default(500).describe('Most events read and sent in one batch (a destination may take fewer).'),
  })
  .prefault({})
  .describe('Shipping the audit ledger to SIEMs and log collectors (issue 16).');

export type SiemConfig = z.output<typeof siem>;
export type SiemDestinationConfig = z.output<typeof siemDestination>;
export type SyslogDestinationConfig = z.output<typeof syslogDestination>;
export type FileDestinationConfig = z.output<typeof fileDestination>;
