#!/usr/bin/env bash
# Installs what Custos needs and is missing, then returns. Idempotent; quiet when all is there.
#   prereqs.sh demo  → ffmpeg, npm dependencies, the operator console's build (web/dist/)
#   prereqs.sh test  → the same, plus Chromium (browser tests), a reachable PostgreSQL,
#                      GStreamer's RTSP server (interop test), systemd-analyze (unit check) and
#                      libfaketime (clock steps), rsyslog with rsyslog-gnutls (syslog over TLS),
#                      poppler-utils (pdftotext, incident reports), OpenStack Swift (S3 storage
#                      zones), iproute2 (network namespaces)
# System packages come from Debian with apt-get (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-demo}"

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 24 ]; then
  # The README's commands (npm test, npm run demo) source scripts/node24.sh first; run alone, do the same.
  # shellcheck source=scripts/node24.sh
  . scripts/node24.sh
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_updated=""
need_pkg() {
  # need_pkg COMMAND PACKAGE...: installs the packages when COMMAND is missing.
  local cmd="$1"; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  echo "custos: installing $* (missing $cmd)…" >&2
  if [ -z "$apt_updated" ]; then $sudo apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
need_gst() {
  # need_gst: GStreamer's RTSP server for the interop test (test/helpers/gst-rtsp.ts), run by
  # Debian's /usr/bin/python3: the bindings, and the elements its pipelines use (qtdemux and
  # rtph26xpay from plugins-good, h26xparse from plugins-bad).
  /usr/bin/python3 -c 'import gi; gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst; Gst.init(None)
raise SystemExit(not all(Gst.ElementFactory.find(e) for e in ("qtdemux", "h264parse", "h265parse", "rtph264pay", "rtph265pay")))' \
    >/dev/null 2>&1 && return 0
  echo "custos: installing GStreamer's RTSP server and Python bindings…" >&2
  if [ -z "$apt_updated" ]; then $sudo apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    gir1.2-gst-rtsp-server-1.0 python3-gst-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad >/dev/null
}

need_pkg ffmpeg ffmpeg
need_pkg ffprobe ffmpeg

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "custos: installing npm dependencies…" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

# The operator console (web/ → web/dist/, ADR 0035): built with Vite, only when its sources changed.
node scripts/web-build.ts

# Custos's own SBOM (AST-5, GET /api/v1/sbom), made from the lock file by @cyclonedx/cyclonedx-npm;
# again whenever package-lock.json changes.
if [ ! -f build/custos.cdx.json ] || [ package-lock.json -nt build/custos.cdx.json ]; then
  echo "custos: generating the SBOM (build/custos.cdx.json)…" >&2
  # Not fatal: without it GET /api/v1/sbom answers SBOM_UNAVAILABLE and the rest works.
  node bin/custos.js sbom generate --out build/custos.cdx.json >/dev/null ||
    echo "custos: the SBOM could not be generated; run custos sbom generate to see why" >&2
fi

if [ "$mode" = test ]; then
  need_pkg chromium chromium
  need_pkg softhsm2-util softhsm2
  need_pkg openssl openssl
  need_pkg pg_isready postgresql-client
  # systemd-analyze verifies and rates contrib/custos.service (test/integration/systemd-unit.int.test.ts).
  need_pkg systemd-analyze systemd
  # libfaketime steps the wall clock of a real server in the clock-step test (test/helpers/faketime.ts).
  need_pkg faketime faketime
  # pdftotext reads the text of incident report PDFs back (src/incidents/, report tests).
  need_pkg pdftotext poppler-utils
  # OpenStack Swift with its S3 API is the real S3 server of the storage-zone tests (test/helpers/swift-s3.ts).
  need_pkg swift-proxy-server swift-proxy swift-object swift-container swift-account memcached python3-swift
  # ip (iproute2) makes the network namespace of the WS-Discovery multicast test.
  need_pkg ip iproute2
  # rsyslog with its GnuTLS driver receives syslog over TLS (src/siem/syslog-tls-transport.int.test.ts).
  if ! command -v rsyslogd >/dev/null 2>&1 || ! dpkg -s rsyslog-gnutls >/dev/null 2>&1; then
    echo "custos: installing rsyslog rsyslog-gnutls…" >&2
    if [ -z "$apt_updated" ]; then $sudo apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends rsyslog rsyslog-gnutls >/dev/null
  fi
  need_gst
  if [ -z "${CUSTOS_TEST_PG_URL:-}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    # No PostgreSQL on this machine: install one and give the test role a password so the
    # tests can connect over TCP (Debian's default for 127.0.0.1 is password authentication).
    need_pkg pg_ctlcluster postgresql
    cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
    $sudo pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    $sudo su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'custos-test'\""
    echo "custos: started PostgreSQL $cluster; tests use postgres@127.0.0.1 with a local test password." >&2
    echo "export CUSTOS_TEST_PG_URL=postgres://postgres:custos-test@127.0.0.1:5432/postgres" > .custos-test-env
  fi
fi
