#!/usr/bin/env bash
# The whole test suite: pure, integration (real ffmpeg, SQLite, PostgreSQL) and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node24.sh
. scripts/node24.sh
bash scripts/prereqs.sh test
# Written by prereqs.sh only when it had to install PostgreSQL itself.
# shellcheck disable=SC1091
[ -f .custos-test-env ] && . ./.custos-test-env
# Two test files run at once (node's default on 2 cores is one): the slow files mostly wait —
# outages, clock steps, segments to close — so two at a time take ~10.5 min where one at a time
# took ~18 (measured on 2 cores, 2026-12-07). CUSTOS_TEST_CONCURRENCY=1 runs them one by one.
# A test file that never ends (a test waiting forever, or a handle its cleanup left open) would
# hold the run, and every file queued behind it, until CI's own limit. The suite takes about 11
# minutes here; past the limit the runner is stopped and names the file it was running.
limit="${CUSTOS_TEST_LIMIT:-25m}"
status=0
timeout --signal=TERM --kill-after=60s "$limit" \
  node --test --test-concurrency="${CUSTOS_TEST_CONCURRENCY:-2}" --test-reporter=spec "src/**/*.test.ts" "tools/**/*.test.ts" "test/**/*.test.ts" || status=$?
if [ "$status" -eq 124 ]; then
  echo "test.sh: the suite ran past $limit and was stopped; the file under 'Interrupted while running' did not finish" >&2
fi
exit "$status"
