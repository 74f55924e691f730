#!/usr/bin/env bash
# The single gate (README's test command; .ci/run runs it): types, lint, layering, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node24.sh
. scripts/node24.sh
bash scripts/prereqs.sh test
npx tsc --noEmit -p tsconfig.json
# The console's sources (DOM, Preact's JSX) have their own project (ADR 0035).
npx tsc --noEmit -p web/tsconfig.json
npx eslint .
npx depcruise src --config .dependency-cruiser.cjs --output-type err
exec bash scripts/test.sh
