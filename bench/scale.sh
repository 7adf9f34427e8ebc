#!/usr/bin/env bash
# 100 000 scopes and hooks on each runtime (bench/scale_bench.ts). Goals:
# request() with 100 000 open scopes <= 50 ms and <= 10 MB; closing and
# unregistering O(1) each.
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
for runtime in deno bun node24; do
  case $runtime in
    deno) cmd=(node_modules/.bin/deno run --allow-all --no-lock --v8-flags=--expose-gc) ;;
    bun) cmd=(node_modules/.bin/bun --smol) ;;
    node24) cmd=(node_modules/node24/bin/node --expose-gc --disable-warning=ExperimentalWarning) ;;
  esac
  printf '%-7s ' "$runtime"
  "${cmd[@]}" bench/scale_bench.ts "$n"
done
