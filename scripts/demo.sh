#!/usr/bin/env bash
# Installs what is missing, then runs Custos in demo mode: two simulated 1080p cameras,
# SQLite and segments under ./data, HTTPS on https://127.0.0.1:8443/ (self-signed).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node24.sh
. scripts/node24.sh
bash scripts/prereqs.sh demo
exec node bin/custos.js serve --demo "$@"
