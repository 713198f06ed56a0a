#!/usr/bin/env bash
# Hoist's main job on this machine: set up, then synthesize the examples' desired-state graphs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# The webapp example reads its database password from the environment; a demo value will do
# (synth only fingerprints it, it never lands in the graph).
export SHOP_DB_PASSWORD="${SHOP_DB_PASSWORD:-demo-only-password}"
for example in multi-host webapp; do
  echo "==> hoist synth (examples/$example)"
  (cd "examples/$example" && node ../../bin/hoist.js synth)
done
echo "==> graphs written to examples/*/hoist.out/graph.json"
