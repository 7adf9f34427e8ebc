#!/usr/bin/env bash
# The whole suite: static checks, then the one set of test cases on Deno, Bun
# and Node 22, 24 and 26, then the package as Node gets it (packed, installed
# in a project of its own: behaviour tests on Node and Bun, a TypeScript
# consumer type-checked), then Bun's Windows build under Wine. Ends with one
# line "N passed, N failed" summing every runtime.
#
# The Wine part needs Debian packages installed once (`sudo bash
# tests/windows/setup.sh`); without them it prints one line saying it was
# skipped and why. REQUIRE_WINE=1 (CI) turns that skip into a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export NO_COLOR=1 FORCE_COLOR=0
bin=node_modules/.bin
passed=0 failed=0 status=0
log_dir=build/test-logs
mkdir -p "$log_dir"

step() { # step NAME COMMAND...: a check that passes or fails as a whole
  local name=$1; shift
  if "$@" >"$log_dir/$name.log" 2>&1; then
    echo "ok   $name"; passed=$((passed + 1))
  else
    echo "FAIL $name"; sed 's/^/     /' "$log_dir/$name.log" | tail -40
    failed=$((failed + 1)); status=1
  fi
}

count() { # count NAME PASS_REGEX FAIL_REGEX COMMAND...: a runner whose counts we read
  local name=$1 pass_re=$2 fail_re=$3; shift 3
  local log="$log_dir/$name.log" rc p f
  "$@" >"$log" 2>&1; rc=$?
  p=$(grep -oE "$pass_re" "$log" | grep -oE '[0-9]+' | tail -1)
  f=$(grep -oE "$fail_re" "$log" | grep -oE '[0-9]+' | tail -1)
  p=${p:-0} f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # a crash counts as a failure
  if [ "$p" -eq 0 ]; then f=$((f + 1)); fi            # a runner that ran nothing fails
  passed=$((passed + p)) failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    status=1; echo "FAIL $name: $p passed, $f failed"
    grep -E "FAILED|\(fail\)|^not ok|✖|Error|error" "$log" | head -40 | sed 's/^/     /'
  else
    echo "ok   $name: $p passed"
  fi
}

step deno-check "$bin/deno" check mod.ts testing.ts src tests
step deno-lint "$bin/deno" lint
step deno-fmt "$bin/deno" fmt --check
step deno-publish-dry-run "$bin/deno" publish --dry-run --allow-dirty
# Every entry point of deno.json, read from it so that a new one is linted too.
entries=$(node -p "Object.values(require('./deno.json').exports).join(' ')")
step deno-doc-lint "$bin/deno" doc --lint $entries

# Every example in the docs runs (examples that would end the process use FakeRuntime).
count deno-doc '[0-9]+ passed' '[0-9]+ failed' \
  "$bin/deno" test --doc --allow-all mod.ts testing.ts $(find src -name '*.ts' | sort)
count deno '[0-9]+ passed' '[0-9]+ failed' \
  "$bin/deno" test --allow-all tests/unit tests/behaviour tests/windows/deno_ffi_hold_test.ts
count bun '^ *[0-9]+ pass' '^ *[0-9]+ fail' "$bin/bun" test ./bun.test.ts
for major in 22 24 26; do
  count "node$major" 'ℹ pass [0-9]+' 'ℹ fail [0-9]+' \
    "node_modules/node$major/bin/node" --test --test-reporter=spec \
    "tests/unit/*_test.ts" "tests/behaviour/*_test.ts"
done

in_dir() { # in_dir DIR COMMAND...: runs COMMAND in DIR
  local dir=$1; shift
  (cd "$dir" && "$@")
}

# The package as Node gets it: tools/build_npm.mjs, `npm pack`, installed from
# the tarball into a new project outside this tree; there the behaviour tests
# and examples import "@graceful/shutdown" (tests/npm/prepare.sh).
npm_dir=$(mktemp -d "${TMPDIR:-/tmp}/graceful-npm.XXXXXX")
# The consumer project has only the package: tests/behaviour/bundled_test.ts
# bundles with the pinned Bun.
export GRACEFUL_BUNDLER="$root/$bin/bun"
trap 'rm -rf "$npm_dir"' EXIT
step npm-pack bash tests/npm/prepare.sh "$npm_dir"
if [ -f "$npm_dir/consumer.ts" ]; then
  step npm-types node "$root/node_modules/typescript/bin/tsc" -p "$npm_dir/tsconfig.json"
  for major in 22 24 26; do
    count "npm-node$major" 'ℹ pass [0-9]+' 'ℹ fail [0-9]+' in_dir "$npm_dir" \
      "$root/node_modules/node$major/bin/node" --test --test-reporter=spec "tests/behaviour/*_test.ts"
  done
  count npm-bun '^ *[0-9]+ pass' '^ *[0-9]+ fail' in_dir "$npm_dir" \
    "$root/$bin/bun" test ./bun.test.ts
fi

# The torture suite, CI size: signal-timing fuzz, storms, misbehaving hooks, PID 1, bad input.
for rt in deno bun node24; do count "torture-$rt" '[0-9]+ passed' '[0-9]+ failed' bash tests/torture/run.sh "$rt"; done

# Bun's Windows build under Wine: console events delivered as Windows does.
wine_rc=0
bash tests/windows/setup.sh --no-install >"$log_dir/wine-setup.log" 2>&1 || wine_rc=$?
if [ "$wine_rc" -eq 0 ]; then
  echo "ok   wine-setup"; passed=$((passed + 1))
  count wine-bun '[0-9]+ passed' '[0-9]+ failed' bash tests/windows/run.sh
elif [ "$wine_rc" -eq 3 ]; then
  why=$(sed -n 's/^skip: //p' "$log_dir/wine-setup.log" | tail -1)
  if [ "${REQUIRE_WINE:-0}" = 1 ]; then
    echo "FAIL wine: skipped, and REQUIRE_WINE=1 requires it: $why"
    failed=$((failed + 1)) status=1
  else
    echo "skip wine: $why"
  fi
else
  echo "FAIL wine-setup"; sed 's/^/     /' "$log_dir/wine-setup.log" | tail -40
  failed=$((failed + 1)) status=1
fi

echo "logs: $log_dir/"
echo "$passed passed, $failed failed" | tee "$log_dir/summary.txt"
exit $status
