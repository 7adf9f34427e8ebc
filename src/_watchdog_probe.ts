// What the state machine tells a watchdog, when one is on: cheap calls made
// at the few moments that matter (deadline armed, step started, forcing,
// exit asked for). Kept as a type only, so the core loads nothing for it.

import type { StopSignal } from "./runtime_adapter.ts";

/** How the process should end if the watchdog has to end it. */
export interface _WatchdogEnd {
  /** Death by this signal, when the shutdown came from one. */
  signal?: StopSignal;
  /** Else this exit code. */
  code: number;
}

/** Receives the shutdown's progress from the main thread. */
export interface _WatchdogProbe {
  /** The deadline was (re)armed: it falls `inMs` from now; `open` are the scopes still open. */
  armed(inMs: number, end: _WatchdogEnd, open: readonly string[]): void;
  /** A step (hook or service stop) starts running. */
  step(name: string): void;
  /** No step runs any more. */
  idle(): void;
  /** The controller forces the end, or has asked for the exit: the watchdog holds back. */
  state(state: "forcing" | "done"): void;
}
