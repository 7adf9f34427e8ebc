#!/usr/bin/env bash
# Runs bench/drain_bench.ts (about 90 s with the default 3 runs per case) and
# writes bench/RESULTS_drain.md. Arguments pass through, e.g. --runs 5.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node_modules/node24/bin/node --disable-warning=ExperimentalWarning bench/drain_bench.ts "$@"
