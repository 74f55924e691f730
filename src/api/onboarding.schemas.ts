import { z } from 'zod';

/**
 * Wire schemas of camera onboarding (issue 17): discovery, identification, the asset inventory
 * (AST-1) and risk acceptances (AST-2). Times are RFC 3339 UTC; dates YYYY-MM-DD.
 */

const isoTime = z.iso.datetime({ offset: true }).describe('RFC 3339 time.');
const isoDate = z.iso.date().describe('YYYY-MM-DD.');

export const discoverRequest = z
  .strictObject({
    interfaceAddress: z.ipv4().optional().describe('IPv4 address of the interface the multicast Probe leaves by; without it, no multicast.'),
    unicast: z.array(z.string().max(300)).max(64).optional().describe('Unicast targets, host or host:port (3702 by default).'),
    timeoutMs: z.number().int().min(100).max(10_000).optional().describe('How long to collect answers; 3000 by default.'),
  })
  .describe('A WS-Discovery probe (onboarding step 1).');

export const discovered = z.array(
  z.object({
    endpoint: z.string().describe('The device endpoint reference (urn:uuid:…).'),
    types: z.array(z.string()),
    scopes: z.array(z.string()),
    xaddrs: z.array(z.string()).describe('Device service addresses (http/https).'),
    from: z.string().describe('The address the answer came from.'),
  }),
);

export const identifyRequest = z
  .strictObject({
    xaddr: z.url({ protocol: /^https?$/ }).max(2048).describe('The ONVIF device service address, http(s)://host[:port]/onvif/device_service.'),
    username: z.string().max(256).optional().describe("ONVIF user, when not the camera's RTSP user (whose stored credentials are used only when xaddr is on the camera URL's host); used once, not stored."),
    password: z.string().max(256).optional().describe('Write-only; used once, not stored.'),
  })
  .describe('Identify and vet a camera over ONVIF (onboarding steps 2-3).');

const vendorMatch = z.object({
  by: z.enum(['manufacturer', 'oui', 'model']),
  entryId: z.string(),
  group: z.string().describe('The NDAA §889 company the entry belongs to.'),
  relation: z.string(),
  source: z.string(),
  value: z.string().describe('The value that matched.'),
});

export const inventoryEntry = z
  .object({
    cameraId: z.uuid(),
    vendor: z.string(),
    model: z.string(),
    serial: z.string(),
    mac: z.string().nullable(),
    firmware: z.string(),
    hardwareId: z.string(),
    location: z.string(),
    owner: z.string(),
    installDate: z.string().nullable(),
    endOfSupport: z.string().nullable(),
    onvifXaddr: z.string().nullable(),
    vetting: z.enum(['clear', 'flagged', 'unvetted']).describe('clear records; flagged and unvetted need an unexpired four-eyes risk acceptance.'),
    likelyRelabel: z.boolean().describe('The OUI or model names an NDAA §889 company that the manufacturer does not.'),
    matches: z.array(vendorMatch),
    clockOffsetMs: z.number().describe('Camera clock minus Custos at identification.'),
    quarantined: z.boolean().describe('Neither recorded nor shown live.'),
    acceptedUntil: isoTime.nullable().describe('Expiry of the risk acceptance that lets the camera record, if any.'),
    identifiedAt: isoTime,
  })
  .describe('An asset inventory entry (AST-1) with its vetting (AST-2).');

export const inventoryPatch = z
  .strictObject({
    location: z.string().max(200).optional(),
    owner: z.string().max(200).optional(),
    installDate: isoDate.nullable().optional(),
    endOfSupport: isoDate.nullable().optional(),
  })
  .describe("The operator's inventory fields.");

export const riskAcceptanceRequest = z
  .strictObject({
    reason: z.string().min(1).max(500).describe('Why the risk is accepted (one line).'),
    until: isoTime.describe('When the acceptance expires; at most a year ahead.'),
  })
  .describe('Ask a second person to accept the risk of a flagged or unvetted camera (four-eyes).');
