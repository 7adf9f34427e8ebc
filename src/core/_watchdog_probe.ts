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

/** Shared memory cells the main thread writes (Int32 indexes). */
export const _CELL = { state: 0, step: 1 } as const;
/** `_CELL.state` values. */
export const _STATE = { running: 0, stopping: 1, forcing: 2, done: 3 } as const;

/** What the main thread posts to the watchdog thread. */
export type _WatchdogMessage =
  | { type: "armed"; atMs: number; end: _WatchdogEnd; open: readonly string[] }
  | { type: "name"; index: number; name: string }
  | { type: "child"; pid: number; group: boolean }
  | { type: "child-gone"; pid: number };

/** The runtime side: starts the thread, posts to it, stops it. */
export interface _WatchdogLink {
  post(message: _WatchdogMessage): void;
  stop(): void;
}

/** Milliseconds on a clock both threads share (wall-clock based, high resolution). */
export function _epochNow(): number {
  return performance.timeOrigin + performance.now();
}
