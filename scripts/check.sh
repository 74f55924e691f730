#!/usr/bin/env bash
# The single gate (README's test command; .ci/run runs it): types, lint, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prereqs.sh test
npx tsc --noEmit -p tsconfig.json
npx eslint .
exec bash scripts/test.sh
