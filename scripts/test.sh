#!/usr/bin/env bash
# Every test Hoist has, on a fresh machine: set-up, the jsii check of the public API, unit
# tests, and integration tests on real sandbox hosts (network namespaces with sshd, Docker
# Engine and Podman; needs Linux and root). The last line is "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "==> type-check: tests, benchmarks, examples and templates against the library"
npx --no-install tsc -p tsconfig.dev.json

echo "==> jsii: the public construct API compiles for every target language"
node scripts/jsii-check.mjs

echo "==> sandbox prerequisites (Debian packages)"
node bin/hoist.js sandbox install --if-missing

# The integration suite shares one sandbox; it is removed however the tests end.
export HOIST_IT_SANDBOX=it
trap 'node bin/hoist.js sandbox down --name "$HOIST_IT_SANDBOX" >/dev/null 2>&1 || true' EXIT

echo "==> tests (unit, CLI, integration)"
node scripts/run-tests.mjs test
