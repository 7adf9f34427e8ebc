// The finalization stack and how it is drained: asynchronously while
// stopping, synchronously at `exit()`, and backwards when a start-up fails.
// It also keeps the step reports, and cuts the running step on force.

import type { ShutdownCause, StepOutcome, StepReport } from "./types.ts";
import type { ShutdownError } from "./shutdown_error.ts";
import type { _Clock } from "./_clock.ts";
import { _runStep } from "./_run_step.ts";
import { _newStep, type _Step, _StepStack } from "./_step_stack.ts";

/** The steps of one controller and what became of them. */
export class _Finalizer {
  readonly #clock: _Clock;
  readonly #stack = new _StepStack();
  readonly #force = new AbortController();
  readonly #reports: StepReport[] = [];
  /**
   * The step running now, so an exit or a dispose can report it as cut; for
   * a group, `members` are those still running.
   */
  #current: { step: _Step; startMs: number; members?: Set<_Step> } | undefined;
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

  /** Pushes a group whose members stop together, each reported as its own step. */
  pushGroup(members: readonly { name: string; fn: _Step["fn"]; timeoutMs: number }[]): _Step {
    const steps = members.map((member) => _newStep(member.name, member.fn, member.timeoutMs));
    const name = steps.map((step) => step.name).join(" + ");
    return this.#stack.push(name, () => {}, Infinity, steps);
  }

  /**
   * Reports a step that ran outside the stack (a service's start cut by the
   * shutdown): `startMs` on the clock.
   */
  recordOutside(
    name: string,
    outcome: StepOutcome,
    startMs: number,
    options: { error?: unknown; detail?: string },
  ): void {
    const step = _newStep(name, () => {}, Infinity);
    step.detail = options.detail;
    // Begun before the shutdown: reported from its start (0), lasting all it ran.
    const at = Math.max(startMs, this.originMs);
    this.#record(step, outcome, at, this.#clock.now() - startMs, options.error);
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
      const current: { step: _Step; startMs: number; members?: Set<_Step> } = { step, startMs };
      this.#current = current;
      this.onStep?.(step.name);
      if (step.group !== undefined) {
        const members = current.members = new Set(step.group);
        await Promise.all(step.group.map(async (member) => {
          const result = await this.#runOne(member, cause, startMs, deadlineMs());
          // An exit or a dispose may have reported this member already.
          if (members.delete(member)) {
            this.#record(member, result.outcome, startMs, result.durationMs, result.error);
          }
        }));
        if (this.#current !== current) return;
        this.#current = undefined;
        step.settle();
        continue;
      }
      const result = await this.#runOne(step, cause, startMs, deadlineMs());
      // An exit or a dispose may have reported this step already.
      if (this.#current !== current) return;
      this.#current = undefined;
      this.#record(step, result.outcome, startMs, result.durationMs, result.error);
    }
  }

  #runOne(step: _Step, cause: ShutdownCause, startMs: number, deadlineMs: number) {
    const limitMs = step.timeoutMs < deadlineMs - startMs ? step.timeoutMs : Infinity;
    return _runStep(step.fn, {
      cause,
      note: _noter(step),
      clock: this.#clock,
      limitMs,
      force: this.#force.signal,
      name: step.name,
    });
  }

  /** Runs the synchronous part of every waiting step now (the process is exiting). */
  runNow(cause: ShutdownCause): void {
    for (let step = this.#stack.pop(); step !== undefined; step = this.#stack.pop()) {
      for (const one of step.group ?? [step]) {
        const startMs = this.#clock.now();
        let outcome: StepOutcome = "ok";
        let thrown: unknown = undefined;
        try {
          one.fn({ signal: this.#force.signal, cause, note: _noter(one) });
        } catch (caught) {
          outcome = "threw";
          thrown = caught;
        }
        this.#record(one, outcome, startMs, this.#clock.now() - startMs, thrown);
      }
      step.settle();
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
    const duration = this.#clock.now() - current.startMs;
    for (const step of current.members ?? [current.step]) {
      step.detail ??= "the process exited (exit() called) while it ran";
      this.#record(step, "ok", current.startMs, duration, undefined);
    }
    current.members?.clear();
    current.step.settle();
  }

  /** Reports every step that never ran as cut. */
  cutRest(): void {
    for (let step = this.#stack.pop(); step !== undefined; step = this.#stack.pop()) {
      for (const one of step.group ?? [step]) this.#record(one, "cut", -1, 0, undefined);
      step.settle();
    }
  }

  /** Stops `started` services, last first, after a failed start-up. */
  async rollBack(started: _Step[]): Promise<void> {
    const cause: ShutdownCause = { kind: "request", reason: "start-up failed" };
    for (const step of started.reverse()) {
      this.#stack.remove(step);
      await Promise.all((step.group ?? [step]).map(async (one) => {
        await _runStep(one.fn, {
          cause,
          note: _noter(one),
          clock: this.#clock,
          limitMs: one.timeoutMs,
          force: this.#force.signal,
          name: one.name,
        });
        one.settle();
      }));
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
