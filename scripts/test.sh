#!/usr/bin/env bash
# The whole test suite: pure, integration (real ffmpeg, SQLite, PostgreSQL) and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prereqs.sh test
# Written by prereqs.sh only when it had to install PostgreSQL itself.
# shellcheck disable=SC1091
[ -f .custos-test-env ] && . ./.custos-test-env
exec node --test --test-reporter=spec "src/**/*.test.ts" "tools/**/*.test.ts" "test/**/*.test.ts"
