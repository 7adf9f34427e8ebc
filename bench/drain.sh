#!/usr/bin/env bash
# Runs bench/drain_bench.ts (about 90 s with the default 3 runs per case) and
# writes bench/RESULTS_drain.md, runs bench/drain_clients_bench.ts (about 2 min),
# then adds what drainable() costs on
# hello-world (bench/drain_throughput.ts, about 80 s). Arguments pass through
# to drain_bench.ts, e.g. --runs 5.
set -euo pipefail
cd "$(dirname "$0")/.."
node=node_modules/node24/bin/node
"$node" --disable-warning=ExperimentalWarning bench/drain_bench.ts "$@"
# Real clients over TLS (streams, 16 MiB to slow readers, 500 ms drain delay): bench/RESULTS_drain_clients.md
"$node" --disable-warning=ExperimentalWarning bench/drain_clients_bench.ts "$@"
"$node" --disable-warning=ExperimentalWarning bench/drain_throughput.ts --append bench/RESULTS_drain.md
