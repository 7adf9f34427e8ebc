// The facts of one shutdown as it happens (what caused it, when, how many
// requests came, what forced it) and the report made of them at the end.

import type { ShutdownCause, ShutdownExit, ShutdownReport, StepReport } from "./types.ts";
import type { StopEvent } from "./runtime_adapter.ts";
import { ShutdownError } from "./shutdown_error.ts";

/** What is known about the shutdown in progress. */
export class _ShutdownFacts {
  cause: ShutdownCause | undefined;
  /** The last stop event: a signal that came decides the exit status. */
  lastEvent: StopEvent | undefined;
  attempts = 0;
  startedMs = 0;
  startedAt = 0;
  forcedBy: "attempts" | "deadline" | undefined;
  /** The names of what still held when force came. */
  openAtForce: string[] = [];
  /** An error went uncaught while the shutdown ran. */
  lateError = false;
  /** The exit code the latest `request()` asked for, if any. */
  requestedCode: number | undefined;

  /** The shutdown starts now: `nowMs` on the runtime's clock. */
  start(cause: ShutdownCause, nowMs: number): void {
    this.cause = cause;
    this.startedMs = nowMs;
    this.startedAt = Date.now();
  }

  /** The error scopes and steps get when the shutdown is forced. */
  forcedError(budgetMs: number, maxAttempts: number): ShutdownError {
    const by = this.forcedBy === "deadline"
      ? `the ${budgetMs} ms deadline`
      : this.forcedBy === "attempts"
      ? `stop request ${this.attempts} of ${maxAttempts}`
      : "the process exiting";
    return new ShutdownError(`shutdown forced by ${by}`, { kind: "forced", cause: this.cause });
  }

  /** The report, once every step has ended. */
  report(steps: readonly StepReport[], exit: ShutdownExit, nowMs: number): ShutdownReport {
    const forced = this.forcedBy !== undefined;
    return {
      cause: this.cause!,
      steps: [...steps],
      forced,
      ...(forced ? { forcedBy: this.forcedBy } : {}),
      attempts: this.attempts,
      openScopes: [...this.openAtForce],
      startedAt: this.startedAt,
      durationMs: nowMs - this.startedMs,
      exit,
    };
  }
}
