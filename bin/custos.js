#!/usr/bin/env node
// Entry point of the `custos` command. Node.js 24 runs the TypeScript sources directly
// (type stripping), so there is no build step; see docs/decisions/0001-node24-no-build.md.
// The version is checked before the sources load: an older Node cannot read a .ts import and
// would otherwise stop with ERR_UNKNOWN_FILE_EXTENSION.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`custos: Node.js 24 is required, this is ${process.version}; run \`npm run demo\` (it installs Node.js 24 into ~/.cache/custos-node24) or put Node.js 24 first on PATH\n`);
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
