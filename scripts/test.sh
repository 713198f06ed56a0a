#!/usr/bin/env bash
# Every test Hoist has, on a fresh machine: set-up, the jsii check of the public API, and the
# test suites. The last line is "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "==> type-check: tests, benchmarks, examples and templates against the library"
npx --no-install tsc -p tsconfig.dev.json

echo "==> jsii: the public construct API compiles for every target language"
node scripts/jsii-check.mjs

echo "==> tests"
node scripts/run-tests.mjs test
