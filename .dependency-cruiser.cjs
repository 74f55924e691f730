// Layering of src/ (issue 13, outcome 7; docs/architecture.md states the same rules in words).
// Run: npx depcruise src --config .dependency-cruiser.cjs   (dependency-cruiser 18.9, Node 24)
// Paths name the layout after issue 13's moves (src/media/, src/tlog/, src/ingest/{ffmpeg,native}/,
// src/approvals/, src/routes.ts); on the tree before the moves it reports the old homes.
// Every rule is an error: the gate fails on any violation. Rules look at shipped code; a test
// file (*.test.ts) may reach wherever its subject's helpers are (test/helpers/, tools/camsim/).
'use strict';

/** Test files: exempt from the layering rules below (not from no-circular). */
const TEST = '\\.test\\.ts$';

/** Features: folders that hold a piece of the product (routes → service → store inside each). */
const FEATURES = '^src/(access|alarms|approvals|audit|backup|cameras|cli|cluster|evidence|governance|identity|incidents|ingest|live|metrics|notifications|playback|recording|residency|siem|vault)/';

/**
 * Where files may be read, written or spawned (node:fs, node:child_process): adapters, listed
 * file by file. Deny by default: a new file that needs the filesystem goes into an adapter, or
 * onto this list with its reason.
 */
const FS_ADAPTERS = [
  '^src/lib/(durable-files|private-files|self-signed-cert|disk-space)\\.ts$', // durable writes, 0600 files, the demo certificate, free space (statfs)
  '^src/config/load\\.ts$', // reads custos.yaml and *File secrets
  '^src/keys/file-key-provider\\.ts$', // the master key file
  '^src/audit/checkpoint-pin\\.ts$', // the pinned checkpoint beside the database
  '^src/vault/(object-files|vault-segment-store|vault-fsck)\\.ts$', // the vault's objects
  '^src/storage/(local-zone|s3-zone|scratch-files)\\.ts$', // storage zones: a directory, an S3 bucket (CA file), scratch copies
  '^src/evidence/(evidence-package|package-source|zip-reader)\\.ts$', // evidence packages on disk
  '^src/playback/vault-exporter\\.ts$', // ffmpeg for exports (child_process)
  '^src/ingest/ffmpeg/', // the ffmpeg ingest (child_process)
  '^src/http/(tls|web\\.routes)\\.ts$', // certificate files, the web page
  '^src/identity/(first-run|oidc/oidc-rp|saml/saml-sp)\\.ts$', // setup token file, IdP key files
  '^src/backup/backup-files\\.ts$', // backup directories: empty-dir claim, private copies, SHA-256
  '^src/cli/', // commands read and write the files their operator names
  '^src/notifications/(email|webhook)-sender\\.ts$', // the SMTP password, webhook keys and CA files they name
  '^src/siem/build-http-destination\\.ts$', // the HTTP SIEM destinations' *File secrets and CA files
  '^src/db/', // the database files
  '^src/witness/witness-key\\.ts$', // the witness's cosigning key file
  '^src/siem/replica-(destination|reader)\\.ts$', // the ledger replica files (LOG-3)
  '^src/audit/witness-client\\.ts$', // a witness's CA file
  '^src/siem/delivery/(file-destination|syslog-destination)\\.ts$', // the file destination, the syslog CA and client key files
];

/** src/siem/ files with effects: network adapters and the factory of the HTTP destinations. */
const SIEM_ADAPTERS = [
  '^src/siem/syslog-tls-transport\\.ts$', // syslog over TLS (node:tls)
  '^src/siem/http-post\\.ts$', // HTTPS POST of the HTTP destinations (node:https)
  '^src/siem/(splunk-hec|sentinel|chronicle)-destination\\.ts$', // an https.Agent each; the Azure and Google SDKs
  '^src/siem/build-http-destination\\.ts$', // reads the destinations' secret and CA files, their config types
  '^src/siem/replica-(destination|reader)\\.ts$', // the ledger replica files (LOG-3)
  '^src/siem/delivery/', // the delivery engine: its store, routes, the file and syslog destinations
  '^src/siem/build-destination\\.ts$', // builds every destination by kind
];

/** Where SQL may run: stores, the database module, and the assembly that hands a Db to stores. */
const SQL_PLACES = [
  '\\.store\\.ts$',
  '^src/db/',
  '^src/(app|core)\\.ts$', // assembly (outcome 4: core.ts)
  '^src/[a-z]+/build-[a-z-]+\\.ts$', // build-identity.ts, build-ledger.ts, build-access.ts: assembly of one module
  '^src/cli/open-[a-z-]+\\.ts$', // open-identity.ts: the CLI's identity and access over the core
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle, type-only imports included: a cycle of types is still a knot in the design.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'tlog-is-pure',
      severity: 'error',
      comment: 'src/tlog/ is transparency-log maths and formats: node:crypto, itself, and lib/errors.ts (errors are values with stable codes) only.',
      from: { path: '^src/tlog/', pathNot: TEST },
      to: { pathNot: ['^src/tlog/', '^src/lib/errors\\.ts$', '^(node:)?crypto$'] },
    },
    {
      name: 'siem-is-pure',
      severity: 'error',
      comment:
        'src/siem/ maps committed ledger records to SIEM formats: it reads the record shape, the catalogue, the Secret value type and node:crypto (webhook HMAC), nothing with effects (no store, no fs, no network), except its adapters: the syslog TLS transport, the HTTPS poster and the HTTP destinations that own an SDK or an agent, the replica files, the delivery engine with its destinations (src/siem/delivery/) and the factories that build destinations.',
      from: { path: '^src/siem/', pathNot: [TEST, ...SIEM_ADAPTERS] },
      to: { pathNot: ['^src/siem/', '^src/audit/(audit-event|catalogue)\\.ts$', '^src/lib/canonical-json\\.ts$', '^src/config/secret\\.ts$', '^(node:)?crypto$'] },
    },
    {
      name: 'media-is-low',
      severity: 'error',
      comment: 'src/media/ is the media vocabulary and fMP4: it imports only itself, lib/ and node built-ins.',
      from: { path: '^src/media/', pathNot: TEST },
      to: { pathNot: ['^src/media/', '^src/lib/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'http-imports-no-feature',
      severity: 'error',
      comment: 'src/http/ is the server, auth plumbing and route type; the route table is assembled at the top (src/routes.ts).',
      from: { path: '^src/http/', pathNot: TEST },
      to: { path: FEATURES },
    },
    {
      name: 'features-use-only-the-route-type',
      severity: 'error',
      comment: 'A feature defines routes with http/route.ts and nothing else of http/.',
      from: { path: FEATURES, pathNot: TEST },
      to: { path: '^src/http/', pathNot: '^src/http/route\\.ts$' },
    },
    {
      name: 'low-layers-import-no-feature',
      severity: 'error',
      comment: 'lib/, db/, config/, api/ are below every feature.',
      from: { path: '^src/(lib|db|config|api)/', pathNot: TEST },
      to: { path: FEATURES },
    },
    {
      name: 'fs-and-processes-only-in-adapters',
      severity: 'error',
      comment: 'node:fs and node:child_process only in the adapters listed in FS_ADAPTERS (deny by default).',
      from: { path: '^src/', pathNot: [TEST, ...FS_ADAPTERS] },
      to: { path: '^(node:)?(fs|fs/promises|child_process)$' },
    },
    {
      name: 'sql-only-in-stores',
      severity: 'error',
      comment: 'kysely, pg, better-sqlite3 and the Db of src/db/database.ts only in *.store.ts, src/db/ and the assembly (deny by default).',
      from: { path: '^src/', pathNot: [TEST, ...SQL_PLACES] },
      to: { path: ['(^|/)node_modules/(kysely|pg|better-sqlite3)/', '^src/db/(database|tables)\\.ts$'] },
    },
    {
      name: 'fastify-only-in-routes-and-http',
      severity: 'error',
      comment: 'The HTTP framework stays in *.routes.ts, src/http/ and the assembly.',
      from: { path: '^src/', pathNot: [TEST, '\\.routes\\.ts$', '^src/http/', '^src/(app|routes)\\.ts$'] },
      to: { path: '(^|/)node_modules/(fastify|@fastify/websocket)/' },
    },
    {
      name: 'services-hold-rules-only',
      severity: 'error',
      comment: 'Services (and the pure media/playback planners) receive stores through interfaces: no store module, Db, HTTP, SQL, filesystem or process (replaced the ESLint serviceBans: by role instead of by file name).',
      from: { path: ['\\.service\\.ts$', '^src/recording/segmenter\\.ts$', '^src/playback/(timeline|hls-playlist)\\.ts$', '^src/live/live-hub\\.ts$'], pathNot: TEST },
      to: { path: ['\\.store\\.ts$', '^src/db/database\\.ts$', '(^|/)node_modules/(fastify|@fastify/websocket|kysely|pg|better-sqlite3)/', '^(node:)?(fs|fs/promises|child_process)$'] },
    },
    {
      name: 'shipped-code-imports-no-test-code',
      severity: 'error',
      comment: 'Fixtures live in test/helpers/; only *.test.ts files import them.',
      from: { path: '^src/', pathNot: TEST },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: ['^src/', '^test/', '^tools/', '^(node:)?[a-z_/]+$', 'node_modules/(kysely|pg|better-sqlite3|fastify|@fastify/websocket)/'],
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    preserveSymlinks: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
