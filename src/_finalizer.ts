// The finalization stack and how it is drained: asynchronously while
// stopping, synchronously at `exit()`, and backwards when a start-up fails.
// It also keeps the step reports, and cuts the running step on force.

import type { ShutdownCause, StepOutcome, StepReport } from "./types.ts";
import type { ShutdownError } from "./shutdown_error.ts";
import type { _Clock } from "./_clock.ts";
import { _runStep } from "./_run_step.ts";
import { type _Step, _StepStack } from "./_step_stack.ts";

/** The steps of one controller and what became of them. */
export class _Finalizer {
  readonly #clock: _Clock;
  readonly #stack = new _StepStack();
  readonly #force = new AbortController();
  readonly #reports: StepReport[] = [];
  /** The step running now, so an exit or a dispose can report it as cut. */
  #current: { step: _Step; startMs: number } | undefined;
  /** Step start times are reported relative to this (the shutdown's start). */
  originMs = 0;
  /** Told the name of each step as it starts (the watchdog's probe). */
  onStep: ((name: string) => void) | undefined;

  constructor(clock: _Clock) {
    this.#clock = clock;
  }

  /** Every step that ended, in the order they ended. */
  get reports(): StepReport[] {
    return this.#reports;
  }

  /** True when a step ran and did not end "ok". */
  get failed(): boolean {
    return this.#reports.some((step) => step.outcome !== "ok");
  }

  /** True while a step runs. */
  get running(): boolean {
    return this.#current !== undefined;
  }

  /** Names of the running step and the waiting ones, in the order they would run. */
  names(): string[] {
    const names = this.#stack.names();
    if (this.#current !== undefined) names.unshift(this.#current.step.name);
    return names;
  }

  /** The step that would run next (below the running one), if any. */
  get top(): _Step | undefined {
    return this.#stack.top;
  }

  push(name: string, fn: _Step["fn"], timeoutMs: number): _Step {
    return this.#stack.push(name, fn, timeoutMs);
  }

  remove(step: _Step): void {
    this.#stack.remove(step);
  }

  /**
   * Runs the steps, last registered first, while `going()` holds. A step's
   * own limit times it out; the deadline is the controller's to enforce (by
   * `force()`), so a step that runs into it is cut, not timed out.
   */
  async run(cause: ShutdownCause, deadlineMs: () => number, going: () => boolean): Promise<void> {
    while (going() && this.#stack.size > 0) {
      const step = this.#stack.pop()!;
      const startMs = this.#clock.now();
      const limitMs = step.timeoutMs < deadlineMs() - startMs ? step.timeoutMs : Infinity;
      const current = { step, startMs };
      this.#current = current;
      this.onStep?.(step.name);
      const result = await _runStep(step.fn, {
        cause,
        note: _noter(step),
        clock: this.#clock,
        limitMs,
        force: this.#force.signal,
        name: step.name,
      });
      // An exit or a dispose may have reported this step already.
      if (this.#current !== current) return;
      this.#current = undefined;
      this.#record(step, result.outcome, startMs, result.durationMs, result.error);
    }
  }

  /** Runs the synchronous part of every waiting step now (the process is exiting). */
  runNow(cause: ShutdownCause): void {
    for (let step = this.#stack.pop(); step !== undefined; step = this.#stack.pop()) {
      const startMs = this.#clock.now();
      let outcome: StepOutcome = "ok";
      let thrown: unknown = undefined;
      try {
        step.fn({ signal: this.#force.signal, cause, note: _noter(step) });
      } catch (caught) {
        outcome = "threw";
        thrown = caught;
      }
      this.#record(step, outcome, startMs, this.#clock.now() - startMs, thrown);
    }
  }

  /** Aborts the running step's signal: it ends as "cut" and `run()` returns. */
  force(error: ShutdownError): void {
    this.#force.abort(error);
  }

  /**
   * The process is exiting (`exit()`) while a step runs: that step most likely
   * called it, so it ended its own way: "ok", with a note saying so.
   */
  endCurrentByExit(error: ShutdownError): void {
    const current = this.#current;
    this.#current = undefined;
    this.#force.abort(error);
    if (current === undefined) return;
    current.step.detail ??= "the process exited (exit() called) while it ran";
    const duration = this.#clock.now() - current.startMs;
    this.#record(current.step, "ok", current.startMs, duration, undefined);
  }

  /** Reports every step that never ran as cut. */
  cutRest(): void {
    for (let step = this.#stack.pop(); step !== undefined; step = this.#stack.pop()) {
      this.#record(step, "cut", -1, 0, undefined);
    }
  }

  /** Stops `started` services, last first, after a failed start-up. */
  async rollBack(started: _Step[]): Promise<void> {
    const cause: ShutdownCause = { kind: "request", reason: "start-up failed" };
    for (const step of started.reverse()) {
      this.#stack.remove(step);
      await _runStep(step.fn, {
        cause,
        note: _noter(step),
        clock: this.#clock,
        limitMs: step.timeoutMs,
        force: this.#force.signal,
        name: step.name,
      });
      step.settle();
    }
  }

  #record(
    step: _Step,
    outcome: StepOutcome,
    startMs: number,
    durationMs: number,
    error: unknown,
  ): void {
    const at = startMs < 0 ? -1 : startMs - this.originMs;
    const report: { -readonly [K in keyof StepReport]: StepReport[K] } = {
      name: step.name,
      outcome,
      startMs: at,
      durationMs,
    };
    if (outcome === "threw") report.error = error;
    if (step.detail !== undefined) report.detail = step.detail;
    this.#reports.push(report);
    step.settle();
  }
}

/** The `note()` a step's context carries: it sets the step's detail line. */
function _noter(step: _Step): (text: string) => void {
  return (text) => void (step.detail = String(text));
}
