#!/usr/bin/env bash
# Installs what Hoist needs on a fresh machine (Node 20 and npm are assumed) and builds it.
# Safe to run again: it skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
echo "==> building (tsc)"
npm run --silent build
# What installing Hoist's own tarball fetches besides the tarball, for the packaging test.
node scripts/warm-package-cache.mjs
# The example construct library resolves hoist and constructs as a user's library would: from
# its own node_modules (links to this checkout and its constructs).
mkdir -p examples/library/node_modules
ln -sfn ../../.. examples/library/node_modules/hoist
ln -sfn ../../../node_modules/constructs examples/library/node_modules/constructs
