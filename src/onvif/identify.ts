/**
 * Identifies one camera over ONVIF: who it says it is (GetDeviceInformation), its MAC
 * (GetNetworkInterfaces), its clock against ours (GetSystemDateAndTime), its media service
 * (GetServices, falling back to GetCapabilities for Profile S devices without it) and the stream
 * URIs of its profiles. The result is the identity evidence an inventory entry keeps (AST-1).
 */
import { ns } from './namespaces.ts';
import type { ClockReading, OnvifClient } from './onvif-client.ts';
import type { DeviceInformation, MediaProfile } from './onvif-responses.ts';

/** What a camera answered, kept as evidence. */
export interface IdentityEvidence {
  readonly device: DeviceInformation;
  /** The MAC of the first enabled interface with one (the first with one otherwise), or null. */
  readonly mac: string | null;
  readonly clock: ClockReading;
  readonly mediaXaddr: string;
  readonly profiles: readonly (MediaProfile & { readonly streamUri: string })[];
  /** When the evidence was gathered (Custos clock, ms). */
  readonly atMs: number;
}

/** Runs the calls in order; throws the first call's AppError (CAMERA_UNREACHABLE, ONVIF_FAULT, XML_REFUSED). */
export async function identifyCamera(client: OnvifClient, nowMs: () => number): Promise<IdentityEvidence> {
  // The clock first: its offset dates the WS-Security tokens of the calls after it.
  const clock = await client.systemDateAndTime();
  const device = await client.deviceInformation();
  const nics = await client.networkInterfaces();
  const mac = (nics.find((n) => n.enabled && n.mac !== null) ?? nics.find((n) => n.mac !== null))?.mac ?? null;
  let mediaXaddr: string | undefined;
  try {
    mediaXaddr = (await client.services()).find((s) => s.namespace === ns.trt)?.xaddr;
  } catch {
    mediaXaddr = undefined;
  }
  mediaXaddr ??= (await client.capabilities()).find((s) => s.namespace === ns.trt)?.xaddr;
  const media = mediaXaddr;
  const profiles = await client.profiles(media);
  const withUris = [];
  for (const p of profiles.slice(0, 8)) withUris.push({ ...p, streamUri: await client.streamUri(p.token, media) });
  return { device, mac, clock, mediaXaddr: media ?? '', profiles: withUris, atMs: nowMs() };
}
