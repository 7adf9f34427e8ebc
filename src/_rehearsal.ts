// The idle rehearsal: one whole shutdown on a scratch machine, so the first
// real signal finds the shutdown path compiled.

import type { RuntimeAdapter, StopEvent } from "./runtime_adapter.ts";
import { type _ControllerSettings, _readControllerOptions } from "./_options.ts";
import type { _Clock } from "./_clock.ts";
import { _osPolicy } from "./_os_policy.ts";
import type { _MachineState } from "./_machine_state.ts";

/** A machine to rehearse on: it takes stop events as the real one does. */
export interface _Rehearsable extends _MachineState {
  onStopEvent(event: StopEvent): unknown;
}

/**
 * Runs one whole shutdown (a SIGTERM, one hook, the report, the exit) on a
 * scratch machine whose runtime acts on nothing, while the process is idle:
 * the first real signal then finds the path compiled. Cold, the code between
 * a signal and the abort took Node ~0.4 ms and the first hook ~1.5 ms more.
 * `make` builds the machine (a lazy one), so this module need not import the
 * state machine, which imports it.
 */
export function _rehearse(
  clock: _Clock,
  make: (settings: _ControllerSettings) => _Rehearsable,
): void {
  const none = (): void => {};
  const runtime: RuntimeAdapter = {
    name: "rehearsal",
    os: "posix",
    policy: _osPolicy("posix"),
    processWide: false,
    signals: [],
    now: () => clock.now(),
    setTimer: () => undefined,
    clearTimer: none,
    addStopListener: () => none,
    onNaturalEnd: () => none,
    onUncaught: () => none,
    onExit: () => none,
    exitCode: () => undefined,
    setExitCode: none,
    exit: none,
    dieBy: none,
    printUncaught: none,
    writeStderr: none,
    stderrIsTerminal: () => false,
  };
  const machine = make({ ..._readControllerOptions({}), runtime, log: none });
  machine.abort.signal.addEventListener("abort", none, { once: true });
  machine.steps.push("rehearsal", none, Infinity);
  void machine.onStopEvent({ kind: "signal", signal: "SIGTERM" });
}
