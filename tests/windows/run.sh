#!/usr/bin/env bash
# Runs tests/windows/fixtures/bun_console.ts with Bun's Windows build under
# Wine and delivers console events to it through ctrl_driver.exe. Needs
# tests/windows/setup.sh first. Ends with "N passed, N failed".
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out_dir=build/windows
if [ ! -x "$out_dir/bun/bun.exe" ] || [ ! -f "$out_dir/ctrl_driver.exe" ]; then
  echo "run tests/windows/setup.sh first"
  exit 2
fi
export WINEPREFIX="$root/$out_dir/wineprefix" WINEDEBUG=-all NO_COLOR=1 WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$out_dir/logs"
ready="Z:$root/$out_dir/ready"
cleanup_ms=700 hold_limit_ms=4500 slack_ms=500
passed=0 failed=0

# deliver NAME METHOD EVENT MODE: runs the driver under a pty (console events
# need a terminal); its output and the program's go to a file, unwrapped.
deliver() {
  name=$1 log="$out_dir/logs/$1.log" problems=()
  timeout 90 script -qfec "/usr/lib/wine/wine64 $out_dir/ctrl_driver.exe $2 $3 $ready 30000 \
'$out_dir/bun/bun.exe tests/windows/fixtures/bun_console.ts $4 $ready' >$log 2>&1" /dev/null >/dev/null
  out="$(tr -d '\r' <"$log")"
  returned="" held=""
  if [[ $out =~ driver:\ thread\ returned\ ([0-9]+)\ after\ ([0-9]+)\ ms ]]; then
    returned=${BASH_REMATCH[1]} held=${BASH_REMATCH[2]}
  fi
}
check() { # DESCRIPTION COMMAND...: records a problem unless COMMAND succeeds
  local what=$1
  shift
  "$@" || problems+=("$what")
}
has() { grep -qF -- "$1" <<<"$out"; }
lacks() { ! has "$1"; }
before() { # both lines present, the first one earlier
  local a b
  a=$(grep -nF -- "$1" <<<"$out" | head -1 | cut -d: -f1)
  b=$(grep -nF -- "$2" <<<"$out" | head -1 | cut -d: -f1)
  [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}
between() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; }
verdict() { # FIGURES
  if [ ${#problems[@]} -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok   $name: $1"
  else
    failed=$((failed + 1))
    echo "FAIL $name: ${problems[*]}"
    sed 's/^/     | /' <<<"$out"
  fi
}

started=$SECONDS

for method in generate remote; do
  deliver "ctrl_c_$method" "$method" 0 hold
  check "SIGINT listener ran" has "fixture: signal SIGINT"
  check "console listener not called" lacks "fixture: console"
  check "program ended" has "driver: program exited with 0"
  verdict "SIGINT delivered once${held:+, thread returned $returned after $held ms}"
done

deliver ctrl_break_remote remote 1 hold
check "SIGBREAK listener ran" has "fixture: signal SIGBREAK"
check "console listener not called" lacks "fixture: console"
check "program ended" has "driver: program exited with 0"
verdict "SIGBREAK delivered once, thread returned $returned after $held ms"

for event in 2:CTRL_CLOSE 5:CTRL_LOGOFF 6:CTRL_SHUTDOWN; do
  code=${event%%:*} event=${event#*:}
  deliver "${event,,}_hold" remote "$code" hold
  check "listener got $event" has "fixture: console $event"
  check "cleanup finished before the thread returned" before "fixture: cleanup done" "driver: thread returned"
  check "thread returned 1" [ "$returned" = 1 ]
  check "held about ${cleanup_ms} ms" between "$held" $cleanup_ms $((cleanup_ms + slack_ms))
  check "no signal as well" lacks "fixture: signal"
  check "program still there for Windows to end" has "program still running"
  verdict "thread returned $returned after $held ms"
done

deliver logoff_hang remote 5 hang
check "listener got CTRL_LOGOFF" has "fixture: console CTRL_LOGOFF"
check "thread returned 1" [ "$returned" = 1 ]
check "cut at the ${hold_limit_ms} ms hold limit" between "$held" $hold_limit_ms $((hold_limit_ms + slack_ms))
verdict "thread returned $returned after $held ms (limit $hold_limit_ms)"

deliver shutdown_uninstall remote 6 uninstall
check "uninstalled during the hold" before "fixture: uninstalled" "driver: thread returned"
check "thread returned 1" [ "$returned" = 1 ]
check "released at once (300 ms in)" between "$held" 300 $((300 + slack_ms))
verdict "thread returned $returned after $held ms"

deliver logoff_unlisten remote 5 unlisten
check "cleanup finished before the thread returned" before "fixture: cleanup done" "driver: thread returned"
check "removing signal listeners did not stall the cleanup" between "$held" $cleanup_ms $((cleanup_ms + slack_ms))
verdict "thread returned $returned after $held ms"

deliver close_exit remote 2 exit
check "cleanup finished before the thread ended" before "fixture: cleanup done" "driver: thread returned"
check "process.exit(7) during the hold ended the program with 7" [ "$returned" = 7 ]
check "without waiting for the hold limit" between "$held" $cleanup_ms $((cleanup_ms + slack_ms))
verdict "thread ended with exit code $returned after $held ms"

deliver logoff_baseline remote 5 baseline
check "no listener ran" lacks "fixture: "
check "Windows' default handler ended the program" has "program already ended"
check "at once" between "$held" 0 200
verdict "no handler: program ended after $held ms"

deliver natural_end none 0 natural
check "program ran to its end" has "fixture: end of program"
check "and exited by itself" has "driver: program exited with 0"
verdict "the installed handler did not keep Bun alive"

echo "wine run took $((SECONDS - started)) s; logs in $out_dir/logs"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
