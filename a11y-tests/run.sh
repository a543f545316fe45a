#!/usr/bin/env bash
# Starts the demo from an already built binary, crawls and audits every page (pa11y, axe
# WCAG 2.2, Nu Html Checker, keyboard, reflow), walks every flow without JavaScript, compares
# the ARIA snapshots, checks every PDF with poppler, stops it. Needs Java for the Nu checker.
# Usage: a11y-tests/run.sh [path/to/portee]   (default: target/debug/portee)
# Needs Chromium at /usr/bin/chromium (or CHROMIUM=...) and Node 20.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:-$here/../target/debug/portee}")"
[ -x "$bin" ] || { echo "no portee binary at $bin: build it first (cargo build)" >&2; exit 2; }

cd "$here"
if [ ! -d node_modules/pa11y ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

work="$(mktemp -d)"
port="${A11Y_PORT:-18080}"
log="$work/portee.log"
(
  cd "$work"
  # A fresh demo database and mail folder in a scratch directory.
  env -u PORTEE_DATABASE_URL -u PORTEE_SMTP_URL PORTEE_MAIL_DIR="$work/mail" \
    PORTEE_LOGIN_RATE_PER_MINUTE=100000 PORTEE_POST_RATE_PER_MINUTE=100000 \
    "$bin" demo --bind "127.0.0.1:$port" >"$log" 2>&1
) &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; pkill -f "$bin demo --bind 127.0.0.1:$port" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  grep -q "^Listening on" "$log" 2>/dev/null && break
  sleep 0.2
done
grep -q "^Listening on" "$log" || { echo "the demo did not start:" >&2; cat "$log" >&2; exit 2; }

PORTEE_URL="http://127.0.0.1:$port" PORTEE_MAIL_DIR="$work/mail" A11Y_PDF_DIR="$work/pdf" node crawl.mjs

# Every flow with JavaScript disabled, and the ARIA snapshots of the main pages.
PORTEE_URL="http://127.0.0.1:$port" PORTEE_MAIL_DIR="$work/mail" node journeys.mjs

# Every PDF the crawl found: tagged, every font embedded as a subset with a ToUnicode map,
# text that can be extracted (poppler).
"$here/check-pdfs.sh" "$work/pdf"
