#!/usr/bin/env bash
# Runs the torture command on one runtime (deno, bun, node24), or on all three.
# TORTURE_RUNS sets the fuzz runs (default 50, the CI size).
set -uo pipefail
cd "$(dirname "$0")"
status=0
for rt in "${@:-deno bun node24}"; do
  for r in $rt; do
    case $r in
      deno) ../../node_modules/.bin/deno run --allow-all --node-modules-dir=manual torture.ts ;;
      bun) ../../node_modules/.bin/bun torture.ts ;;
      node*) "../../node_modules/$r/bin/node" --disable-warning=ExperimentalWarning torture.ts ;;
    esac || status=1
  done
done
exit $status
