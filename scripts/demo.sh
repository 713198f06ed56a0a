#!/usr/bin/env bash
# Hoist's main job on this machine: set up, start local sandbox hosts (network namespaces
# with sshd and Docker Engine or Podman), then synthesize, plan and apply the examples on them.
# Needs Linux and root for the sandbox (sudo bash scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "==> sandbox: Debian packages, then 3 hosts (Docker, Podman, Docker)"
node bin/hoist.js sandbox install --if-missing
node bin/hoist.js sandbox up --hosts 3 --engine mixed
node bin/hoist.js sandbox status

# The examples find the sandbox's inventory through HOIST_INVENTORY. The webapp reads its
# database password from the environment; synth only fingerprints it.
export HOIST_INVENTORY="$PWD/.hoist/sandbox/default/inventory.json"
export SHOP_DB_PASSWORD="${SHOP_DB_PASSWORD:-demo-only-password}"
echo "==> examples/multi-host: synth, plan, apply, then plan again (no changes)"
(cd examples/multi-host && node ../../bin/hoist.js synth \
  && node ../../bin/hoist.js plan --graph hoist.out/graph.json --out plan.json \
  && node ../../bin/hoist.js apply plan.json \
  && node ../../bin/hoist.js plan --graph hoist.out/graph.json --detailed-exitcode \
  && node ../../bin/hoist.js status --graph hoist.out/graph.json \
  && node ../../bin/hoist.js history --graph hoist.out/graph.json -n 3)
# The webapp's images are built on the database host (apt-get inside the builds reaches
# Debian's mirrors through the sandbox's NAT) and sent to the web hosts without a registry.
# Its delivery pipeline runs here as CI would run it on a push: build, the web app's unit
# tests in its built image, lint, plan, then apply that plan (--yes is the approval), and the
# nightly drift check (which passes: the hosts match the graph).
echo "==> examples/webapp: synth (graph and CI files), then its delivery pipeline and drift check"
(cd examples/webapp && node ../../bin/hoist.js synth \
  && node ../../bin/hoist.js pipeline run delivery --yes \
  && node ../../bin/hoist.js pipeline run delivery --trigger schedule)
echo "==> graphs written to examples/*/hoist.out/graph.json"
echo "    shell on a sandbox host: node bin/hoist.js sandbox ssh host-1"
echo "    remove the sandbox:      node bin/hoist.js sandbox down"
