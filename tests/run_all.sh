#!/usr/bin/env bash
# The whole suite: static checks, then the one set of test cases on Deno, Bun
# and Node 22, 24 and 26, then the package as Node gets it (packed, installed
# in a project of its own: behaviour tests on Node and Bun, a TypeScript
# consumer type-checked), the torture command, then Bun's Windows build under
# Wine.
#
# The runners are independent (each spawns its own children, temporary
# directories and ports), so they run side by side: TEST_JOBS at a time
# (default 4; most of a behaviour test is waiting on a child's deadline, not
# CPU). TEST_JOBS=1 runs them one after another. Inside a runner, test files
# run TEST_FILE_JOBS at a time (default 1; each file in a process or isolate
# of its own: Deno --parallel, Bun --parallel, node --test-concurrency);
# TEST_FILE_JOBS=1 runs each runner's files one after another. A line per runner as it ends,
# then the summary: a line per runner with "passed / failed / skipped (why)",
# and last one line "N passed, N failed" summing every runner.
#
# The Wine part needs Debian packages installed once (`sudo bash
# tests/windows/setup.sh`); without them it prints one line saying it was
# skipped and why. REQUIRE_WINE=1 (CI) turns that skip into a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export NO_COLOR=1 FORCE_COLOR=0
bin=node_modules/.bin
log_dir=build/test-logs
res_dir=$log_dir/results
rm -rf "$res_dir"
mkdir -p "$log_dir" "$res_dir"
rm -f "$log_dir/summary.txt"
jobs_max=${TEST_JOBS:-4}
if ! [[ "$jobs_max" =~ ^[1-9][0-9]*$ ]]; then
  echo "run_all: TEST_JOBS must be a positive integer, got \"$jobs_max\""
  exit 2
fi
file_jobs=${TEST_FILE_JOBS:-1}
if ! [[ "$file_jobs" =~ ^[1-9][0-9]*$ ]]; then
  echo "run_all: TEST_FILE_JOBS must be a positive integer, got \"$file_jobs\""
  exit 2
fi
# Node 24 and 26 keep the JavaScript they compile, TypeScript stripped
# included, for the next process: the tests spawn a Node child per case, and
# each stripped the library's modules again (0.5 s of CPU a child without the
# cache, 0.15 s with it; Node 22 caches no TypeScript). Under build/, so a
# second run starts warm; Node checks each entry against its source.
export NODE_COMPILE_CACHE="$root/build/node-compile-cache"
# How each runner runs its files side by side.
export DENO_JOBS=$file_jobs
deno_par=() node_par=(--test-concurrency="$file_jobs")
if [ "$file_jobs" -gt 1 ]; then deno_par=(--parallel); fi
began=$SECONDS

# A result is $res_dir/NAME: "STATUS PASSED FAILED SKIPPED SECONDS" (STATUS ok,
# FAIL or skip), then the skip reasons (one line), then the lines to show
# under a failure.
_result() { # _result NAME STATUS P F S SECONDS WHY [EXCERPT_FILE]; CPU seconds in $cpu_used
  {
    echo "$2 $3 $4 $5 $6 ${cpu_used:--}"
    echo "$7"
    if [ -n "${8:-}" ]; then cat "$8"; fi
  } >"$res_dir/$1.tmp"
  mv "$res_dir/$1.tmp" "$res_dir/$1"
  printf '%-4s %s (%s s)\n' "$2" "$1" "$6"
}

# The CPU seconds (user + system) of this shell's ended children, from what
# `times` wrote (a builtin, so it must run in the shell itself: in $(...) it
# would see a new subshell's children only).
_cpu_of() { # _cpu_of FILE
  awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, "m"); sub("s", "", t[2]); n += t[1] * 60 + t[2] }
    printf "%d", n }' "$1"
}

# "N × reason; …" for the "[skipped: reason]" markers in a log: the shared
# test harness puts a skipped test's reason in its name, so every runner
# prints it (tests/_harness.ts); the torture command prints the same marker.
_skipped() { # the skipped tests' "name [skipped: reason]", once each (Bun lists them twice)
  grep -oE '[^│]*\[skipped: [^]]*\]' "$1" | sed -E 's/^[[:space:]]*(\(skip\) |﹣ |ok [0-9]+ - )?//' |
    sort -u
}
_reasons() {
  _skipped "$1" | grep -oE '\[skipped: [^]]*\]$' | sed -E 's/^\[skipped: (.*)\]$/\1/' | sort | uniq -c |
    sed -E 's/^ *([0-9]+) (.*)$/\1 × \2/' | paste -sd';' - | sed 's/;/; /g'
}

step() { # step NAME COMMAND...: a check that passes or fails as a whole
  local name=$1; shift
  local log="$log_dir/$name.log" t0=$SECONDS cpu_used=
  if "$@" >"$log" 2>&1; then
    _result "$name" ok 1 0 0 $((SECONDS - t0)) ""
  else
    tail -40 "$log" >"$res_dir/$name.excerpt"
    _result "$name" FAIL 0 1 0 $((SECONDS - t0)) "" "$res_dir/$name.excerpt"
  fi
}

count() { # count NAME PASS_REGEX FAIL_REGEX SKIP_REGEX COMMAND...: a runner whose counts we read
  local name=$1 pass_re=$2 fail_re=$3 skip_re=$4; shift 4
  local log="$log_dir/$name.log" t0=$SECONDS rc p f s marked why cpu0 cpu_used
  times >"$log.cpu"; cpu0=$(_cpu_of "$log.cpu")
  "$@" >"$log" 2>&1; rc=$?
  times >"$log.cpu"; cpu_used=$(($(_cpu_of "$log.cpu") - cpu0))
  rm -f "$log.cpu"
  p=$(grep -oE "$pass_re" "$log" | grep -oE '[0-9]+' | tail -1)
  f=$(grep -oE "$fail_re" "$log" | grep -oE '[0-9]+' | tail -1)
  s=$(grep -oE "$skip_re" "$log" | grep -oE '[0-9]+' | tail -1)
  marked=$(_skipped "$log" | wc -l)
  p=${p:-0} f=${f:-0} s=${s:-$marked}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # a crash counts as a failure
  if [ "$p" -eq 0 ]; then f=$((f + 1)); fi            # a runner that ran nothing fails
  why=$(_reasons "$log")
  if [ "$s" -gt "$marked" ]; then why="${why:+$why; }$((s - marked)) × no reason given"; fi
  if [ "$f" -ne 0 ]; then
    grep -E "FAILED|\(fail\)|^not ok|✖|Error|error" "$log" | head -40 >"$res_dir/$name.excerpt"
    _result "$name" FAIL "$p" "$f" "$s" $((SECONDS - t0)) "$why" "$res_dir/$name.excerpt"
  else
    _result "$name" ok "$p" 0 "$s" $((SECONDS - t0)) "$why"
  fi
}

in_dir() { # in_dir DIR COMMAND...: runs COMMAND in DIR
  local dir=$1; shift
  (cd "$dir" && "$@")
}

deno_counts=('[0-9]+ passed' '[0-9]+ failed' '[0-9]+ ignored')
bun_counts=('^ *[0-9]+ pass' '^ *[0-9]+ fail' '^ *[0-9]+ skip')
node_counts=('ℹ pass [0-9]+' 'ℹ fail [0-9]+' 'ℹ skipped [0-9]+')
# The torture command prints "N passed, M failed" and a marker per skipped check.
no_count='^\b$' # a runner that prints no skip count: its markers are counted
torture_counts=('[0-9]+ passed' '[0-9]+ failed' "$no_count")

# The package as Node gets it: tools/build_npm.mjs, `npm pack`, installed from
# the tarball into a new project outside this tree; there the behaviour tests
# and examples import "@graceful/shutdown" (tests/npm/prepare.sh).
npm_dir=$(mktemp -d "${TMPDIR:-/tmp}/graceful-npm.XXXXXX")
# The consumer project has only the package: tests/behaviour/bundled_test.ts
# bundles with the pinned Bun.
export GRACEFUL_BUNDLER="$root/$bin/bun"

# The jobs, one function each. The ones that only compute (type checks, the
# build) go first, before the runners whose tests wait on real timers and
# signals; then the longest first (each line's "(N s)" has the last run's).
job_deno() {
  count deno "${deno_counts[@]}" \
    "$bin/deno" test "${deno_par[@]}" --allow-all tests/unit tests/behaviour \
    tests/windows/deno_ffi_hold_test.ts
}
# Bun runs one entry file (bun.test.ts imports every test file) in one process, or
# with --parallel the files themselves, each in a process of its own.
bun_tests() { # bun_tests BUN: in the current directory
  if [ "$file_jobs" -eq 1 ]; then "$1" test ./bun.test.ts; return; fi
  # shellcheck disable=SC2046
  "$1" test --parallel="$file_jobs" $(find tests/unit tests/behaviour -name '*_test.ts' 2>/dev/null |
    sort | sed 's|^|./|')
}
job_bun() { count bun "${bun_counts[@]}" bun_tests "$bin/bun"; }
job_node() { # job_node MAJOR
  count "node$1" "${node_counts[@]}" "node_modules/node$1/bin/node" --test "${node_par[@]}" \
    --test-reporter=spec \
    "tests/unit/*_test.ts" "tests/behaviour/*_test.ts"
}
job_node22() { job_node 22; }
job_node24() { job_node 24; }
job_node26() { job_node 26; }
job_static() {
  # `deno check` of the whole tree, as a user's editor and CI check it.
  step deno-check "$bin/deno" check
  # And inside a Deno project that also has npm packages (@types/node in node_modules).
  step deno-consumer bash tests/npm/deno_consumer.sh
  step deno-lint "$bin/deno" lint
  step deno-fmt "$bin/deno" fmt --check
  step deno-publish-dry-run "$bin/deno" publish --dry-run --allow-dirty
  # Every entry point of deno.json, read from it so that a new one is linted too.
  local entries
  entries=$(node -p "Object.values(require('./deno.json').exports).join(' ')")
  # shellcheck disable=SC2086
  step deno-doc-lint "$bin/deno" doc --lint $entries
}
# Every example in the docs runs (examples that would end the process use FakeRuntime).
job_deno_doc() {
  count deno-doc "${deno_counts[@]}" \
    "$bin/deno" test "${deno_par[@]}" --doc --allow-all mod.ts testing.ts runtime.ts $(find src -name '*.ts' | sort)
}
# README's code blocks (each runs on the runtimes it names, or is marked a fragment) and
# links, and `npm run demo` on each runtime.
job_docs() {
  count docs "${deno_counts[@]}" \
    "$bin/deno" test --allow-all tests/readme_test.ts tests/demo_script_test.ts
}
job_npm_pack() {
  step npm-pack bash tests/npm/prepare.sh "$npm_dir"
  if [ "$(head -c2 "$res_dir/npm-pack")" = ok ]; then step npm-types job_npm_types; fi
}
job_npm_types() {
  # The README's advice (lib es2022 + esnext.disposable), lib esnext, and with the DOM lib.
  local config
  for config in tsconfig tsconfig.esnext tsconfig.dom; do
    echo "tsc -p $config.json"
    node "$root/node_modules/typescript/bin/tsc" -p "$npm_dir/$config.json" || return 1
  done
}
job_npm_node() { # job_npm_node MAJOR
  count "npm-node$1" "${node_counts[@]}" in_dir "$npm_dir" \
    "$root/node_modules/node$1/bin/node" --test "${node_par[@]}" --test-reporter=spec \
    "tests/behaviour/*_test.ts"
}
job_npm_node22() { job_npm_node 22; }
job_npm_node24() { job_npm_node 24; }
job_npm_node26() { job_npm_node 26; }
job_npm_bun() { count npm-bun "${bun_counts[@]}" in_dir "$npm_dir" bun_tests "$root/$bin/bun"; }
# The torture suite, CI size: signal-timing fuzz, storms, misbehaving hooks, PID 1, bad input.
job_torture() { count "torture-$1" "${torture_counts[@]}" bash tests/torture/run.sh "$1"; }
job_torture_deno() { job_torture deno; }
job_torture_bun() { job_torture bun; }
job_torture_node24() { job_torture node24; }
# Bun's Windows build under Wine: console events delivered as Windows does.
job_wine() { count wine-bun '[0-9]+ passed' '[0-9]+ failed' "$no_count" bash tests/windows/run.sh; }

wine_rc=0 wine_why=""
bash tests/windows/setup.sh --no-install >"$log_dir/wine-setup.log" 2>&1 || wine_rc=$?
if [ "$wine_rc" -eq 3 ]; then wine_why=$(sed -n 's/^skip: //p' "$log_dir/wine-setup.log" | tail -1); fi

# Runner names in the summary's order; a job prints its own result lines.
# The longest first and the short ones last, so that no long runner starts
# alone at the end (the packed package's runners go in before the short ones).
queue=(static npm_pack node22 deno_doc deno bun node24 node26 docs
  torture_deno torture_bun torture_node24)
[ "$wine_rc" -eq 0 ] && queue+=(wine)
# Started only once npm-pack passed (the packed package's runners).
after_pack=(npm_node22 npm_node24 npm_node26 npm_bun)

trap 'rm -rf "$npm_dir"' EXIT
trap 'echo "run_all: interrupted"; kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
echo "running ${#queue[@]} + ${#after_pack[@]} jobs, $jobs_max at a time (TEST_JOBS)," \
  "test files in each: $file_jobs at a time (TEST_FILE_JOBS); logs: $log_dir/"
declare -A running=()
pack_seen=0
while [ "${#queue[@]}" -gt 0 ] || [ "${#running[@]}" -gt 0 ]; do
  if [ "$pack_seen" -eq 0 ] && [ -f "$res_dir/npm-pack" ]; then
    pack_seen=1
    if [ "$(head -c2 "$res_dir/npm-pack")" = ok ]; then
      before_short=()
      for job in "${queue[@]}"; do
        if [ "$job" = docs ]; then before_short+=("${after_pack[@]}"); fi
        before_short+=("$job")
      done
      # docs already started: the packed package's runners go first.
      if [ "${#before_short[@]}" -eq "${#queue[@]}" ]; then
        before_short=("${after_pack[@]}" "${queue[@]}")
      fi
      queue=("${before_short[@]}")
    fi
  fi
  while [ "${#queue[@]}" -gt 0 ] && [ "${#running[@]}" -lt "$jobs_max" ]; do
    "job_${queue[0]}" &
    running[$!]=${queue[0]}
    queue=("${queue[@]:1}")
  done
  [ "${#running[@]}" -gt 0 ] || continue
  finished=""
  wait -n -p finished
  if [ -n "${finished:-}" ]; then
    unset "running[$finished]"
  else # no job reported (its status was taken already): drop the ended ones
    for pid in "${!running[@]}"; do kill -0 "$pid" 2>/dev/null || unset "running[$pid]"; done
  fi
done

# The summary, in a fixed order.
order=(deno-check deno-consumer deno-lint deno-fmt deno-publish-dry-run deno-doc-lint deno-doc
  docs deno bun node22 node24 node26 npm-pack npm-types npm-node22 npm-node24 npm-node26 npm-bun
  torture-deno torture-bun torture-node24 wine-bun)
passed=0 failed=0 skipped=0 status=0 cpu_all=0
echo
echo "summary ($((SECONDS - began)) s, $jobs_max runners at a time, $file_jobs test files at a time in each):"
for name in "${order[@]}"; do
  file=$res_dir/$name
  if [ ! -f "$file" ]; then
    case $name in
      npm-types | npm-node* | npm-bun) if [ "$pack_seen" -eq 1 ]; then continue; fi ;; # npm-pack failed
      wine-bun) continue ;;
    esac
    echo "FAIL $name: did not run"; failed=$((failed + 1)) status=1
    continue
  fi
  read -r st p f s secs cpu <"$file"
  why=$(sed -n 2p "$file")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  [ "$cpu" = - ] || cpu_all=$((cpu_all + cpu))
  [ "$st" = ok ] || status=1
  case $name in
    deno-check | deno-consumer | deno-lint | deno-fmt | deno-publish-dry-run | deno-doc-lint | npm-pack | npm-types)
      printf '%-4s %s (%s s)\n' "$st" "$name" "$secs" ;;
    *)
      printf '%-4s %s: %s passed / %s failed / %s skipped%s (%s s, CPU %s s)\n' "$st" "$name" "$p" \
        "$f" "$s" "${why:+ ($why)}" "$secs" "$cpu" ;;
  esac
  if [ "$st" != ok ]; then tail -n +3 "$file" | sed 's/^/     /'; fi
done
if [ "$wine_rc" -eq 3 ]; then
  if [ "${REQUIRE_WINE:-0}" = 1 ]; then
    echo "FAIL wine: skipped, and REQUIRE_WINE=1 requires it: $wine_why"
    failed=$((failed + 1)) status=1
  else
    echo "skip wine: $wine_why"
  fi
elif [ "$wine_rc" -ne 0 ]; then
  echo "FAIL wine-setup"; sed 's/^/     /' "$log_dir/wine-setup.log" | tail -40
  failed=$((failed + 1)) status=1
else
  echo "ok   wine-setup"; passed=$((passed + 1))
fi

echo "skipped: $skipped tests in all (why: on each runner's line above); logs: $log_dir/"
# The suite is bound by CPU where it has few cores: its wall time cannot go
# below this sum over the cores the machine has.
echo "CPU: $cpu_all s (user + system) in the runners, $(nproc) cores, $((SECONDS - began)) s wall"
echo "$passed passed, $failed failed" | tee "$log_dir/summary.txt"
exit $status
