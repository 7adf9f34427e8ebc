// Runs the shutdown's code path once on scratch objects while the process is
// idle, so the first real signal finds it compiled: cold, the first abort with
// a listener took Deno ~1 ms, and the first step ~2 ms more on every runtime.
// Nothing here touches the controller's state, the process or its streams.

import type { _Clock } from "./_clock.ts";
import type { ShutdownCause } from "./types.ts";
import { ShutdownError } from "./shutdown_error.ts";
import { _describeCause } from "./_messages.ts";
import { _causeOf, _eventFor } from "./_signals.ts";
import { _decideExit } from "./_exit_status.ts";
import { _runStep } from "./_run_step.ts";
import { _ShutdownFacts } from "./_shutdown_facts.ts";

/** Exercises the signal-to-exit path on throwaway objects. */
export function _warmUp(clock: _Clock): void {
  const event = _eventFor("posix", "SIGTERM");
  const cause: ShutdownCause = _causeOf(event);
  const abort = new AbortController();
  abort.signal.addEventListener("abort", () => {}, { once: true });
  abort.abort(new ShutdownError(`shutdown requested (${_describeCause(cause)})`, { cause }));
  const facts = new _ShutdownFacts();
  facts.start(cause, clock.now());
  const force = new AbortController();
  void _runStep(() => {}, {
    cause,
    note: () => {},
    clock,
    limitMs: Infinity,
    force: force.signal,
    name: "warm-up",
  }).then(() => {
    const exit = _decideExit({
      cause,
      lastEvent: event,
      ownCode: undefined,
      failed: false,
      forced: false,
      leaving: false,
      canReraise: true,
    });
    facts.report([], exit, clock.now());
  });
}
