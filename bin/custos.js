#!/usr/bin/env node
// Entry point of the `custos` command. Node.js 24 runs the TypeScript sources directly
// (type stripping), so there is no build step; see docs/decisions/0001-node24-no-build.md.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
