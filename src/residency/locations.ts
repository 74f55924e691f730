import type { Config } from '../config/schema.ts';

/**
 * Every place Custos keeps data or sends it, as declared in the configuration (issue 14 item 7).
 * Pure: reads the validated configuration, touches nothing. Every SIEM destination, witness,
 * notification webhook and SMTP server is an outbound location; a module configured elsewhere adds `extra` ones (see collectLocations).
 */

/** What a location is. Open-ended: a new module adds its own kind (e.g. `storage-zone`, `siem-destination`, `webhook`). */
export type LocationKind = 'data-dir' | 'database' | 'key-provider' | 'identity-provider' | (string & {});

/** One place that keeps our data (footage, metadata, keys) or receives it (an outbound destination). */
export interface Location {
  readonly kind: LocationKind;
  /** Stable name within its kind: `local`, `sqlite`, `postgresql`, `pkcs11`, `oidc:<id>`, `saml:<id>`, a zone or destination id. */
  readonly id: string;
  /** ISO 3166-1 alpha-2 country code, or null when the configuration does not say. */
  readonly jurisdiction: string | null;
  /** Where the declaration comes from (the config key), so an error names what to change. */
  readonly declaredBy: string;
  /** True for places data is sent to (identity providers, SIEM, webhooks); false for places data is kept. */
  readonly outbound: boolean;
  /** What it is, for people: a path, a host name, a token label. Never a credential. */
  readonly detail: string;
}

/** The host (and port) of a URL, without credentials, path or query; the text itself when it is no URL. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unparsable URL)';
  }
}

/** The locations the core configuration declares: data directory, database, key provider, identity providers. */
export function configLocations(config: Config): Location[] {
  const dataDir = config.residency.dataDir;
  const postgres = config.database.url !== null;
  const locations: Location[] = [
    { kind: 'data-dir', id: 'local', jurisdiction: dataDir, declaredBy: 'residency.dataDir', outbound: false, detail: config.dataDir },
    postgres
      ? { kind: 'database', id: 'postgresql', jurisdiction: config.database.jurisdiction, declaredBy: 'database.jurisdiction', outbound: false, detail: hostOf(config.database.url?.reveal() ?? '') }
      : { kind: 'database', id: 'sqlite', jurisdiction: config.database.jurisdiction ?? dataDir, declaredBy: config.database.jurisdiction === null ? 'residency.dataDir' : 'database.jurisdiction', outbound: false, detail: 'SQLite in the data directory' },
    config.keys.provider === 'pkcs11'
      ? { kind: 'key-provider', id: 'pkcs11', jurisdiction: config.keys.jurisdiction, declaredBy: 'keys.jurisdiction', outbound: false, detail: `HSM token ${config.keys.pkcs11.tokenLabel}` }
      : { kind: 'key-provider', id: 'file', jurisdiction: config.keys.jurisdiction ?? dataDir, declaredBy: config.keys.jurisdiction === null ? 'residency.dataDir' : 'keys.jurisdiction', outbound: false, detail: config.keys.file.path ?? 'master key file in the data directory' },
  ];
  config.identity.oidc.forEach((p, i) => {
    locations.push({ kind: 'identity-provider', id: `oidc:${p.id}`, jurisdiction: p.jurisdiction, declaredBy: `identity.oidc[${i}].jurisdiction`, outbound: true, detail: hostOf(p.issuer) });
  });
  config.identity.saml.forEach((p, i) => {
    locations.push({ kind: 'identity-provider', id: `saml:${p.id}`, jurisdiction: p.jurisdiction, declaredBy: `identity.saml[${i}].jurisdiction`, outbound: true, detail: hostOf(p.entryPoint) });
  });
  // Storage zones hold the footage: with none configured, the one zone `default` is the data
  // directory's segments; a local zone without a declaration is where the data directory is.
  if (config.storage.zones.length === 0) {
    locations.push({ kind: 'storage-zone', id: 'default', jurisdiction: dataDir, declaredBy: 'residency.dataDir', outbound: false, detail: 'segments in the data directory' });
  }
  config.storage.zones.forEach((z, i) => {
    if (z.kind === 'local') {
      locations.push({ kind: 'storage-zone', id: z.id, jurisdiction: z.jurisdiction ?? dataDir, declaredBy: z.jurisdiction === null ? 'residency.dataDir' : `storage.zones[${i}].jurisdiction`, outbound: false, detail: z.path });
    } else {
      locations.push({ kind: 'storage-zone', id: z.id, jurisdiction: z.jurisdiction, declaredBy: `storage.zones[${i}].jurisdiction`, outbound: false, detail: `s3 ${z.endpoint === null ? `AWS ${z.region}` : hostOf(z.endpoint)} bucket ${z.bucket}` });
    }
  });
  config.siem.destinations.forEach((d, i) => {
    locations.push({ kind: 'siem-destination', id: d.id, jurisdiction: d.jurisdiction, declaredBy: `siem.destinations[${i}].jurisdiction`, outbound: d.kind !== 'file' && d.kind !== 'replica', detail: `${d.kind} ${destinationPlace(d)}` });
  });
  const smtp = config.notifications.smtp;
  if (smtp !== null) {
    locations.push({ kind: 'notification', id: 'smtp', jurisdiction: smtp.jurisdiction, declaredBy: 'notifications.smtp.jurisdiction', outbound: true, detail: `${smtp.host}:${smtp.port}` });
  }
  config.notifications.webhooks.forEach((w, i) => {
    locations.push({ kind: 'notification', id: `webhook:${w.name}`, jurisdiction: w.jurisdiction, declaredBy: `notifications.webhooks[${i}].jurisdiction`, outbound: true, detail: hostOf(w.url) });
  });
  config.witnesses.forEach((w, i) => {
    locations.push({ kind: 'witness', id: hostOf(w.url), jurisdiction: w.jurisdiction, declaredBy: `witnesses[${i}].jurisdiction`, outbound: true, detail: hostOf(w.url) });
  });
  return locations;
}

/** Where a SIEM destination sends or writes: a host, or a path for the local kinds. */
function destinationPlace(d: Config['siem']['destinations'][number]): string {
  switch (d.kind) {
    case 'syslog':
      return `${d.host}:${d.port}`;
    case 'file':
    case 'replica':
      return d.path;
    case 'splunk-hec':
    case 'webhook':
      return hostOf(d.url);
    case 'sentinel':
    case 'chronicle':
      return hostOf(d.endpoint);
  }
}

/**
 * Every location: the core configuration's and `extra` ones declared by other modules (storage
 * zones, SIEM destinations, webhooks), in that order. This is the one list the start-up check,
 * `custos residency check` and the report use, so a location added here is checked everywhere.
 */
export function collectLocations(config: Config, extra: readonly Location[] = []): Location[] {
  return [...configLocations(config), ...extra];
}
