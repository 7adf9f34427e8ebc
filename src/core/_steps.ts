// Hooks and service stops, the steps of a shutdown: the stack they wait on
// (run last registered first; a doubly linked list, so that registering and
// unregistering are O(1) in any order: 100 000 hooks unregistered in
// registration order took 3 s as an array), how one step runs within its own
// time limit, and the finalizer that drains the stack (asynchronously while
// stopping, synchronously at `exit()`, backwards when a start-up fails).

import type { ShutdownCause, ShutdownHookContext, StepOutcome, StepReport } from "./types.ts";
import { ShutdownError } from "./shutdown_error.ts";
import { type _Clock, _setTimer, type _Timer } from "./_platform.ts";

/** A hook or service stop waiting on the stack. */
export interface _Step {
  readonly name: string;
  readonly fn: (context: ShutdownHookContext) => unknown;
  /** Its own time limit, in ms; Infinity when it has none. */
  readonly timeoutMs: number;
  /** Settles once the step has run, was cut, or was unregistered. */
  readonly settled: Promise<void>;
  settle(): void;
  /** The step's latest `context.note()`, for the report. */
  detail: string | undefined;
  /**
   * For a group of services stopped together: its members, each run and
   * reported as a step of its own; this step's own `fn` is not run.
   */
  readonly group?: readonly _Step[];
  /**
   * What registered the step, when it needs to find its neighbours (adopt()
   * stops the children adjacent on the stack together); undefined for hooks.
   */
  tag: unknown;
  /** @internal list links */
  _below: _Step | undefined;
  /** @internal list links */
  _above: _Step | undefined;
  /** @internal true while on the stack */
  _onStack: boolean;
}

/** Last in, first out, with O(1) removal of any step. */
export class _StepStack {
  #top: _Step | undefined = undefined;
  #size = 0;

  /** How many steps wait. */
  get size(): number {
    return this.#size;
  }

  /** The step that would run next, or undefined when empty. */
  get top(): _Step | undefined {
    return this.#top;
  }

  /** Puts a new step on top and returns it; `group`: see `_Step.group`. */
  push(name: string, fn: _Step["fn"], timeoutMs: number, group?: readonly _Step[]): _Step {
    const step = _newStep(name, fn, timeoutMs, group);
    step._below = this.#top;
    step._onStack = true;
    if (this.#top !== undefined) this.#top._above = step;
    this.#top = step;
    this.#size++;
    return step;
  }

  /** Takes the top step off, or undefined when empty. */
  pop(): _Step | undefined {
    const step = this.#top;
    if (step !== undefined) this.remove(step);
    return step;
  }

  /** Takes `step` off wherever it is; false when it was not on the stack. */
  remove(step: _Step): boolean {
    if (!step._onStack) return false;
    step._onStack = false;
    if (step._above !== undefined) step._above._below = step._below;
    else this.#top = step._below;
    if (step._below !== undefined) step._below._above = step._above;
    step._above = step._below = undefined;
    this.#size--;
    return true;
  }

  /** The names of the waiting steps, in the order they would run. */
  names(): string[] {
    const names: string[] = [];
    for (let step = this.#top; step !== undefined; step = step._below) names.push(step.name);
    return names;
  }
}

/** A step on no stack yet: a group's member, or one `push` places. */
export function _newStep(
  name: string,
  fn: _Step["fn"],
  timeoutMs: number,
  group?: readonly _Step[],
): _Step {
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => settle = resolve);
  const step: _Step = {
    name,
    fn,
    timeoutMs,
    settled,
    settle,
    detail: undefined,
    group,
    tag: undefined,
    _below: undefined,
    _above: undefined,
    _onStack: false,
  };
  return step;
}

// Runs one hook or service stop with its own time limit, and ends it at once
// when the shutdown is forced. A step that throws, rejects or hangs never
// keeps the caller from going on to the next one.

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

// The finalization stack and how it is drained: asynchronously while
// stopping, synchronously at `exit()`, and backwards when a start-up fails.
// It also keeps the step reports, and cuts the running step on force.

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
