/**
 * The controller: one state machine that turns every way a process is asked
 * to stop into one cooperative, deadline-bounded shutdown.
 *
 * | from       | on                                    | to         | what happens                                  |
 * |------------|---------------------------------------|------------|-----------------------------------------------|
 * | `running`  | stop event, `request()`, end, error   | `stopping` | `signal` aborts, scopes' budgets count, deadline armed |
 * | `running`  | `exit()` called by the program        | `done`     | the synchronous part of every step runs       |
 * | `stopping` | nothing holds any more                | `stopping` | the steps run, last registered first          |
 * | `stopping` | `maxAttempts`-th request, deadline    | `forcing`  | scopes abort, the running step is cut         |
 * | `stopping` | every step ended                      | `done`     | report, then the exit                         |
 * | `forcing`  | the running step ended (or none ran)  | `done`     | the rest are reported cut, then the exit      |
 * | any        | `[Symbol.dispose]()` mid-shutdown     | `done`     | as forcing, but no exit is asked for          |
 *
 * What holds the shutdown (scopes, start-up) lives in `_holders.ts`, the
 * steps in `_step_stack.ts`, the wording in `_messages.ts`, the exit status in
 * `_exit_status.ts`; this file keeps the API and the transitions.
 *
 * @module
 */

import type {
  ProtectOptions,
  Service,
  ShutdownCause,
  ShutdownControllerOptions,
  ShutdownHook,
  ShutdownHookOptions,
  ShutdownReport,
  StepOutcome,
  StepReport,
} from "./types.ts";
import type { RuntimeAdapter, StopEvent, Unsubscribe } from "./runtime_adapter.ts";
import { _Scope, type ProtectionScope } from "./protection_scope.ts";
import { ShutdownError } from "./shutdown_error.ts";
import { _runStep } from "./_run_step.ts";
import { _describeCause, _firstNotice, _forceNotice, _formatReport, _say } from "./_messages.ts";
import { _reportIsNoteworthy } from "./_messages.ts";
import { _decideExit } from "./_exit_status.ts";
import { type _ControllerSettings, _readControllerOptions, _readServices } from "./_options.ts";
import { _readHookOptions, _readProtectOptions } from "./_options.ts";
import { _listen } from "./_listening.ts";
import { _Holders, type _StartHold } from "./_holders.ts";
import { type _Step, _StepStack } from "./_step_stack.ts";
import { _defaultRuntime } from "./_default_runtime.ts";
import { _causeOf, _isHangup, _isLogoff } from "./_signals.ts";
import { _MAX_TIMER_MS } from "./_os_policy.ts";
import { _setTimer, type _Timer } from "./_clock.ts";

/** The states of a controller, in the only order it moves through them. */
export type ShutdownState = "running" | "stopping" | "forcing" | "done";

let _makingLazy = false;

/**
 * Turns SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGBREAK, Windows console events and
 * `request()` into one cooperative, deadline-bounded shutdown. Listens from
 * construction; only one controller may listen at a time (the process-wide
 * one is `shutdown`).
 *
 * @example Protect a job, clean up at the end
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const runtime = new FakeRuntime(); // a real program leaves `runtime` out
 * const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
 * controller.onShutdown(() => console.log("flushing"), { name: "flush" });
 * {
 *   using scope = controller.protect();
 *   scope.breakpoint();
 * }
 * controller.request("done for today");
 * await runtime.advance(0);
 * const report = await controller.done;
 * console.log(report.steps.map((step) => step.outcome)); // ["ok"]
 * ```
 */
export class ShutdownController implements Disposable {
  readonly #options: _ControllerSettings;
  #runtime: RuntimeAdapter | undefined;
  readonly #lazy: boolean;
  #state: ShutdownState = "running";
  #unlisten: Unsubscribe | undefined;
  #disposed = false;

  readonly #abort = new AbortController();
  readonly #force = new AbortController();
  #holders: _Holders | undefined;
  readonly #stack = new _StepStack();
  readonly #steps: StepReport[] = [];
  #scopeCount = 0;
  #hookCount = 0;

  #cause: ShutdownCause | undefined;
  #lastEvent: StopEvent | undefined;
  #attempts = 0;
  #startedMs = 0;
  #startedAt = 0;
  #deadlineMs = Infinity;
  #deadlineTimer: _Timer | undefined;
  #finalizing = false;
  /** The step running now, so an exit or a dispose can report it as cut. */
  #current: { step: _Step; startMs: number } | undefined;
  /** The process is exiting on its own (`exit()`): ask for no second exit. */
  #exiting = false;
  #forcedBy: "attempts" | "deadline" | undefined;
  #openAtForce: string[] = [];
  #lateError = false;

  readonly #done: Promise<ShutdownReport>;
  #resolveDone!: (report: ShutdownReport) => void;
  readonly #finished: Promise<void>;
  #resolveFinished!: () => void;

  /**
   * Makes a controller and starts listening for stop events.
   *
   * @param options Budgets, attempts and hooks; see {@linkcode ShutdownControllerOptions}.
   * @throws {TypeError | RangeError} When an option is invalid.
   * @throws {Error} When another controller is already listening.
   */
  constructor(options: ShutdownControllerOptions = {}) {
    this.#options = _readControllerOptions(options);
    this.#runtime = this.#options.runtime;
    this.#done = new Promise((resolve) => this.#resolveDone = resolve);
    this.#finished = new Promise((resolve) => this.#resolveFinished = resolve);
    this.#lazy = _makingLazy;
    if (!this.#lazy) this.#listen();
  }

  /** Aborted when shutdown is requested; the reason is a `ShutdownError`. */
  get signal(): AbortSignal {
    this.#activate();
    return this.#abort.signal;
  }

  /** True once shutdown has been requested (or the program ended). */
  get requested(): boolean {
    this.#activate();
    return this.#state !== "running";
  }

  /** Where the state machine is: `"running"`, `"stopping"`, `"forcing"` or `"done"`. */
  get state(): ShutdownState {
    this.#activate();
    return this.#state;
  }

  /** The default scope budget and shutdown deadline, in ms. */
  get budgetMs(): number {
    this.#activate();
    return this.#budget();
  }

  /**
   * Resolves to the {@linkcode ShutdownReport} once every hook and service stop
   * has ended, right before the process exits.
   */
  get done(): Promise<ShutdownReport> {
    this.#activate();
    return this.#done;
  }

  /**
   * Asks for shutdown, as a signal would. The first call starts it; the
   * `maxAttempts`-th forces it. Once done the process exits with code 0, or 1
   * when a hook failed or `reason` is an `Error`, unless the program set an
   * exit code of its own.
   *
   * @param reason Why, for the report.
   */
  request(reason?: unknown): void {
    this.#activate();
    this.#assertUsable("request()");
    this.#request({ kind: "request", reason }, undefined);
  }

  /**
   * Opens a protection scope: while it is open a stop request does not end
   * the process, and once one is pending the scope keeps at least `budgetMs`
   * from its start or its latest `breakpoint()` / `renew()`.
   *
   * @param budgetMs The budget; defaults to the controller's `budgetMs`.
   * @param options The scope's name.
   * @returns The scope; close it with `using` or `[Symbol.dispose]()`.
   */
  protect(budgetMs?: number, options?: ProtectOptions): ProtectionScope {
    this.#activate();
    this.#assertUsable("protect()");
    const read = _readProtectOptions(budgetMs, options);
    const scope = new _Scope(
      this.#scopeHost,
      read.budgetMs ?? this.#budget(),
      read.name ?? ++this.#scopeCount,
    );
    if (this.#ending()) {
      scope._abort(this.#forcedError());
      return scope;
    }
    this.#hold.addScope(scope);
    if (this.#state === "stopping") scope._startCountdown(this.#rt.now());
    return scope;
  }

  /**
   * Registers a hook that runs once at shutdown, however the process ends
   * (SIGKILL aside). Hooks run last registered first, one at a time, each
   * within its `timeoutMs` and the shutdown deadline. On an explicit
   * `exit()` only the synchronous part of each hook runs.
   *
   * @param hook The function; it gets an abort signal and the cause.
   * @param options Its name in the report and its time limit.
   * @returns A disposable that unregisters the hook if it has not run yet.
   */
  onShutdown(hook: ShutdownHook, options?: ShutdownHookOptions): Disposable {
    this.#activate();
    const read = _readHookOptions(hook, options);
    this.#assertUsable("onShutdown()");
    this.#hookCount++;
    const name = read.name ?? (hook.name || `hook ${this.#hookCount}`);
    const step = this.#stack.push(name, hook, read.timeoutMs);
    return { [Symbol.dispose]: () => this.#stack.remove(step) };
  }

  /**
   * Starts services in order while holding stop requests, waits for shutdown,
   * then stops them in reverse order. A request that arrives during start-up
   * is held until start-up completes; then the stops run at once and are not
   * interrupted short of the force rules. If a `start()` throws, the services
   * already started are stopped and `run` rejects with that error.
   *
   * @param services One service or a list of them.
   * @returns Resolves once every service has stopped.
   */
  async run(services: Service | readonly Service[]): Promise<void> {
    this.#activate();
    const list = _readServices(services);
    this.#assertUsable("run()");
    if (this.#state !== "running") throw this.#pendingError();
    const hold: _StartHold = { name: "start-up" };
    this.#hold.addHold(hold);
    const started: _Step[] = [];
    try {
      for (const [index, service] of list.entries()) {
        if (this.#ending()) break;
        await service.start?.();
        const name = service.name ?? `service ${index + 1}`;
        const stop = service.stop?.bind(service) ?? (() => {});
        started.push(this.#stack.push(name, stop, service.stopTimeoutMs ?? Infinity));
      }
    } catch (error) {
      await this.#rollBack(started);
      throw error;
    } finally {
      this.#hold.deleteHold(hold);
      this.#maybeFinalize();
    }
    await Promise.all(started.map((step) => step.settled));
  }

  /** Stops listening and gives the runtime its default behaviour back. */
  [Symbol.dispose](): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#stopListening();
    if (this.#state === "stopping" || this.#state === "forcing") {
      // Mid-shutdown: end it here, leaving no timer behind and asking for no exit.
      this.#state = "forcing";
      const error = new ShutdownError("the ShutdownController was disposed", {
        kind: "forced",
        cause: this.#cause,
      });
      this.#abortAll(error);
      this.#cutCurrent(error);
      this.#finish();
    }
  }

  // --- listening ------------------------------------------------------------

  #activate(): void {
    if (
      this.#lazy && this.#unlisten === undefined && !this.#disposed && this.#state === "running"
    ) {
      this.#listen();
    }
  }

  #listen(): void {
    const runtime = this.#rt;
    // Past the deadline where console events are held: our forced exit (report,
    // status) must come before the hold limit lets Windows end the process.
    const holdLimitMs = Math.min(
      Math.ceil(this.#budget()) + runtime.policy.holdMarginMs,
      _MAX_TIMER_MS,
    );
    this.#unlisten = _listen(runtime, this, {
      stop: (event) => this.#onStopEvent(event),
      naturalEnd: () => this.#onNaturalEnd(),
      uncaught: (error) => this.#onUncaught(error),
      exit: () => this.#onExit(),
      holdLimitMs,
    });
  }

  #stopListening(): void {
    const unlisten = this.#unlisten;
    this.#unlisten = undefined;
    unlisten?.();
  }

  get #rt(): RuntimeAdapter {
    return this.#runtime ??= _defaultRuntime();
  }

  #budget(): number {
    return this.#options.budgetMs ?? this.#rt.policy.defaultBudgetMs;
  }

  get #hold(): _Holders {
    return this.#holders ??= new _Holders(this.#rt);
  }

  /** True once forced or done: nothing new may start. A method, so TS does not narrow it. */
  #ending(): boolean {
    return this.#state === "forcing" || this.#state === "done";
  }

  #assertUsable(what: string): void {
    if (this.#disposed) throw new Error(`${what} called on a disposed ShutdownController`);
  }

  // --- events ---------------------------------------------------------------

  #onStopEvent(event: StopEvent): Promise<void> | void {
    if (_isHangup(event)) {
      this.#callSafely("onHup", this.#options.onHup);
      if (!this.#options.terminateOnHup) return;
    }
    if (_isLogoff(event) && !this.#options.terminateOnLogoff) return;
    this.#request(_causeOf(event), event);
    return this.#finished;
  }

  #onNaturalEnd(): boolean {
    if (this.#state !== "running") return false;
    this.#begin({ kind: "end" });
    return true;
  }

  #onUncaught(error: unknown): boolean {
    if (this.#state === "done") return false;
    this.#rt.printUncaught(error);
    if (this.#state === "running") this.#begin({ kind: "error", reason: error });
    else this.#lateError = true;
    return true;
  }

  #onExit(): void {
    if (this.#ending()) return;
    // exit() is synchronous: only the synchronous part of each hook can run.
    if (this.#state === "running") this.#mark({ kind: "exit", reason: this.#rt.exitCode() ?? 0 });
    this.#state = "forcing";
    this.#exiting = true;
    const error = this.#forcedError();
    this.#abortAll(error);
    this.#cutCurrent(error);
    const runtime = this.#rt;
    for (let step = this.#stack.pop(); step !== undefined; step = this.#stack.pop()) {
      const startMs = runtime.now();
      let outcome: StepOutcome = "ok";
      let thrown: unknown = undefined;
      try {
        step.fn({ signal: this.#force.signal, cause: this.#cause! });
      } catch (caught) {
        outcome = "threw";
        thrown = caught;
      }
      this.#record(step, outcome, startMs, runtime.now() - startMs, thrown);
    }
    this.#finish();
  }

  // --- transitions ------------------------------------------------------------

  #request(cause: ShutdownCause, event: StopEvent | undefined): void {
    if (this.#ending()) return;
    this.#attempts++;
    if (event !== undefined) this.#lastEvent = event;
    if (this.#state === "running") {
      this.#begin(cause);
      const left = this.#options.maxAttempts - this.#attempts;
      if (left > 0 && cause.kind !== "request") this.#say(_firstNotice(cause, left), false);
    }
    if (this.#attempts >= this.#options.maxAttempts) this.#forceEnd("attempts");
  }

  #mark(cause: ShutdownCause): void {
    this.#cause = cause;
    this.#startedMs = this.#rt.now();
    this.#startedAt = Date.now();
  }

  /** running → stopping. */
  #begin(cause: ShutdownCause): void {
    this.#state = "stopping";
    this.#mark(cause);
    this.#deadlineMs = this.#startedMs + this.#budget();
    this.#abort.abort(
      new ShutdownError(`shutdown requested (${_describeCause(cause)})`, { cause }),
    );
    this.#scopeHost.shared.pending = true;
    this.#hold.startCountdown(this.#startedMs);
    this.#armDeadline();
    this.#maybeFinalize();
  }

  #armDeadline(): void {
    this.#deadlineTimer?.cancel();
    // Open scopes keep at least their own budget, so they push the deadline;
    // steps that start after such a scope get the pushed deadline too.
    this.#deadlineMs = Math.max(this.#deadlineMs, this.#hold.latestDeadline());
    this.#deadlineTimer = _setTimer(this.#rt, () => {
      if (this.#state !== "stopping") return;
      if (!this.#finalizing && this.#hold.latestDeadline() > this.#rt.now()) this.#armDeadline();
      else this.#forceEnd("deadline");
    }, this.#deadlineMs - this.#rt.now());
  }

  #maybeFinalize(): void {
    if (this.#state !== "stopping" || this.#finalizing || !this.#hold.empty) return;
    this.#finalizing = true;
    // A macrotask later, so code that just left its scope can finish unwinding.
    this.#rt.setTimer(() => this.#finalize(), 0);
  }

  /** Runs the steps, last registered first, while stopping. */
  async #finalize(): Promise<void> {
    const runtime = this.#rt;
    while (this.#state === "stopping" && this.#stack.size > 0) {
      const step = this.#stack.pop()!;
      const startMs = runtime.now();
      // A step's own limit times it out; the deadline is the deadline timer's
      // to enforce, so a step that runs into it is cut by force, not timed out.
      const limitMs = step.timeoutMs < this.#deadlineMs - startMs ? step.timeoutMs : Infinity;
      const current = { step, startMs };
      this.#current = current;
      const result = await _runStep(step.fn, {
        cause: this.#cause!,
        clock: runtime,
        limitMs,
        force: this.#force.signal,
        name: step.name,
      });
      // An exit or a dispose may have reported this step already.
      if (this.#current !== current) return;
      this.#current = undefined;
      this.#record(step, result.outcome, startMs, result.durationMs, result.error);
    }
    this.#finish();
  }

  /** stopping → forcing. */
  #forceEnd(by: "attempts" | "deadline"): void {
    if (this.#state !== "stopping") return;
    this.#state = "forcing";
    this.#forcedBy = by;
    this.#openAtForce = this.#hold.names();
    const error = this.#forcedError();
    this.#abortAll(error);
    this.#force.abort(error);
    const hooks = [...(this.#current ? [this.#current.step.name] : []), ...this.#stack.names()];
    this.#say(_forceNotice(by, this.#openAtForce, hooks), false);
    // A running step ends on the abort above and #finalize finishes; else finish now.
    if (this.#current === undefined) this.#finish();
  }

  /** → done: the report, then the exit. */
  #finish(): void {
    if (this.#state === "done") return;
    const runtime = this.#rt;
    const forced = this.#forcedBy !== undefined;
    for (let step = this.#stack.pop(); step !== undefined; step = this.#stack.pop()) {
      this.#record(step, "cut", -1, 0, undefined);
    }
    this.#state = "done";
    this.#deadlineTimer?.cancel();
    const failed = this.#lateError || this.#steps.some((step) => step.outcome !== "ok");
    const exit = _decideExit({
      cause: this.#cause!,
      lastEvent: this.#lastEvent,
      ownCode: runtime.exitCode(),
      failed,
      forced,
      leaving: this.#exiting || this.#disposed,
      canReraise: runtime.policy.canReraise,
    });
    const report: ShutdownReport = {
      cause: this.#cause!,
      steps: [...this.#steps],
      forced,
      ...(forced ? { forcedBy: this.#forcedBy } : {}),
      attempts: this.#attempts,
      openScopes: [...this.#openAtForce],
      startedAt: this.#startedAt,
      durationMs: runtime.now() - this.#startedMs,
      exit,
    };
    const exits = exit.signal !== undefined || exit.code !== undefined;
    // Unsubscribing uninstalls a console handler, which releases a held console
    // event: where events are held, that waits until the exit was asked for.
    if (!(exits && runtime.policy.holdsConsoleEvents)) this.#stopListening();
    if (_reportIsNoteworthy(report, this.#budget() / 2)) this.#say(_formatReport(report), true);
    if (forced) this.#callSafely("beforeTermination", this.#options.beforeTermination);
    this.#resolveDone(report);
    if (exits) {
      // A macrotask later, so code awaiting `done` runs first; a held console
      // event is released only after our exit, with our status, was asked for.
      runtime.setTimer(() => {
        if (exit.signal !== undefined) runtime.dieBy(exit.signal);
        else runtime.exit(exit.code!);
        this.#stopListening();
        this.#resolveFinished();
      }, 0);
      return;
    }
    this.#resolveFinished();
    // The process ends by itself: a failure still makes its status non-zero.
    if (failed && !runtime.exitCode()) runtime.setExitCode(1);
  }

  // --- helpers ------------------------------------------------------------------

  readonly #scopeHost = {
    shared: { pending: false },
    now: (): number => this.#rt.now(),
    schedule: (scope: _Scope): void => this.#hold.schedule(scope),
    pendingError: (): ShutdownError => this.#pendingError(),
    released: (scope: _Scope): void => {
      this.#hold.deleteScope(scope);
      this.#maybeFinalize();
    },
  };

  #pendingError(): ShutdownError {
    const reason = this.#abort.signal.reason;
    return reason instanceof ShutdownError
      ? reason
      : new ShutdownError("shutdown requested", { cause: this.#cause });
  }

  #forcedError(): ShutdownError {
    const by = this.#forcedBy === "deadline"
      ? `the ${this.#budget()} ms deadline`
      : this.#forcedBy === "attempts"
      ? `stop request ${this.#attempts} of ${this.#options.maxAttempts}`
      : "the process exiting";
    return new ShutdownError(`shutdown forced by ${by}`, { kind: "forced", cause: this.#cause });
  }

  /** Ends the running step at once and reports it as cut. */
  #cutCurrent(error: ShutdownError): void {
    const current = this.#current;
    this.#current = undefined;
    this.#force.abort(error);
    if (current === undefined) return;
    const nowMs = this.#rt.now();
    this.#record(current.step, "cut", current.startMs, nowMs - current.startMs, undefined);
  }

  #abortAll(error: ShutdownError): void {
    this.#scopeHost.shared.pending = true;
    if (!this.#abort.signal.aborted) this.#abort.abort(error);
    this.#hold.abortAll(error);
  }

  #record(
    step: _Step,
    outcome: StepOutcome,
    startMs: number,
    durationMs: number,
    error: unknown,
  ): void {
    const at = startMs < 0 ? -1 : startMs - this.#startedMs;
    this.#steps.push(
      outcome === "threw"
        ? { name: step.name, outcome, startMs: at, durationMs, error }
        : { name: step.name, outcome, startMs: at, durationMs },
    );
    step.settle();
  }

  async #rollBack(started: _Step[]): Promise<void> {
    const cause: ShutdownCause = { kind: "request", reason: "start-up failed" };
    for (const step of started.reverse()) {
      this.#stack.remove(step);
      await _runStep(step.fn, {
        cause,
        clock: this.#rt,
        limitMs: step.timeoutMs,
        force: this.#force.signal,
        name: step.name,
      });
      step.settle();
    }
  }

  #callSafely(name: string, fn: (() => void) | undefined): void {
    try {
      fn?.();
    } catch (error) {
      this.#say(`${name} threw: ${error instanceof Error ? error.message : String(error)}`, true);
    }
  }

  #say(message: string, always: boolean): void {
    const runtime = this.#rt;
    _say(
      {
        log: this.#options.log,
        writeStderr: (text) => runtime.writeStderr(text),
        stderrIsTerminal: () => runtime.stderrIsTerminal(),
      },
      message,
      always,
    );
  }
}

/**
 * Makes the process-wide controller, which starts listening on first use.
 * Internal: the entry point exports the one instance as `shutdown`.
 */
export function _createLazyController(): ShutdownController {
  _makingLazy = true;
  try {
    return new ShutdownController();
  } finally {
    _makingLazy = false;
  }
}
