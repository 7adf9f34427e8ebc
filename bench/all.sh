#!/usr/bin/env bash
# Every benchmark in one run (start-up, signal path, breakpoints), per runtime,
# as ratios against baselines of the same run; about 2-3 minutes for the three
# default runtimes. Options: see bench/all.ts. Examples:
#
#   bench/all.sh                    deno, bun, node24; print the tables
#   bench/all.sh --write            also write bench/RESULTS.md
#   bench/all.sh --lib /tmp/old     the library in /tmp/old, e.g.
#     (mkdir /tmp/old && git archive REV mod.ts testing.ts src deno.json | tar -x -C /tmp/old)
set -euo pipefail
cd "$(dirname "$0")/.."
exec node_modules/.bin/bun bench/all.ts "$@"
