// The controller's state machine (the table is in shutdown_controller.ts):
// `running → stopping → forcing → done`, what moves it, and what each move
// does. The controller keeps the public API and checks its arguments; every
// transition happens here.

import type { ShutdownCause, ShutdownReport } from "./types.ts";
import type { RuntimeAdapter, StopEvent, StopSignal, Unsubscribe } from "./runtime_adapter.ts";
import type { _Scope } from "./protection_scope.ts";
import { ShutdownError } from "./shutdown_error.ts";
import { _describeCause, _firstNotice, _forceNotice, _formatReport, _say } from "./_messages.ts";
import { _reportIsNoteworthy } from "./_messages.ts";
import { _decideExit } from "./_exit_status.ts";
import { type _ControllerSettings, _readControllerOptions } from "./_options.ts";
import { _listen } from "./_listening.ts";
import { _Holders } from "./_holders.ts";
import { _Finalizer } from "./_finalizer.ts";
import { _defaultRuntime } from "./_default_runtime.ts";
import { _causeOf, _isHangup, _isLogoff, _statusFor } from "./_signals.ts";
import { _MAX_TIMER_MS } from "./_os_policy.ts";
import { type _Clock, _setTimer, type _Timer } from "./_clock.ts";
import { _osPolicy } from "./_os_policy.ts";
import { _ShutdownFacts } from "./_shutdown_facts.ts";
import type { _WatchdogProbe } from "./_watchdog_probe.ts";

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

/** One controller's state and transitions. */
export class _StateMachine {
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
    if (!lazy) this.listen();
  }

  /**
   * Refuses new work from now on. Before a shutdown, stops listening at once;
   * during one, lets it end as it would have (hooks, report, exit status) and
   * stops listening then: a `using` block that ends mid-shutdown loses nothing.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.state === "running") {
      this.stopListening();
      this.watch?.state("done");
      this.disposedFirst = true;
    }
  }

  /** Disposes, then waits for a shutdown in progress to end (`await using`). */
  async disposeAsync(): Promise<void> {
    this.dispose();
    if (this.state !== "running" && this.state !== "done") await this.finished;
  }

  // --- listening ------------------------------------------------------------

  activate(): void {
    if (
      this.lazy && this.unlisten === undefined && !this.disposed && this.state === "running"
    ) {
      this.listen();
    }
  }

  listen(): void {
    const runtime = this.rt;
    // Past the deadline where console events are held: our forced exit (report,
    // status) must come before the hold limit lets Windows end the process.
    const holdLimitMs = Math.min(
      Math.ceil(this.budget()) + runtime.policy.holdMarginMs,
      _MAX_TIMER_MS,
    );
    this.unlisten = _listen(runtime, this, {
      stop: (event) => this.onStopEvent(event),
      naturalEnd: () => this.onNaturalEnd(),
      uncaught: (error) => this.onUncaught(error),
      exit: () => this.onExit(),
      holdLimitMs,
    });
    // Compile the shutdown path while idle; never keeps the process alive.
    this.warmUpTimer = runtime.whenIdle?.(() => {
      this.warmUpTimer = undefined;
      if (this.state === "running") _rehearse(runtime);
    });
  }

  stopListening(): void {
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    unlisten?.();
  }

  get rt(): RuntimeAdapter {
    return this.runtime ??= _defaultRuntime();
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

  // --- events ---------------------------------------------------------------

  onStopEvent(event: StopEvent): Promise<void> | void {
    if (_isHangup(event)) {
      this.callSafely("onHup", this.options.onHup);
      if (!this.options.terminateOnHup) return;
    }
    if (_isLogoff(event) && !this.options.terminateOnLogoff) return;
    this.request(_causeOf(event), event);
    return this.finished;
  }

  onNaturalEnd(): boolean {
    if (this.state !== "running") return false;
    this.begin({ kind: "end" });
    // Nothing is left to run: no open scope can close, no start-up can finish.
    const abandoned = this.hold.names();
    if (abandoned.length > 0) {
      this.say(
        `the program ended with ${abandoned.join(", ")} still open; ` +
          "running the hooks now (nothing is left to close them)",
        true,
      );
      this.hold.abandon(
        new ShutdownError("abandoned: the program ended while it was open", {
          kind: "forced",
          cause: this.facts.cause,
        }),
      );
      this.maybeFinalize();
    }
    return true;
  }

  onUncaught(error: unknown): boolean {
    if (this.state === "done") return false;
    this.rt.printUncaught(error);
    if (this.state === "running") this.begin({ kind: "error", reason: error });
    else this.facts.lateError = true;
    return true;
  }

  onExit(): void {
    if (this.ending()) return;
    // exit() is synchronous: only the synchronous part of each hook can run.
    if (this.state === "running") this.mark({ kind: "exit", reason: this.rt.exitCode() ?? 0 });
    this.state = "forcing";
    this.exiting = true;
    const error = this.forcedError();
    this.abortAll(error);
    // The step running now most likely called exit() itself: it ended its way.
    this.steps.endCurrentByExit(error);
    this.steps.runNow(this.facts.cause!);
    this.finish();
  }

  // --- transitions ------------------------------------------------------------

  request(cause: ShutdownCause, event: StopEvent | undefined): void {
    if (this.ending()) return;
    this.facts.attempts++;
    if (event !== undefined) this.facts.lastEvent = event;
    if (this.state === "running") {
      this.begin(cause);
      const left = this.options.maxAttempts - this.facts.attempts;
      // A macrotask later, after the first step has started: the first touch
      // of stderr took Bun 5–13 ms, which no hook should wait for.
      if (left > 0 && cause.kind !== "request") {
        this.rt.setTimer(() => {
          if (this.facts.attempts === 1 && this.state === "stopping") {
            this.say(_firstNotice(cause, left), false);
          }
        }, 0);
      }
    }
    if (this.facts.attempts >= this.options.maxAttempts) this.forceEnd("attempts");
  }

  mark(cause: ShutdownCause): void {
    if (this.warmUpTimer !== undefined) this.rt.clearTimer(this.warmUpTimer);
    this.facts.start(cause, this.steps.originMs = this.rt.now());
  }

  /** running → stopping. */
  begin(cause: ShutdownCause): void {
    this.state = "stopping";
    this.mark(cause);
    this.deadlineMs = this.facts.startedMs + this.budget();
    this.abort.abort(
      new ShutdownError(`shutdown requested (${_describeCause(cause)})`, { cause }),
    );
    this.scopeHost.shared.pending = true;
    this.scopeHost.shared.countFromMs = this.facts.startedMs;
    const latest = this.hold.startCountdown(this.facts.startedMs);
    this.holdersChanged();
    this.armDeadline(latest);
    this.maybeFinalize(true);
  }

  /** `latest`: the latest scope deadline, when the caller knows it without a pass over the scopes. */
  armDeadline(latest = this.hold.latestDeadline()): void {
    this.deadlineTimer?.cancel();
    // Open scopes keep at least their own budget, so they push the deadline;
    // steps that start after such a scope get the pushed deadline too.
    // A scope's end plus the hooks' reserve, so the hooks never get 0 ms.
    this.deadlineMs = Math.max(this.deadlineMs, latest + this.reserve());
    this.watch?.armed(this.deadlineMs - this.rt.now(), this.watchdogEnd(), this.hold.names());
    this.deadlineTimer = _setTimer(this.rt, () => {
      if (this.state !== "stopping") return;
      if (!this.finalizing && this.hold.latestDeadline() > this.rt.now()) this.armDeadline();
      else this.forceEnd("deadline");
    }, this.deadlineMs - this.rt.now());
  }

  /**
   * Starts the steps once nothing holds. `now`: nothing held at the request,
   * so a microtask later is enough (a timer costs Deno ~2 ms after a signal);
   * after a scope closed, a macrotask later, so code that just left its scope
   * can finish unwinding.
   */
  maybeFinalize(now = false): void {
    if (this.state !== "stopping" || this.finalizing || !this.hold.empty) return;
    this.finalizing = true;
    if (now) void Promise.resolve().then(() => this.finalize());
    else this.rt.setTimer(() => this.finalize(), 0);
  }

  /** Runs the steps, last registered first, while stopping; then → done. */
  async finalize(): Promise<void> {
    this.steps.onStep = this.watch && ((name) => this.watch?.step(name));
    await this.steps.run(this.facts.cause!, () => this.deadlineMs, () => {
      this.watch?.idle();
      // A step that blocked the thread past the deadline kept the timer from
      // firing: the deadline forces all the same, before the next step.
      if (this.state === "stopping" && this.rt.now() >= this.deadlineMs) {
        this.forceEnd("deadline");
      }
      return this.state === "stopping";
    });
    this.finish(); // a no-op when an exit or a dispose finished it already
  }

  /** stopping → forcing. */
  forceEnd(by: "attempts" | "deadline"): void {
    if (this.state !== "stopping") return;
    this.state = "forcing";
    this.watch?.state("forcing");
    this.facts.forcedBy = by;
    this.facts.openAtForce = this.hold.names();
    const error = this.forcedError();
    this.abortAll(error);
    this.say(_forceNotice(by, this.facts.openAtForce, this.steps.names()), false);
    const running = this.steps.running;
    this.steps.force(error);
    // A running step ends on the abort above and finalize() finishes; else finish now.
    if (!running) this.finish();
  }

  /** → done: the report, then the exit. */
  finish(): void {
    if (this.state === "done") return;
    const runtime = this.rt;
    const forced = this.facts.forcedBy !== undefined;
    this.steps.cutRest();
    this.state = "done";
    this.watch?.state("done");
    this.deadlineTimer?.cancel();
    const failed = this.facts.lateError || this.steps.failed;
    const exit = _decideExit({
      cause: this.facts.cause!,
      lastEvent: this.facts.lastEvent,
      ownCode: runtime.exitCode(),
      failed,
      forced,
      leaving: this.exiting || this.disposedFirst,
      canReraise: runtime.policy.canReraise,
    });
    const report = this.facts.report(this.steps.reports, exit, runtime.now());
    const exits = exit.signal !== undefined || exit.code !== undefined;
    // When the library ends the process, its listeners stay (ignoring what
    // comes) until the exit: a burst of signals must not kill the process by
    // their default action before the report, `done` and `onReport` are out.
    if (!exits) this.stopListening();
    if (_reportIsNoteworthy(report, this.budget() / 2)) this.say(_formatReport(report), true);
    if (forced) this.callSafely("beforeTermination", this.options.beforeTermination);
    this.resolveDone(report);
    const shipped = this.shipReport(report);
    if (exits) {
      // A macrotask later at least, so code awaiting `done` runs first, and
      // after `onReport` listeners (within the deadline); a held console
      // event is released only after our exit, with our status, was asked for.
      // Buffered output is flushed first, within the deadline (not when forced).
      const left = (): number =>
        forced ? 0 : Math.min(Math.max(0, this.deadlineMs - runtime.now()), _MAX_TIMER_MS);
      shipped.then(() =>
        _afterAwaiters(() => {
          // Now our listeners go, so the signal re-raised is not ours to catch;
          // where console events are held, uninstalling would release the held
          // event, so that waits until the exit was asked for.
          if (!runtime.policy.holdsConsoleEvents) this.stopListening();
          const end = (): void => {
            if (exit.signal !== undefined) runtime.dieBy(exit.signal, { withinMs: left() });
            else runtime.exit(exit.code!);
            this.stopListening();
            this.resolveFinished();
          };
          const flushed = runtime.flush?.(exit, left());
          if (flushed === undefined) end();
          else void flushed.then(end);
        })
      );
      return;
    }
    this.resolveFinished();
    // The process ends by itself: a failure still makes its status non-zero
    // (not when the program called exit(): its code stands).
    if (failed && !this.exiting && !runtime.exitCode()) runtime.setExitCode(1);
  }

  /**
   * Runs the `onReport` listeners together and waits for them until the
   * deadline at most; what they throw goes to stderr.
   */
  shipReport(report: ShutdownReport): Promise<void> {
    if (this.reportListeners.size === 0 || this.exiting) {
      for (const listener of this.reportListeners) {
        this.callSafely("onReport", () => void listener(report));
      }
      return Promise.resolve();
    }
    const runtime = this.rt;
    const shipped = Promise.all([...this.reportListeners].map(async (listener) => {
      try {
        await listener(report);
      } catch (error) {
        this.say(`onReport threw: ${error instanceof Error ? error.message : String(error)}`, true);
      }
    }));
    return new Promise((resolve) => {
      const timer = _setTimer(runtime, resolve, Math.max(0, this.deadlineMs - runtime.now()));
      shipped.then(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  // --- helpers ------------------------------------------------------------------

  readonly scopeHost = {
    shared: { pending: false, countFromMs: Number.NaN },
    now: (): number => this.rt.now(),
    schedule: (scope: _Scope): void => {
      this.hold.schedule(scope);
      this.holdersChanged();
    },
    pendingError: (): ShutdownError => this.pendingError(),
    released: (scope: _Scope): void => {
      this.hold.deleteScope(scope);
      this.holdersChanged();
      this.maybeFinalize();
    },
  };

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
    const event = this.facts.lastEvent;
    if (event?.kind === "signal" && this.rt.policy.canReraise) {
      return { signal: event.signal, code: _statusFor(event.signal) };
    }
    return { code: this.rt.exitCode() || 1 };
  }

  forcedError(): ShutdownError {
    return this.facts.forcedError(this.budget(), this.options.maxAttempts);
  }

  abortAll(error: ShutdownError): void {
    this.scopeHost.shared.pending = true;
    if (!this.abort.signal.aborted) this.abort.abort(error);
    this.hold.abortAll(error);
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

/**
 * How many promise turns code awaiting `done` gets before the exit: enough
 * for `await controller.done` and a few wrapping async functions to run their
 * synchronous part (async work belongs in `onReport`). Turns, not a timer: a
 * timer costs Deno ~2 ms after a signal.
 */
const _AWAITER_TURNS = 8;

function _afterAwaiters(fn: () => void): void {
  let turn: Promise<void> = Promise.resolve();
  for (let i = 0; i < _AWAITER_TURNS; i++) turn = turn.then();
  turn.then(fn);
}

/**
 * Runs one whole shutdown (a SIGTERM, one hook, the report, the exit) on a
 * scratch machine whose runtime acts on nothing, while the process is idle:
 * the first real signal then finds the path compiled. Cold, the code between
 * a signal and the abort took Node ~0.4 ms and the first hook ~1.5 ms more.
 */
function _rehearse(clock: _Clock): void {
  const none = (): void => {};
  const runtime: RuntimeAdapter = {
    name: "rehearsal",
    os: "posix",
    policy: _osPolicy("posix"),
    processWide: false,
    signals: [],
    now: () => clock.now(),
    setTimer: () => undefined,
    clearTimer: none,
    addStopListener: () => none,
    onNaturalEnd: () => none,
    onUncaught: () => none,
    onExit: () => none,
    exitCode: () => undefined,
    setExitCode: none,
    exit: none,
    dieBy: none,
    printUncaught: none,
    writeStderr: none,
    stderrIsTerminal: () => false,
  };
  const machine = new _StateMachine(
    { ..._readControllerOptions({}), runtime, log: none },
    true,
  );
  machine.abort.signal.addEventListener("abort", none, { once: true });
  machine.steps.push("rehearsal", none, Infinity);
  void machine.onStopEvent({ kind: "signal", signal: "SIGTERM" });
}
