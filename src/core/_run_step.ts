// Runs one hook or service stop with its own time limit, and ends it at once
// when the shutdown is forced. A step that throws, rejects or hangs never
// keeps the caller from going on to the next one.

import type { ShutdownCause, ShutdownHookContext, StepOutcome } from "./types.ts";
import { ShutdownError } from "./shutdown_error.ts";
import { type _Clock, _setTimer, type _Timer } from "./_clock.ts";

/** How one step ended. */
export interface _StepResult {
  outcome: StepOutcome;
  durationMs: number;
  error?: unknown;
}

/**
 * What a step rejects with when it ended by cutting what was left (a drain at
 * its timeout): its outcome is then "cut", not "threw".
 */
export const _STEP_CUT: unique symbol = Symbol("step cut");

/** Runs `fn`, bounded by `limitMs` and cut short when `force` aborts. */
export function _runStep(
  fn: (context: ShutdownHookContext) => unknown,
  options: {
    cause: ShutdownCause;
    note: (text: string) => void;
    clock: _Clock;
    limitMs: number;
    force: AbortSignal;
    name: string;
  },
): Promise<_StepResult> {
  const { clock, force, limitMs, name } = options;
  const abort = new AbortController();
  const startedMs = clock.now();
  return new Promise((resolve) => {
    let settled = false;
    let timer: _Timer | undefined = undefined;
    const finish = (outcome: StepOutcome, error?: unknown): void => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      force.removeEventListener("abort", onForce);
      if (outcome === "timed-out") {
        abort.abort(
          new ShutdownError(`${name} ran out of its ${limitMs} ms`, { kind: "budget" }),
        );
      } else if (outcome === "cut") {
        abort.abort(force.reason);
      }
      const result: _StepResult = { outcome, durationMs: clock.now() - startedMs };
      if (outcome === "threw") result.error = error;
      resolve(result);
    };
    const onForce = (): void => finish("cut");
    if (force.aborted) return finish("cut");
    force.addEventListener("abort", onForce, { once: true });
    if (Number.isFinite(limitMs)) {
      timer = _setTimer(clock, () => finish("timed-out"), limitMs);
    }
    try {
      Promise.resolve(fn({ signal: abort.signal, cause: options.cause, note: options.note })).then(
        () => finish("ok"),
        (error) => error === _STEP_CUT ? finish("cut") : finish("threw", error),
      );
    } catch (error) {
      finish("threw", error);
    }
  });
}
