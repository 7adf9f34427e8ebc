/**
 * The controller: one state machine, `running → stopping → forcing → done`,
 * that turns every way a process is asked to stop into one cooperative,
 * deadline-bounded shutdown.
 *
 * @module
 */

import type {
  ProtectOptions,
  Service,
  ShutdownCause,
  ShutdownControllerOptions,
  ShutdownExit,
  ShutdownHook,
  ShutdownHookOptions,
  ShutdownLog,
  ShutdownReport,
  StepReport,
} from "./types.ts";
import type { RuntimeAdapter, StopEvent, Unsubscribe } from "./runtime/types.ts";
import { _Scope, type ProtectionScope } from "./protection_scope.ts";
import { ShutdownError } from "./shutdown_error.ts";
import { _runStep } from "./_run_step.ts";
import {
  _describeCause,
  _firstNotice,
  _forceNotice,
  _formatReport,
  _reportIsNoteworthy,
} from "./_messages.ts";
import { _decideExit } from "./_exit_status.ts";
import { _readControllerOptions, _readServices } from "./_options.ts";
import {
  _checkKnownKeys,
  _checkMs,
  _checkOptionalString,
  _checkOptions,
  _show,
} from "./_validate.ts";
import { _acquireSlot, _releaseSlot } from "./_listening_slot.ts";
import { detectRuntime } from "./runtime/detect.ts";

/** The states of a controller, in the only order it moves through them. */
export type ShutdownState = "running" | "stopping" | "forcing" | "done";

const HOOK_OPTIONS = ["name", "timeoutMs"] as const;

/** A hook or service stop waiting on the finalization stack. */
interface _Step {
  readonly name: string;
  readonly fn: (context: { signal: AbortSignal; cause: ShutdownCause }) => unknown;
  readonly timeoutMs: number;
  readonly settled: Promise<void>;
  settle(): void;
}

/** Holds stop requests while a service starts. */
interface _StartHold {
  readonly name: string;
  holding: boolean;
}

let _makingLazy = false;

/** How much longer than the shutdown deadline a Windows console event is held at most. */
const _HOLD_MARGIN_MS = 250;

/**
 * Turns SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGBREAK, Windows console events and
 * `request()` into one cooperative, deadline-bounded shutdown. Listens from
 * construction; only one controller may listen at a time (the process-wide
 * one is {@linkcode shutdown}).
 *
 * @example Protect a job, clean up at the end
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 *
 * using controller = new ShutdownController({ budgetMs: 10_000 });
 * controller.onShutdown(() => console.log("flushing"), { name: "flush" });
 * {
 *   using scope = controller.protect();
 *   scope.breakpoint();
 * }
 * controller.request("done for today");
 * const report = await controller.done;
 * console.log(report.steps.map((step) => step.outcome)); // ["ok"]
 * ```
 */
export class ShutdownController implements Disposable {
  readonly #budgetMs: number;
  readonly #maxAttempts: number;
  readonly #terminateOnHup: boolean;
  readonly #terminateOnLogoff: boolean;
  readonly #onHup: (() => void) | undefined;
  readonly #beforeTermination: (() => void) | undefined;
  readonly #log: ShutdownLog | undefined;
  #runtime: RuntimeAdapter | undefined;

  #state: ShutdownState = "running";
  #listening = false;
  #disposed = false;
  readonly #lazy: boolean;
  #unsubscribe: Unsubscribe[] = [];

  readonly #abort = new AbortController();
  readonly #force = new AbortController();
  readonly #holders = new Set<_Scope | _StartHold>();
  readonly #stack: _Step[] = [];
  readonly #reports: StepReport[] = [];
  #scopeCount = 0;
  #hookCount = 0;

  #cause: ShutdownCause | undefined;
  #lastEvent: StopEvent | undefined;
  #attempts = 0;
  #startedMs = 0;
  #startedAt = 0;
  #deadlineMs = Infinity;
  #deadlineTimer: unknown = undefined;
  #finalizing = false;
  /** The step running now, so an exit or a dispose can report it as cut. */
  #current: { step: _Step; startMs: number } | undefined = undefined;
  /** True when the process is exiting on its own (`exit()`): ask for no second exit. */
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
    const settings = _readControllerOptions(options);
    this.#runtime = settings.runtime;
    this.#budgetMs = settings.budgetMs ?? Number.NaN; // NaN: the OS default, read once a runtime is known
    this.#maxAttempts = settings.maxAttempts;
    this.#terminateOnHup = settings.terminateOnHup;
    this.#terminateOnLogoff = settings.terminateOnLogoff;
    this.#onHup = settings.onHup;
    this.#beforeTermination = settings.beforeTermination;
    this.#log = settings.log;
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
    return this.#effectiveBudget();
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
    const budget = budgetMs === undefined
      ? this.#effectiveBudget()
      : _checkMs("budgetMs", budgetMs);
    _checkOptions("protect() options", options);
    _checkKnownKeys("protect() options", options, ["name"]);
    const label = _checkOptionalString("name", options?.name) ?? ++this.#scopeCount;
    const scope = new _Scope(this.#scopeHost, budget, label);
    if (this.#state === "forcing" || this.#state === "done") {
      scope._abort(this.#forcedError());
      return scope;
    }
    this.#holders.add(scope);
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
    if (typeof hook !== "function") {
      throw new TypeError(`hook must be a function, got ${_show(hook)}`);
    }
    _checkOptions("onShutdown() options", options);
    _checkKnownKeys("onShutdown() options", options, HOOK_OPTIONS);
    const name = _checkOptionalString("name", options?.name) ??
      (hook.name || `hook ${this.#hookCount + 1}`);
    const timeoutMs = options?.timeoutMs === undefined
      ? Infinity
      : _checkMs("timeoutMs", options.timeoutMs);
    this.#assertUsable("onShutdown()");
    this.#hookCount++;
    const step = this.#push(name, hook, timeoutMs);
    return { [Symbol.dispose]: () => this.#remove(step) };
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
    const hold: _StartHold = { name: "start-up", holding: true };
    this.#holders.add(hold);
    const started: _Step[] = [];
    try {
      for (const [index, service] of list.entries()) {
        if (this.#ending()) break;
        await service.start?.();
        const name = service.name ?? `service ${index + 1}`;
        const stop = service.stop?.bind(service) ?? (() => {});
        started.push(this.#push(name, stop, service.stopTimeoutMs ?? Infinity));
      }
    } catch (error) {
      await this.#rollBack(started);
      throw error;
    } finally {
      hold.holding = false;
      this.#holders.delete(hold);
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
    if (this.#lazy && !this.#listening && !this.#disposed && this.#state === "running") {
      this.#listen();
    }
  }

  #listen(): void {
    const runtime = this.#runtime ??= detectRuntime();
    _acquireSlot(runtime, this);
    this.#listening = true;
    // Kept as they come, so a listener that fails leaves none half-installed.
    const subscriptions: Unsubscribe[] = [];
    this.#unsubscribe = subscriptions;
    try {
      subscriptions.push(
        runtime.addStopListener(runtime.signals, (event) => this.#onStopEvent(event), {
          // Past the deadline: the held thread starts waiting before the
          // event reaches JS, and the controller's forced exit (report,
          // status) must come before the hold limit lets Windows end it.
          holdLimitMs: Math.min(
            Math.ceil(this.#effectiveBudget()) + _HOLD_MARGIN_MS,
            2_147_483_647,
          ),
        }),
      );
      subscriptions.push(runtime.onNaturalEnd(() => this.#onNaturalEnd()));
      subscriptions.push(runtime.onUncaught((error) => this.#onUncaught(error)));
      subscriptions.push(runtime.onExit(() => this.#onExit()));
    } catch (error) {
      this.#stopListening();
      throw error;
    }
  }

  #stopListening(): void {
    if (!this.#listening) return;
    this.#listening = false;
    for (const unsubscribe of this.#unsubscribe.reverse()) unsubscribe();
    this.#unsubscribe = [];
    if (this.#runtime !== undefined) _releaseSlot(this.#runtime, this);
  }

  /** True once forced or done: nothing new may start. Read through a method so TS does not narrow it. */
  #ending(): boolean {
    return this.#state === "forcing" || this.#state === "done";
  }

  #assertUsable(what: string): void {
    if (this.#disposed) {
      throw new Error(`${what} called on a disposed ShutdownController`);
    }
  }

  get #rt(): RuntimeAdapter {
    return this.#runtime ??= detectRuntime();
  }

  #effectiveBudget(): number {
    if (!Number.isNaN(this.#budgetMs)) return this.#budgetMs;
    return this.#rt.os === "windows" ? 4_500 : 89_500;
  }

  // --- events ---------------------------------------------------------------

  #onStopEvent(event: StopEvent): Promise<void> | void {
    if (event.kind === "signal" && event.signal === "SIGHUP") {
      this.#callSafely("onHup", this.#onHup);
      if (!this.#terminateOnHup) return;
    }
    if (event.kind === "console" && event.event === "CTRL_LOGOFF" && !this.#terminateOnLogoff) {
      return;
    }
    const cause: ShutdownCause = event.kind === "signal"
      ? { kind: "signal", signal: event.signal }
      : { kind: "console", event: event.event };
    this.#request(cause, event);
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
    if (this.#state === "running") {
      this.#begin({ kind: "error", reason: error });
    } else {
      this.#lateError = true;
    }
    return true;
  }

  #onExit(): void {
    if (this.#state === "done" || this.#state === "forcing") return;
    // exit() is synchronous: only the synchronous part of each hook can run.
    if (this.#state === "running") {
      this.#cause = { kind: "exit", reason: this.#rt.exitCode() ?? 0 };
      this.#startedMs = this.#rt.now();
      this.#startedAt = Date.now();
    }
    this.#state = "forcing";
    this.#exiting = true;
    const error = this.#forcedError();
    this.#abortAll(error);
    this.#cutCurrent(error);
    while (this.#stack.length > 0) {
      const step = this.#stack.pop()!;
      const startMs = this.#rt.now();
      let outcome: StepReport["outcome"] = "ok";
      let error: unknown = undefined;
      try {
        step.fn({ signal: this.#force.signal, cause: this.#cause! });
      } catch (thrown) {
        outcome = "threw";
        error = thrown;
      }
      this.#record(step, outcome, startMs, this.#rt.now() - startMs, error);
    }
    this.#finish();
  }

  // --- the state machine ------------------------------------------------------

  #request(cause: ShutdownCause, event: StopEvent | undefined): void {
    if (this.#state === "forcing" || this.#state === "done") return;
    this.#attempts++;
    if (event !== undefined) this.#lastEvent = event;
    if (this.#state === "running") {
      this.#begin(cause);
      this.#noticeFirst();
    }
    if (this.#attempts >= this.#maxAttempts) this.#forceEnd("attempts");
  }

  #begin(cause: ShutdownCause): void {
    const runtime = this.#rt;
    this.#state = "stopping";
    this.#cause = cause;
    this.#startedMs = runtime.now();
    this.#startedAt = Date.now();
    this.#deadlineMs = this.#startedMs + this.#effectiveBudget();
    this.#abort.abort(
      new ShutdownError(`shutdown requested (${_describeCause(cause)})`, { cause }),
    );
    this.#scopeHost.shared.pending = true;
    for (const holder of this.#holders) {
      if (holder instanceof _Scope) holder._startCountdown(this.#startedMs);
    }
    this.#armDeadline();
    this.#maybeFinalize();
  }

  #armDeadline(): void {
    const runtime = this.#rt;
    runtime.clearTimer(this.#deadlineTimer);
    // Open scopes keep at least their own budget, so they push the deadline.
    let deadline = this.#deadlineMs;
    for (const holder of this.#holders) {
      if (holder instanceof _Scope && holder.holding) {
        deadline = Math.max(deadline, holder.deadlineMs);
      }
    }
    // Steps that start after such a scope get the pushed deadline too.
    this.#deadlineMs = deadline;
    const left = deadline - runtime.now();
    this.#deadlineTimer = runtime.setTimer(() => {
      if (this.#state !== "stopping") return;
      if (this.#holdingScopesOutlast(runtime.now())) this.#armDeadline();
      else this.#forceEnd("deadline");
    }, Math.max(0, left));
  }

  #holdingScopesOutlast(nowMs: number): boolean {
    if (this.#finalizing) return false;
    for (const holder of this.#holders) {
      if (holder instanceof _Scope && holder.holding && holder.deadlineMs > nowMs) return true;
    }
    return false;
  }

  #maybeFinalize(): void {
    if (this.#state !== "stopping" || this.#finalizing) return;
    for (const holder of this.#holders) if (holder.holding) return;
    this.#finalizing = true;
    // A macrotask later, so code that just left its scope can finish unwinding.
    this.#rt.setTimer(() => this.#finalize(), 0);
  }

  async #finalize(): Promise<void> {
    const runtime = this.#rt;
    while (this.#state === "stopping" && this.#stack.length > 0) {
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

  #forceEnd(by: "attempts" | "deadline"): void {
    if (this.#state !== "stopping") return;
    this.#state = "forcing";
    this.#forcedBy = by;
    for (const holder of this.#holders) if (holder.holding) this.#openAtForce.push(holder.name);
    const error = this.#forcedError();
    this.#abortAll(error);
    this.#force.abort(error);
    this.#noticeForce();
    // A running step ends on the abort above and #finalize finishes; else finish now.
    if (this.#current === undefined) this.#finish();
  }

  #finish(): void {
    if (this.#state === "done") return;
    const runtime = this.#rt;
    const forced = this.#forcedBy !== undefined;
    while (this.#stack.length > 0) this.#record(this.#stack.pop()!, "cut", -1, 0, undefined);
    this.#state = "done";
    runtime.clearTimer(this.#deadlineTimer);
    const failed = this.#lateError || this.#reports.some((step) => step.outcome !== "ok");
    const exit = this.#decideExit(failed);
    const report: ShutdownReport = {
      cause: this.#cause!,
      steps: [...this.#reports],
      forced,
      ...(forced ? { forcedBy: this.#forcedBy } : {}),
      attempts: this.#attempts,
      openScopes: [...this.#openAtForce],
      startedAt: this.#startedAt,
      durationMs: runtime.now() - this.#startedMs,
      exit,
    };
    const exits = exit.signal !== undefined || exit.code !== undefined;
    // Unsubscribing uninstalls the Windows console handler, which releases a
    // held console event: on Windows that waits until the exit was asked for
    // (there the exit never re-raises, so the listeners may stay till then).
    if (!(exits && runtime.os === "windows")) this.#stopListening();
    this.#showReport(report);
    if (forced) this.#callSafely("beforeTermination", this.#beforeTermination);
    this.#resolveDone(report);
    if (exits) {
      // A macrotask later, so code awaiting `done` runs first. A held Windows
      // console event is released only after: our exit, with our status,
      // comes before Windows ends the process its own way.
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

  #decideExit(failed: boolean): ShutdownExit {
    return _decideExit({
      cause: this.#cause!,
      lastEvent: this.#lastEvent,
      ownCode: this.#rt.exitCode(),
      failed,
      forced: this.#forcedBy !== undefined,
      leaving: this.#exiting || this.#disposed,
    });
  }

  // --- helpers ------------------------------------------------------------------

  readonly #scopeHost = {
    shared: { pending: false },
    now: (): number => this.#rt.now(),
    setTimer: (callback: () => void, ms: number): unknown => this.#rt.setTimer(callback, ms),
    clearTimer: (handle: unknown): void => this.#rt.clearTimer(handle),
    pendingError: (): ShutdownError => this.#pendingError(),
    released: (scope: _Scope): void => {
      this.#holders.delete(scope);
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
      ? `the ${this.#effectiveBudget()} ms deadline`
      : this.#forcedBy === "attempts"
      ? `stop request ${this.#attempts} of ${this.#maxAttempts}`
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
    for (const holder of this.#holders) {
      if (holder instanceof _Scope) holder._abort(error);
    }
  }

  #push(name: string, fn: _Step["fn"], timeoutMs: number): _Step {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => settle = resolve);
    const step: _Step = { name, fn, timeoutMs, settled, settle };
    this.#stack.push(step);
    return step;
  }

  #remove(step: _Step): void {
    const index = this.#stack.indexOf(step);
    if (index !== -1) this.#stack.splice(index, 1);
  }

  #record(
    step: _Step,
    outcome: StepReport["outcome"],
    startMs: number,
    durationMs: number,
    error: unknown,
  ): void {
    const relative = startMs < 0 ? -1 : startMs - this.#startedMs;
    const report: StepReport = outcome === "threw"
      ? { name: step.name, outcome, startMs: relative, durationMs, error }
      : { name: step.name, outcome, startMs: relative, durationMs };
    this.#reports.push(report);
    step.settle();
  }

  async #rollBack(started: _Step[]): Promise<void> {
    const cause: ShutdownCause = { kind: "request", reason: "start-up failed" };
    for (const step of started.reverse()) {
      this.#remove(step);
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
    if (fn === undefined) return;
    try {
      fn();
    } catch (error) {
      this.#say(`${name} threw: ${error instanceof Error ? error.message : String(error)}`, true);
    }
  }

  /** Messages: to `log` when given; else to stderr if a terminal, or if `always`. */
  #say(message: string, always: boolean): void {
    if (this.#log !== undefined) return this.#log(message);
    const runtime = this.#rt;
    if (always || runtime.stderrIsTerminal()) runtime.writeStderr(`${message}\n`);
  }

  #noticeFirst(): void {
    const left = this.#maxAttempts - this.#attempts;
    if (left <= 0 || this.#cause?.kind === "request") return;
    this.#say(_firstNotice(this.#cause!, left), false);
  }

  #noticeForce(): void {
    const hooks = [
      ...(this.#current === undefined ? [] : [this.#current.step.name]),
      ...this.#stack.map((step) => step.name).reverse(),
    ];
    this.#say(_forceNotice(this.#forcedBy!, this.#openAtForce, hooks), false);
  }

  #showReport(report: ShutdownReport): void {
    if (!_reportIsNoteworthy(report, this.#effectiveBudget() / 2)) return;
    this.#say(_formatReport(report), true);
  }
}

/**
 * Makes the process-wide controller, which starts listening on first use.
 * Internal: `mod.ts` exports the one instance as `shutdown`.
 */
export function _createLazyController(): ShutdownController {
  _makingLazy = true;
  try {
    return new ShutdownController();
  } finally {
    _makingLazy = false;
  }
}
