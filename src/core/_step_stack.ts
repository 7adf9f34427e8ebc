// The finalization stack: hooks and service stops, run last registered first.
// A doubly linked list, so that registering and unregistering are O(1) in
// any order (100 000 hooks unregistered in registration order took 3 s as an
// array).

import type { ShutdownHookContext } from "./types.ts";

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
