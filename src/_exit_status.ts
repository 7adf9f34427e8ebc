// How the process ends once a shutdown is over: the status it would have had
// without the library (see README, "Exit status").

import type { ShutdownCause, ShutdownExit } from "./types.ts";
import type { StopEvent } from "./runtime_adapter.ts";
import { _signalOf, _statusFor } from "./_signals.ts";

/** What the exit depends on. */
export interface _ExitFacts {
  readonly cause: ShutdownCause;
  /** The last stop event, if any: a signal that came decides the status. */
  readonly lastEvent: StopEvent | undefined;
  /** The exit code the program set, if any. */
  readonly ownCode: number | undefined;
  /** The exit code a `request()` asked for, if any: it wins over the rest. */
  readonly requestedCode?: number;
  /** A hook or stop failed, or an error went uncaught during the shutdown. */
  readonly failed: boolean;
  /** The attempts or the deadline forced the end. */
  readonly forced: boolean;
  /** The process is already exiting (`exit()`), or the controller was disposed. */
  readonly leaving: boolean;
  /** Whether the OS lets the process die by re-raising the signal. */
  readonly canReraise: boolean;
}

/** Decides how the process ends; `{}` when it ends by itself. */
export function _decideExit(facts: _ExitFacts): ShutdownExit {
  const { cause, lastEvent } = facts;
  if (facts.leaving) return {};
  const requested = facts.requestedCode;
  // Asked for explicitly; only a clean 0 turns into 1 when something failed.
  if (requested !== undefined) {
    return { code: requested === 0 && (facts.failed || facts.forced) ? 1 : requested };
  }
  // At the natural end the process ends by itself, unless a signal came too.
  if (cause.kind === "end" && lastEvent === undefined) return {};
  if (facts.ownCode) return { code: facts.ownCode };
  if (lastEvent !== undefined) {
    const signal = _signalOf(lastEvent);
    return facts.canReraise ? { signal } : { code: _statusFor(signal) };
  }
  if (cause.kind === "error") return { code: 1 };
  return { code: facts.failed || facts.forced || cause.reason instanceof Error ? 1 : 0 };
}
