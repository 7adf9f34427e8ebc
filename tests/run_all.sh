#!/usr/bin/env bash
# The whole suite: static checks, then the one set of test cases on Deno, Bun
# and Node 22, 24 and 26, then Bun's Windows build under Wine (set up here:
# tests/windows/setup.sh installs Wine from Debian when it is missing). Ends
# with one line "N passed, N failed" summing every runtime.
set -uo pipefail
cd "$(dirname "$0")/.."
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
step deno-doc-lint "$bin/deno" doc --lint mod.ts testing.ts src/runtime/deno/mod.ts src/runtime/bun/mod.ts src/runtime/node/mod.ts

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

for rt in deno bun node24; do count "torture-$rt" '[0-9]+ passed' '[0-9]+ failed' bash tests/torture/run.sh "$rt"; done

# Bun's Windows build under Wine: console events delivered as Windows does.
step wine-setup bash tests/windows/setup.sh
if [ -x build/windows/bun/bun.exe ]; then
  count wine-bun '[0-9]+ passed' '[0-9]+ failed' bash tests/windows/run.sh
fi

echo "logs: $log_dir/"
echo "$passed passed, $failed failed" | tee "$log_dir/summary.txt"
exit $status
