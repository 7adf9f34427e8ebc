// What the state machine knows: its state, settings, timers and parts, the
// facts of the shutdown in progress, and the queries and helpers that read
// them without moving it; where its runtime comes from when no `runtime`
// option is given; the registry of children and workers held for it, and the
// probe a watchdog reads. The transitions are in `_state_machine.ts`, the
// report and the exit in `_report_and_exit.ts`.

import type { ShutdownCause, ShutdownExit, ShutdownReport, StepReport } from "./types.ts";
import type { RuntimeAdapter, StopEvent, StopSignal, Unsubscribe } from "./runtime_adapter.ts";
import { ShutdownError } from "./shutdown_error.ts";
import { _say } from "./_report_and_exit.ts";
import type { _ControllerSettings } from "./_options.ts";
import { _Holders } from "./protection_scope.ts";
import { _Finalizer } from "./_steps.ts";
import { _listenedSignals, _statusFor, type _Timer } from "./_platform.ts";

/**
 * The states of a controller, in the only order it moves through them.
 *
 * @example
 * ```ts
 * import { ShutdownController, type ShutdownState } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * using controller = new ShutdownController({ runtime: new FakeRuntime() });
 * const state: ShutdownState = controller.state;
 * console.log(state); // "running"
 * ```
 */
export type ShutdownState = "running" | "stopping" | "forcing" | "done";

/** One controller's state; `_StateMachine` adds the transitions. */
export class _MachineState {
  readonly options: _ControllerSettings;
  runtime: RuntimeAdapter | undefined;
  readonly lazy: boolean;
  state: ShutdownState = "running";
  unlisten: Unsubscribe | undefined;
  disposed = false;
  /** Disposed before any shutdown began: there is none to finish, nor an exit to ask for. */
  disposedFirst = false;
  /** Called with the report before the exit (`onReport`). */
  readonly reportListeners = new Set<(report: ShutdownReport) => unknown>();

  readonly abort = new AbortController();
  holders: _Holders | undefined;
  finalizer: _Finalizer | undefined;
  scopeCount = 0;
  hookCount = 0;
  /** How many `run()` calls are starting their services now. */
  starting = 0;
  /** The latest start-up that ended failed (threw, timed out, or was given up). */
  startFailed = false;

  readonly facts = new _ShutdownFacts();
  deadlineMs = Infinity;
  deadlineTimer: _Timer | undefined;
  finalizing = false;
  /** The idle rehearsal, until it ran (see `_rehearse`). */
  warmUpTimer: unknown;
  /** The process is exiting on its own (`exit()`): ask for no second exit. */
  exiting = false;
  /** Set by `watchdog()`: told of the deadline and the running step. */
  watch: _WatchdogProbe | undefined;

  readonly done: Promise<ShutdownReport>;
  resolveDone!: (report: ShutdownReport) => void;
  /** Settles once the exit was asked for (or the program ends by itself). */
  readonly finished: Promise<void>;
  resolveFinished!: () => void;

  constructor(options: _ControllerSettings, lazy: boolean) {
    this.options = options;
    this.runtime = options.runtime;
    this.lazy = lazy;
    this.done = new Promise((resolve) => this.resolveDone = resolve);
    this.finished = new Promise((resolve) => this.resolveFinished = resolve);
  }

  stopListening(): void {
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    unlisten?.();
  }

  get rt(): RuntimeAdapter {
    return this.runtime ??= _defaultRuntime();
  }

  /** The signals this controller listens to (the `signals` option, as the runtime allows). */
  signals(): readonly StopSignal[] {
    const runtime = this.rt;
    return _listenedSignals(runtime.os, runtime.signals, this.options.signals);
  }

  budget(): number {
    return this.options.budgetMs ?? this.rt.policy.defaultBudgetMs;
  }

  get hold(): _Holders {
    return this.holders ??= new _Holders(this.rt);
  }

  get steps(): _Finalizer {
    return this.finalizer ??= new _Finalizer(this.rt);
  }

  /** True once forced or done: nothing new may start. A method, so TS does not narrow it. */
  ending(): boolean {
    return this.state === "forcing" || this.state === "done";
  }

  /** Refuses work once disposed, or once the shutdown is over: nothing could run it. */
  assertUsable(what: string): void {
    if (this.disposed) throw new Error(`${what} called on a disposed ShutdownController`);
    if (this.state === "done") {
      throw new Error(`${what} called after the shutdown ended; nothing would run it now`);
    }
  }

  /** The part of the budget kept for the hooks. */
  reserve(): number {
    const budget = this.budget();
    return Math.min(this.options.hookReserveMs ?? budget / 10, budget);
  }

  /** What a scope opened without a budget of its own gets. */
  scopeBudget(): number {
    return this.budget() - this.reserve();
  }

  /** Tells an adapter that asks (a worker's: see `attach()`) what holds now. */
  holdersChanged(): void {
    const runtime = this.runtime;
    if (runtime?.holdersChanged === undefined) return;
    const hold = this.hold;
    runtime.holdersChanged(!hold.empty, () => hold.latestDeadline());
  }

  pendingError(): ShutdownError {
    const reason = this.abort.signal.reason;
    return reason instanceof ShutdownError
      ? reason
      : new ShutdownError("shutdown requested", { cause: this.facts.cause });
  }

  /** How the watchdog ends the process if this thread cannot: as a forced end would. */
  watchdogEnd(): { signal?: StopSignal; code: number } {
    const requested = this.facts.requestedCode;
    if (requested !== undefined) return { code: requested || 1 };
    const event = this.facts.lastEvent;
    if (event?.kind === "signal" && this.rt.policy.canReraise) {
      return { signal: event.signal, code: _statusFor(event.signal) };
    }
    return { code: this.rt.exitCode() || 1 };
  }

  forcedError(): ShutdownError {
    return this.facts.forcedError(this.budget(), this.options.maxAttempts);
  }

  callSafely(name: string, fn: (() => void) | undefined): void {
    try {
      fn?.();
    } catch (error) {
      this.say(`${name} threw: ${error instanceof Error ? error.message : String(error)}`, true);
    }
  }

  say(message: string, always: boolean): void {
    const runtime = this.rt;
    _say(
      {
        log: this.options.log,
        writeStderr: (text) => runtime.writeStderr(text),
        stderrIsTerminal: () => runtime.stderrIsTerminal(),
      },
      message,
      always,
    );
  }
}

// The facts of one shutdown as it happens (what caused it, when, how many
// requests came, what forced it) and the report made of them at the end.

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

// The core never imports an adapter: the entry point (`mod.ts`) registers how
// to find the running one, and a controller without a `runtime` option asks
// here, lazily, on first use.

let _factory: (() => RuntimeAdapter) | undefined;
let _cached: RuntimeAdapter | undefined;

/** Registers how the default runtime is found; called once by the entry point. */
export function _setRuntimeFactory(factory: () => RuntimeAdapter): void {
  _factory = factory;
}

/** The running runtime's adapter, made on first call. */
export function _defaultRuntime(): RuntimeAdapter {
  if (_cached !== undefined) return _cached;
  if (_factory === undefined) {
    throw new Error(
      "no runtime adapter: import the library from its entry point, or pass `runtime`",
    );
  }
  return _cached = _factory();
}

// What adopt() and attach() hold for one controller, live ones only: one
// safety net per controller (killed at `done`, whatever the number of
// children and workers ever held, so memory follows live ones), and the
// process ids a watchdog kills before it ends the process.

/** One adopted child (or attached worker), as the registry sees it. */
export interface _AdoptedChild {
  /** Its process id, once known (undefined: it never started, or a worker). */
  readonly pid: number | undefined;
  /** True when it leads a process group of its own (adopted `detached`). */
  readonly group: boolean;
  /** SIGKILLs (terminates) it, and the group it leads, if it still runs; never throws. */
  kill(): void;
}

/** Told of each child added to or removed from the registry (the watchdog). */
export interface _AdoptedWatcher {
  added(pid: number, group: boolean): void;
  removed(pid: number): void;
}

/** The live adopted children of one controller. */
export class _AdoptedSet {
  readonly #live = new Set<_AdoptedChild>();
  #watcher: _AdoptedWatcher | undefined;

  /** How many children are held. */
  get size(): number {
    return this.#live.size;
  }

  add(child: _AdoptedChild): void {
    if (this.#live.has(child)) return;
    this.#live.add(child);
    if (child.pid !== undefined) this.#watcher?.added(child.pid, child.group);
  }

  delete(child: _AdoptedChild): void {
    if (!this.#live.delete(child)) return;
    if (child.pid !== undefined) this.#watcher?.removed(child.pid);
  }

  /** SIGKILLs every child still held. */
  killAll(): void {
    for (const child of this.#live) child.kill();
  }

  /** Sets (or clears) the watcher, telling it of every child already held. */
  watch(watcher: _AdoptedWatcher | undefined): void {
    this.#watcher = watcher;
    if (watcher === undefined) return;
    for (const child of this.#live) {
      if (child.pid !== undefined) watcher.added(child.pid, child.group);
    }
  }
}

const _sets = new WeakMap<object, _AdoptedSet>();

/**
 * The registry of one controller, made on first use: whatever it still holds
 * when `done` resolves (a forced end, `exit()`, right before the process
 * ends) is killed then. Add a child or worker while it runs; delete it once
 * it has ended (and dispose its step's registration: the step leaves the
 * stack if it has not started).
 */
export function _heldBy(controller: { readonly done: Promise<unknown> }): _AdoptedSet {
  let set = _sets.get(controller);
  if (set === undefined) {
    const held = set = new _AdoptedSet();
    _sets.set(controller, held);
    controller.done.then(() => held.killAll());
  }
  return set;
}

// What the state machine tells a watchdog, when one is on: cheap calls made
// at the few moments that matter (deadline armed, step started, forcing,
// exit asked for). Kept as a type only, so the core loads nothing for it.

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
