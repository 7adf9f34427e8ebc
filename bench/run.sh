#!/usr/bin/env bash
# Runs bench/breakpoint_bench.ts on Deno, Bun and Node 24, 22 and 26, one after
# the other, and prints one table row per runtime (about 12 s each).
# bench/all.sh runs these rows together with the start-up and signal-path
# benchmarks and writes bench/RESULTS.md.
#
#   bench/run.sh                       all five runtimes, this checkout
#   bench/run.sh deno node24           only those
#   bench/run.sh --lib /tmp/old ...    the library in /tmp/old instead, e.g.
#                                      (mkdir /tmp/old && git archive REV mod.ts testing.ts src | tar -x -C /tmp/old)
#
# Columns ("f/r" = controller with the fake runtime / with the real runtime):
#   bare, tIA      ns per bare `if (flag) throw` / per signal.throwIfAborted()
#   bp f/r         ns per scope.breakpoint(), nothing pending
#   bp/bare        breakpoint / bare check               (goal <= 1.5x)
#   bp/tIA         breakpoint / throwIfAborted
#   1 subj         breakpoint / bare check on one subject (the JIT may hoist both)
#   scopes/s       protect() + [Symbol.dispose]() per second (goal >= 5M)
#   B/scope        bytes allocated per scope
#   goals          bp/bare and scopes/s verdicts
# The checks rotate over 8 subjects so that each call really runs; see the
# comments in bench/breakpoint_bench.ts. Numbers are means from mitata; on a
# busy machine run it twice and look at the spread.
set -uo pipefail

bench=bench/breakpoint_bench.ts
lib=()
if [ "${1:-}" = "--lib" ]; then
  lib=(--lib "$(cd "$2" && pwd)") || exit 2
  shift 2
fi
cd "$(dirname "$0")/.." || exit 2
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=(deno bun node24 node22 node26)

command_for() {
  case "$1" in
    deno) echo "node_modules/.bin/deno run --node-modules-dir=manual --no-lock --allow-read --v8-flags=--expose-gc" ;;
    bun) echo "node_modules/.bin/bun" ;;
    node22 | node24 | node26) echo "node_modules/$1/bin/node --expose-gc --disable-warning=ExperimentalWarning" ;;
    *) return 1 ;;
  esac
}

printf '%-12s  %5s  %5s  %11s  %11s  %11s  %11s  %11s  %7s  %9s\n' \
  runtime bare tIA "bp f/r" "bp/bare f/r" "bp/tIA f/r" "1 subj f/r" "scopes/s" "B/scope" goals
status=0
for runtime in "${runtimes[@]}"; do
  if ! cmd=$(command_for "$runtime"); then
    echo "$runtime: unknown runtime (deno, bun, node22, node24, node26)" >&2
    status=2
    continue
  fi
  err=$(mktemp)
  # shellcheck disable=SC2086 # $cmd is a command line
  if ! timeout 90 $cmd "$bench" --row "${lib[@]}" 2>"$err"; then
    echo "$runtime: failed" >&2
    tail -n 20 "$err" >&2
    status=1
  fi
  rm -f "$err"
done
exit $status
