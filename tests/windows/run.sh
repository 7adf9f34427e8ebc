#!/usr/bin/env bash
# Runs tests/windows/fixtures/bun_console.ts (the console handler alone) and
# bun_library.ts (a ShutdownController, end to end) with Bun's Windows build
# under Wine and delivers console events to them through ctrl_driver.exe.
# Needs tests/windows/setup.sh first. Ends with "N passed, N failed".
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

# deliver NAME METHOD EVENT MODE [FIXTURE]: runs the driver under a pty
# (console events need a terminal); its output and the program's go to a file,
# unwrapped. FIXTURE defaults to bun_console.ts.
deliver() {
  name=$1 log="$out_dir/logs/$1.log" problems=()
  timeout 90 script -qfec "/usr/lib/wine/wine64 $out_dir/ctrl_driver.exe $2 $3 $ready 30000 \
'$out_dir/bun/bun.exe tests/windows/fixtures/${5:-bun_console.ts} $4 $ready' >$log 2>&1" /dev/null >/dev/null
  # Bun's Windows build may print this at exit under Wine; it is not ours.
  out="$(tr -d '\r' <"$log" | grep -v '^Internal error: directory mismatch')"
  returned="" held="" exited=""
  if [[ $out =~ driver:\ thread\ returned\ ([0-9]+)\ after\ ([0-9]+)\ ms ]]; then
    returned=${BASH_REMATCH[1]} held=${BASH_REMATCH[2]}
  fi
  if [[ $out =~ driver:\ program\ exited\ with\ ([0-9]+) ]]; then exited=${BASH_REMATCH[1]}; fi
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
preceded_by() { # LINE PATTERN: the line just before the first LINE matches PATTERN (grep -E)
  grep -B1 -F -- "$1" <<<"$out" | head -1 | grep -qE -- "$2"
}
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

# --- The library end to end: a ShutdownController on Bun's Windows adapter ---
budget_ms=4500 flush_ms=700 job_step_ms=400

for event in 2:CTRL_CLOSE:SIGHUP:129 5:CTRL_LOGOFF:SIGTERM:143 6:CTRL_SHUTDOWN:SIGTERM:143; do
  IFS=: read -r code event signal status <<<"$event"
  deliver "library_${event,,}_hooks" remote "$code" hooks bun_library.ts
  check "Windows default budget" has "fixture: controller on win32, budget $budget_ms ms"
  check "hooks ran last registered first" before "fixture: hook quick ran" "fixture: hook flush started"
  check "the hooks finished before the thread ended" before "fixture: hook flush done" "driver: thread returned"
  # Windows cannot re-raise: the report says the explicit status of $signal.
  check "report: cause console/$event, both hooks ok, exit $status as by $signal" \
    has "report cause=console/$event steps=quick:ok,flush:ok forced=false forcedBy=- exit=$status"
  check "held about the ${flush_ms} ms of hooks" between "$held" $flush_ms $((flush_ms + slack_ms))
  check "held no longer than the budget" between "$held" 0 $((budget_ms + 1))
  check "thread ended by the exit, with $status" [ "$returned" = "$status" ]
  check "program exited with $status" [ "$exited" = "$status" ]
  verdict "hooks LIFO, thread ended with $returned after $held ms, program exited with $exited"
done

deliver library_logoff_ignored service 5 logoff-ignored bun_library.ts
check "thread returned 1" [ "$returned" = 1 ]
check "released at once" between "$held" 0 200
check "program still running after the thread" has "after $held ms, program still running"
check "still ticking a second later" before "driver: thread returned" "fixture: tick 4, still running"
check "no shutdown from the logoff" lacks "shutting down gracefully (CTRL_LOGOFF)"
check "hooks only after the program's own request" before "fixture: tick 5" "fixture: hook quick ran"
check "report: cause request" has "report cause=request/end of test steps=quick:ok,flush:ok forced=false"
check "program exited with 0" [ "$exited" = 0 ]
verdict "terminateOnLogoff: false: thread returned $returned after $held ms, program ran on, exited with $exited"

deliver library_close_hang remote 2 hang bun_library.ts
check "Windows default budget" has "fixture: controller on win32, budget $budget_ms ms"
check "the hanging hook started" has "fixture: hook hang started"
check "report: forced by the deadline, hang cut" \
  has "report cause=console/CTRL_CLOSE steps=quick:ok,hang:cut forced=true forcedBy=deadline exit=129"
check "cut at the ${budget_ms} ms deadline" between "$held" $budget_ms $((budget_ms + slack_ms))
check "thread ended by the exit, with 129" [ "$returned" = 129 ]
check "program exited with 129" [ "$exited" = 129 ]
verdict "hang cut by the deadline: thread ended with $returned after $held ms (budget $budget_ms), program exited with $exited"

deliver library_ctrl_c_generate generate 0 hooks bun_library.ts
check "hooks ran last registered first" before "fixture: hook quick ran" "fixture: hook flush started"
check "report: cause SIGINT, both hooks ok" \
  has "report cause=signal/SIGINT steps=quick:ok,flush:ok forced=false forcedBy=- exit=130"
check "the hooks finished before the exit" before "fixture: hook flush done" "driver: program exited"
check "program exited with 130" [ "$exited" = 130 ]
verdict "SIGINT: hooks LIFO, program exited with $exited"

deliver library_close_protect remote 2 protect bun_library.ts
check "the job's step finished before it stopped" preceded_by "job stopped at the breakpoint" "fixture: job step [0-9]+ done"
check "then the hooks" before "job stopped at the breakpoint" "fixture: hook quick ran"
check "report: cause console/CTRL_CLOSE" has "report cause=console/CTRL_CLOSE steps=quick:ok forced=false"
check "held no longer than the rest of the step" between "$held" 0 $((job_step_ms + slack_ms))
check "thread ended by the exit, with 129" [ "$returned" = 129 ]
check "program exited with 129" [ "$exited" = 129 ]
verdict "scope finished its step, then hooks: thread ended with $returned after $held ms, program exited with $exited"

echo "wine run took $((SECONDS - started)) s; logs in $out_dir/logs"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
