// src/core/: the core. The controller and its state machine, protection
// scopes, hooks and stops, the report and the exit, options, validation,
// messages, errors and the public types, plus the helpers the integrations
// share (`_checkController` here, the registry of held children and the
// watchdog's probe in `_machine_state.ts`, `_settles_within.ts`). Pure TypeScript with no runtime globals: it imports
// nothing outside this folder. It imports no integration (servers/, workers/,
// children/, watchdog/) and no runtime: the entry point (mod.ts) hands it the
// detected runtime adapter.

/**
 * The controller: one state machine that turns every way a process is asked
 * to stop into one cooperative, deadline-bounded shutdown. This file keeps
 * the public API and checks its arguments; the transitions below are
 * implemented in `_state_machine.ts`.
 *
 * | from       | on                                   | to         | what happens                                   |
 * | ---------- | ------------------------------------ | ---------- | ---------------------------------------------- |
 * | `running`  | stop event, `request()`, end, error  | `stopping` | `signal` aborts, budgets count, deadline armed |
 * | `running`  | `exit()` called by the program       | `done`     | the synchronous part of every step runs        |
 * | `stopping` | nothing holds any more               | `stopping` | the steps run, last registered first           |
 * | `stopping` | `maxAttempts`-th request, deadline   | `forcing`  | scopes abort, the running step is cut          |
 * | `stopping` | every step ended                     | `done`     | the report, then the exit                      |
 * | `forcing`  | the running step ended (or none ran) | `done`     | the rest reported cut, then the exit           |
 * | any        | `[Symbol.dispose]()` mid-shutdown    | `done`     | as forcing, but no exit is asked for           |
 *
 * The machine's fields, the facts and report of the shutdown in progress and
 * the default runtime live in `_machine_state.ts`, the transitions and the idle
 * warm-up in `_state_machine.ts`, its end (exit status, report, exit) in
 * `_report_and_exit.ts` (with the wording of every message); what holds a
 * shutdown back beside the scopes in `protection_scope.ts`; the steps in
 * `_steps.ts`. The process-wide `shutdown` and the integrations' check of
 * their `controller` option are at the end of this file.
 *
 * @module
 */

import type {
  ProtectOptions,
  RequestOptions,
  ServiceList,
  ShutdownControllerOptions,
  ShutdownHook,
  ShutdownHookOptions,
  ShutdownReport,
} from "./types.ts";
import { _Scope, type ProtectionScope } from "./protection_scope.ts";
import {
  _readControllerOptions,
  _readHookOptions,
  _readProtectOptions,
  _readRequestOptions,
  _readServices,
  _show,
} from "./_options.ts";
import { _runServices } from "./_run_services.ts";
import { _StateMachine, type ShutdownState } from "./_state_machine.ts";

export type { ShutdownState };

let _makingLazy = false;
const _machines = new WeakMap<ShutdownController, _StateMachine>();

/** The state machine behind a controller (for `watchdog()`); undefined for a foreign object. */
export function _machineOf(controller: unknown): _StateMachine | undefined {
  return _machines.get(controller as ShutdownController);
}

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
export class ShutdownController implements Disposable, AsyncDisposable {
  readonly #m: _StateMachine;

  /**
   * Makes a controller and starts listening for stop events.
   *
   * @param options Budgets, attempts and hooks; see {@linkcode ShutdownControllerOptions}.
   * @throws {TypeError | RangeError} When an option is invalid.
   * @throws {Error} When another controller is already listening.
   */
  constructor(options: ShutdownControllerOptions = {}) {
    this.#m = new _StateMachine(_readControllerOptions(options), _makingLazy);
    _machines.set(this, this.#m);
  }

  /** Aborted when shutdown is requested; the reason is a `ShutdownError`. */
  get signal(): AbortSignal {
    this.#m.activate();
    return this.#m.abort.signal;
  }

  /** True once shutdown has been requested (or the program ended). */
  get requested(): boolean {
    this.#m.activate();
    return this.#m.state !== "running";
  }

  /** Where the state machine is: `"running"`, `"stopping"`, `"forcing"` or `"done"`. */
  get state(): ShutdownState {
    this.#m.activate();
    return this.#m.state;
  }

  /**
   * The shutdown deadline, in ms from the first request. A scope opened
   * without a budget gets this less `hookReserveMs` (a tenth by default).
   */
  get budgetMs(): number {
    this.#m.activate();
    return this.#m.budget();
  }

  /**
   * Resolves to the {@linkcode ShutdownReport} once every hook and service stop
   * has ended, right before the process exits.
   */
  get done(): Promise<ShutdownReport> {
    this.#m.activate();
    return this.#m.done;
  }

  /**
   * Asks for shutdown, as a signal would. The first call starts it; the
   * `maxAttempts`-th forces it. Once done the process exits with code 0, or 1
   * when a hook failed or `reason` is an `Error`, unless the program set an
   * exit code of its own; `options.exitCode` wins over all of these (and over
   * a signal that comes after), 0 aside, which a failure still turns into 1. Once the shutdown has ended it does nothing, as a
   * signal would.
   *
   * @example Give the exit status with the request
   * ```ts
   * import { ShutdownController } from "@graceful/shutdown";
   * import { FakeRuntime } from "@graceful/shutdown/testing";
   *
   * const runtime = new FakeRuntime(); // a real program uses `shutdown`
   * using controller = new ShutdownController({ runtime });
   * controller.request(new Error("database lost"), { exitCode: 70 });
   * await runtime.advance(0);
   * console.log(runtime.exits); // [{ code: 70 }]
   * ```
   *
   * @param reason Why, for the report.
   * @param options `exitCode`: the status to exit with (an integer 0–255).
   * @throws {TypeError | RangeError} When `options` or `exitCode` is invalid.
   */
  request(reason?: unknown, options?: RequestOptions): void {
    const m = this.#m;
    m.activate();
    const exitCode = _readRequestOptions(options);
    if (m.state === "done") return;
    m.assertUsable("request()");
    if (exitCode !== undefined && !m.ending()) m.facts.requestedCode = exitCode;
    m.request({ kind: "request", reason }, undefined);
  }

  /**
   * Opens a protection scope: while it is open a stop request does not end
   * the process, and once one is pending the scope keeps at least `budgetMs`
   * from its start or its latest `breakpoint()` / `renew()`.
   *
   * Once the shutdown is forced the scope comes already aborted; once it has
   * ended, `protect()` throws.
   *
   * @param budgetMs The budget; defaults to `budgetMs - hookReserveMs`.
   * @param options The scope's name.
   * @returns The scope; close it with `using` or `[Symbol.dispose]()`.
   * @throws {Error} When the controller is disposed or the shutdown has ended.
   */
  protect(budgetMs?: number, options?: ProtectOptions): ProtectionScope {
    const m = this.#m;
    m.activate();
    m.assertUsable("protect()");
    const read = _readProtectOptions(budgetMs, options);
    const scope = new _Scope(
      m.scopeHost,
      read.budgetMs ?? m.scopeBudget(),
      read.name ?? ++m.scopeCount,
    );
    if (m.ending()) {
      scope._abort(m.forcedError());
      return scope;
    }
    m.hold.addScope(scope);
    if (m.state === "stopping") scope._startCountdown(m.rt.now());
    m.holdersChanged();
    return scope;
  }

  /**
   * Registers a hook that runs once at shutdown, however the process ends
   * (SIGKILL aside). Hooks run last registered first, one at a time, each
   * within its `timeoutMs` and the shutdown deadline. On an explicit
   * `exit()` only the synchronous part of each hook runs. A hook registered
   * during the shutdown runs next if the steps are still running (it is on
   * top), and is reported cut if the shutdown is forced.
   *
   * @param hook The function; it gets an abort signal, the cause and `note()`.
   * @param options Its name in the report and its time limit.
   * @returns A disposable that unregisters the hook if it has not run yet.
   * @throws {Error} When the controller is disposed or the shutdown has ended.
   */
  onShutdown(hook: ShutdownHook, options?: ShutdownHookOptions): Disposable {
    const m = this.#m;
    m.activate();
    const read = _readHookOptions(hook, options);
    m.assertUsable("onShutdown()");
    const name = read.name ?? (hook.name || `hook ${m.hookCount + 1}`);
    m.hookCount++;
    const step = m.steps.push(name, hook, read.timeoutMs);
    return { [Symbol.dispose]: () => m.steps.remove(step) };
  }

  /**
   * Starts services in order while holding stop requests, waits for shutdown,
   * then stops them in reverse order. A request that arrives during start-up
   * is held until start-up completes; then the stops run at once and are not
   * interrupted short of the force rules. If a `start()` throws, or runs past
   * its `startTimeoutMs`, the services already started are stopped and `run`
   * rejects with that error (a `TimeoutError` for the latter).
   *
   * A pending shutdown holds for the start-up as long as a scope opened
   * without a budget would (`budgetMs - hookReserveMs` from the request):
   * then the start still running is given up (its `context.signal` aborts,
   * the report shows it cut), no further service starts, and the stops of
   * those that started run with the hooks' reserve; `run` then resolves once
   * they have stopped.
   *
   * An array inside the list is a group of independent services: they start
   * together and their stops run together, each within its `stopTimeoutMs`
   * and reported as a step of its own. While a start-up runs, `started` is
   * false and `readiness()` answers 503.
   *
   * @example Services, one group stopped at once
   * ```ts
   * import { ShutdownController } from "@graceful/shutdown";
   * import { FakeRuntime } from "@graceful/shutdown/testing";
   *
   * const runtime = new FakeRuntime(); // a real program uses `shutdown`
   * using controller = new ShutdownController({ runtime });
   * const running = controller.run([
   *   { name: "db", start: () => console.log("db up"), startTimeoutMs: 10_000 },
   *   [{ name: "http" }, { name: "metrics" }], // independent: stopped together
   * ]);
   * await runtime.advance(0);
   * console.log(controller.started); // true
   * controller.request();
   * await runtime.advance(0);
   * await running;
   * console.log((await controller.done).steps.map((step) => step.name)); // ["http", "metrics", "db"]
   * ```
   *
   * @param services One service, or a list of services and groups (arrays).
   * @returns Resolves once every service has stopped.
   */
  async run(services: ServiceList): Promise<void> {
    const m = this.#m;
    m.activate();
    const list = _readServices(services);
    m.assertUsable("run()");
    if (m.state !== "running") throw m.pendingError();
    return await _runServices(m, list);
  }

  /**
   * False while `run()` is starting services (and after a start-up that
   * failed), true otherwise: a program that never calls `run()` is started
   * from the beginning. `readiness()` answers 503 while it is false.
   *
   * @example
   * ```ts
   * import { ShutdownController } from "@graceful/shutdown";
   * import { FakeRuntime } from "@graceful/shutdown/testing";
   *
   * const runtime = new FakeRuntime(); // a real program uses `shutdown`
   * using controller = new ShutdownController({ runtime });
   * let connected = (): void => {};
   * void controller.run({ name: "db", start: () => new Promise<void>((r) => connected = r) });
   * console.log(controller.started); // false
   * connected();
   * await runtime.advance(0);
   * console.log(controller.started); // true
   * ```
   */
  get started(): boolean {
    const m = this.#m;
    m.activate();
    return m.starting === 0 && !m.startFailed;
  }

  /**
   * Runs `listener` with the final report after every step has ended and
   * before the process exits, awaiting it within the deadline. This is where
   * to ship the report: code after `await controller.done` gets only its
   * synchronous part in before the exit. Listeners run together; what they
   * throw goes to stderr.
   *
   * @example Ship the report before the process exits
   * ```ts
   * import { ShutdownController } from "@graceful/shutdown";
   * import { FakeRuntime } from "@graceful/shutdown/testing";
   *
   * const runtime = new FakeRuntime(); // a real program uses `shutdown`
   * const controller = new ShutdownController({ runtime });
   * controller.onReport(async (report) => {
   *   await Promise.resolve(); // e.g. await fetch(collector, { method: "POST", body: … })
   *   console.log("shipped", report.cause.kind);
   * });
   * controller.request();
   * await runtime.advance(0);
   * console.log(runtime.exits); // [{ code: 0 }]: after the listener
   * ```
   *
   * @param listener Gets the report; may be async.
   * @returns A disposable that unregisters it.
   * @throws {TypeError} When `listener` is not a function.
   */
  onReport(listener: (report: ShutdownReport) => unknown): Disposable {
    const m = this.#m;
    m.activate();
    if (typeof listener !== "function") {
      throw new TypeError(`listener must be a function, got ${_show(listener)}`);
    }
    m.assertUsable("onReport()");
    m.reportListeners.add(listener);
    return { [Symbol.dispose]: () => void m.reportListeners.delete(listener) };
  }

  /**
   * Refuses new work from now on. Before a shutdown it stops listening and
   * gives the runtime its default behaviour back; during one, the shutdown
   * ends as it would have (hooks, report, exit status) and the listeners go
   * then, so a `using` block that ends mid-shutdown loses nothing.
   */
  [Symbol.dispose](): void {
    this.#m.dispose();
  }

  /**
   * As `[Symbol.dispose]()`, then waits for a shutdown in progress to end:
   * `await using controller = …` leaves its block only once the hooks ran.
   *
   * @returns Resolves once disposed and any shutdown in progress has ended.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#m.disposeAsync();
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

/** Changes when the controller's surface does; copies with another cannot share it. */
const _API = 1;

/**
 * The process-wide controller. It starts listening on first use (any property
 * or method), so importing the module changes nothing until then.
 *
 * @example
 * ```ts
 * import { shutdown } from "@graceful/shutdown";
 *
 * shutdown.onShutdown(async () => {
 *   console.log("closing the database");
 * }, { name: "database", timeoutMs: 5_000 });
 * shutdown[Symbol.dispose](); // stop listening (for this example only)
 * ```
 */
export const shutdown: ShutdownController = _shared();

/**
 * Two copies of the library in one process (two versions installed side by
 * side) share one process-wide controller: the first copy's, found under a
 * registered symbol. So there is one shutdown and every hook runs once. `api`
 * changes when the controller's surface does; then the copies cannot share.
 */
function _shared(): ShutdownController {
  const key = Symbol.for("@graceful/shutdown/shutdown");
  const home = globalThis as { [key]?: { api: number; controller: ShutdownController } };
  const found = home[key];
  if (found !== undefined && found.api === _API) return found.controller;
  const controller = _createLazyController();
  if (found === undefined) home[key] = { api: _API, controller };
  return controller;
}

// The `controller` option of the integrations, checked: absent means the
// process-wide `shutdown`.

/** Checks an integration's `controller` option; undefined gives `shutdown`. */
export function _checkController(value: unknown): ShutdownController {
  if (value === undefined) return shutdown;
  const candidate = value as Partial<ShutdownController> | null;
  if (
    typeof candidate !== "object" || candidate === null ||
    typeof candidate.onShutdown !== "function" || !("done" in candidate)
  ) {
    throw new TypeError(`controller must be a ShutdownController, got ${_show(value)}`);
  }
  return value as ShutdownController;
}
