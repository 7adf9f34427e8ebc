/**
 * The shapes the public API takes (hooks, scopes, services, options) and, from
 * `shutdown_report.ts`, the report it returns.
 *
 * @module
 */

import type { RuntimeAdapter, StopSignal } from "./runtime_adapter.ts";
import type { ShutdownCause } from "./shutdown_report.ts";

export type {
  ShutdownCause,
  ShutdownExit,
  ShutdownReport,
  StepOutcome,
  StepReport,
} from "./shutdown_report.ts";

/**
 * What a hook receives.
 *
 * @example
 * ```ts
 * import { ShutdownController, type ShutdownHookContext } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const runtime = new FakeRuntime();
 * using controller = new ShutdownController({ runtime });
 * controller.onShutdown(({ signal, cause, note }: ShutdownHookContext) => {
 *   note(`stopped by ${cause.kind}, time left: ${!signal.aborted}`);
 * }, { name: "close" });
 * controller.request();
 * await runtime.advance(0); // the fake clock moves only when told
 * const report = await controller.done;
 * console.log(report.steps[0].detail); // "stopped by request, time left: true"
 * ```
 */
export interface ShutdownHookContext {
  /** Aborted when the hook's time is up or the shutdown is forced. */
  readonly signal: AbortSignal;
  /** What started the shutdown. */
  readonly cause: ShutdownCause;
  /**
   * Sets this step's `detail` line in the report (the latest call wins), so
   * that a step that is cut still says how far it got.
   */
  note(text: string): void;
}

/**
 * A function run once at shutdown. It may be async.
 *
 * @example
 * ```ts
 * import type { ShutdownHook } from "@graceful/shutdown";
 *
 * const flush: ShutdownHook = async ({ signal, note }) => {
 *   await new Promise((resolve) => setTimeout(resolve, 1));
 *   note(signal.aborted ? "cut short" : "flushed 3 records"); // the step's detail
 * };
 * // shutdown.onShutdown(flush, { name: "flush" });
 * console.log(typeof flush);
 * ```
 */
export type ShutdownHook = (context: ShutdownHookContext) => unknown;

/**
 * Options for `controller.onShutdown()`.
 *
 * @example
 * ```ts
 * import type { ShutdownHookOptions } from "@graceful/shutdown";
 *
 * // shutdown.onShutdown(() => db.close(), options)
 * const options: ShutdownHookOptions = { name: "database", timeoutMs: 5_000 };
 * console.log(options.name);
 * ```
 */
export interface ShutdownHookOptions {
  /** The name in the report; defaults to the function's name. */
  name?: string;
  /** How long the hook may run, in ms, within the shutdown deadline. */
  timeoutMs?: number;
}

/**
 * Options for `controller.request()`.
 *
 * @example End with status 2 after a fatal configuration error
 * ```ts
 * import { ShutdownController, type RequestOptions } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const runtime = new FakeRuntime(); // a real program uses `shutdown`
 * using controller = new ShutdownController({ runtime });
 * const options: RequestOptions = { exitCode: 2 };
 * controller.request("bad configuration", options);
 * await runtime.advance(0);
 * console.log(runtime.exits); // [{ code: 2 }]
 * ```
 */
export interface RequestOptions {
  /**
   * The status the process exits with once the shutdown is over: an integer
   * from 0 to 255. It wins over `process.exitCode` / `Deno.exitCode` and over
   * the signal that may come next; a later request's code replaces it. `0`
   * still becomes `1` when a hook failed or the shutdown was forced.
   * @default {0, or 1 when a hook failed or `reason` is an `Error`}
   */
  exitCode?: number;
}

/**
 * Options for `controller.protect()`.
 *
 * @example
 * ```ts
 * import { type ProtectOptions, ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * using controller = new ShutdownController({ runtime: new FakeRuntime() });
 * const options: ProtectOptions = { name: "import" }; // named in the report when forced
 * using scope = controller.protect(30_000, options);
 * console.log(scope.name); // "import"
 * ```
 */
export interface ProtectOptions {
  /** The name in the report and in messages. */
  name?: string;
}

/**
 * A unit that starts before the program works and stops at shutdown.
 *
 * @example
 * ```ts
 * import { type Service, ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const runtime = new FakeRuntime();
 * using controller = new ShutdownController({ runtime });
 * const db: Service = {
 *   name: "db",
 *   start: () => console.log("connected"),
 *   stop: ({ signal }) => console.log("closed", signal.aborted),
 *   stopTimeoutMs: 5_000,
 * };
 * const running = controller.run([db]); // settles once its services have stopped
 * controller.request("deploy");
 * await runtime.advance(0); // the fake clock moves only when told
 * await running; // "connected", then "closed false"
 * ```
 */
export interface Service {
  /** The name in the report. */
  name?: string;
  /**
   * Starts the service; held against stop requests until it settles, or
   * until `startTimeoutMs`, or until a pending shutdown's start-up hold runs
   * out (as a scope's default budget does, leaving the hooks their reserve):
   * then `context.signal` aborts, the start is reported, and what did start
   * is stopped.
   */
  start?(context: ServiceStartContext): unknown;
  /** Stops the service; never interrupted short of the force rules. */
  stop?(context: ShutdownHookContext): unknown;
  /**
   * How long `start` may run, in ms. Past it `run()` stops what did start
   * and rejects with a `TimeoutError`. None by default: a start-up then
   * waits as long as it takes, or until a pending shutdown's hold runs out.
   */
  startTimeoutMs?: number;
  /** How long `stop` may run, in ms, within the shutdown deadline. */
  stopTimeoutMs?: number;
}

/**
 * What a service's `start()` receives.
 *
 * @example Give up connecting when the start is cut
 * ```ts
 * import type { Service, ServiceStartContext } from "@graceful/shutdown";
 *
 * const db: Service = {
 *   name: "db",
 *   startTimeoutMs: 10_000,
 *   start: async ({ signal }: ServiceStartContext) => {
 *     // e.g. await pool.connect({ signal })
 *     signal.throwIfAborted();
 *   },
 * };
 * console.log(db.name);
 * ```
 */
export interface ServiceStartContext {
  /**
   * Aborted when the start is given up: `startTimeoutMs` passed, or a
   * pending shutdown's start-up hold ran out.
   */
  readonly signal: AbortSignal;
}

/**
 * What `run()` takes: one service, or a list in start order whose entries
 * are services or groups. A group (an array inside the list) holds
 * independent services: they start together and stop together, each within
 * its own `stopTimeoutMs` and reported as a step of its own; the groups and
 * services of the list still stop one after the other, in reverse order.
 *
 * @example A database first, two independent servers stopped at once
 * ```ts
 * import { type ServiceList, ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const runtime = new FakeRuntime(); // a real program uses `shutdown`
 * using controller = new ShutdownController({ runtime });
 * const log = (line: string) => () => console.log(line);
 * const services: ServiceList = [
 *   { name: "db", stop: log("db closed") },
 *   [{ name: "http", stop: log("http closed") }, { name: "grpc", stop: log("grpc closed") }],
 * ];
 * const running = controller.run(services);
 * controller.request();
 * await runtime.advance(0);
 * await running; // "http closed" and "grpc closed" together, then "db closed"
 * ```
 */
export type ServiceList = Service | readonly (Service | readonly Service[])[];

/**
 * A line-writer for the library's messages.
 *
 * @example
 * ```ts
 * import { ShutdownController, type ShutdownLog } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const lines: string[] = [];
 * const log: ShutdownLog = (message) => lines.push(message); // e.g. a structured logger
 * using controller = new ShutdownController({ log, runtime: new FakeRuntime() });
 * console.log(controller.state);
 * ```
 */
export type ShutdownLog = (message: string) => void;

/**
 * Options for `new ShutdownController()`.
 *
 * @example
 * ```ts
 * import { ShutdownController, type ShutdownControllerOptions } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const options: ShutdownControllerOptions = {
 *   budgetMs: 25_000, // below Kubernetes' 30 s grace period
 *   maxAttempts: 2,
 *   terminateOnHup: false,
 *   onHup: () => console.log("reloading the configuration"),
 *   log: (message) => console.error(message),
 *   runtime: new FakeRuntime(), // leave it out in a program: the running runtime
 * };
 * using controller = new ShutdownController(options);
 * console.log(controller.budgetMs); // 25000
 * ```
 */
export interface ShutdownControllerOptions {
  /**
   * The shutdown deadline counted from the first request, in ms; a protection
   * scope opened without a budget gets this less `hookReserveMs`.
   * @default {89_500 on Unix, 4_500 on Windows}
   */
  budgetMs?: number;
  /**
   * The part of `budgetMs` kept for the hooks: a scope opened without a budget
   * of its own gets `budgetMs - hookReserveMs`, so a scope that runs out its
   * budget still leaves the hooks this long before the deadline; a scope with
   * a longer budget pushes the deadline to its end plus this reserve.
   * @default {a tenth of budgetMs: 8_950 on Unix, 450 on Windows}
   */
  hookReserveMs?: number;
  /** The Nth stop request forces the end. @default {3} */
  maxAttempts?: number;
  /** Whether SIGHUP (and console close on Node) asks the process to stop. @default {true} */
  terminateOnHup?: boolean;
  /** Whether CTRL_LOGOFF asks the process to stop; false suits services. @default {true} */
  terminateOnLogoff?: boolean;
  /** Called on SIGHUP, whatever `terminateOnHup` says. */
  onHup?: () => void;
  /** Called right before a forced exit; keep it short. */
  beforeTermination?: () => void;
  /**
   * Where messages go: the first-Ctrl-C notice and the report of a slow or
   * failed shutdown. Defaults to standard error, and to nothing but failures
   * when standard error is not a terminal.
   */
  log?: ShutdownLog;
  /** The runtime adapter; tests pass a fake one. Detected when absent. */
  runtime?: RuntimeAdapter;
  /**
   * The signals that start a shutdown; the others keep the runtime's default
   * action. Any of `SIGINT`, `SIGTERM`, `SIGQUIT`, `SIGHUP`, `SIGBREAK`
   * (Windows only), `SIGUSR2` (nodemon restarts with it), `SIGALRM`,
   * `SIGXCPU`, each at most once. SIGKILL and SIGSTOP cannot be caught, and
   * SIGUSR1 belongs to the debugger: they are refused. SIGHUP is the reload
   * signal: `onHup` and `terminateOnHup` apply to it, so `onHup` or
   * `terminateOnHup: false` needs it listed.
   * An empty list listens to no signal (a shutdown then starts by
   * `request()`, the end of the program or an uncaught error; Windows console
   * events are still caught). The process dies by the signal that came, as
   * without the library.
   * @default {["SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP"], plus "SIGBREAK" on Windows}
   *
   * @example Stop on nodemon's restart signal too
   * ```ts
   * import { ShutdownController } from "@graceful/shutdown";
   * import { FakeRuntime } from "@graceful/shutdown/testing";
   *
   * const runtime = new FakeRuntime(); // a real program leaves `runtime` out
   * using controller = new ShutdownController({
   *   runtime,
   *   signals: ["SIGINT", "SIGTERM", "SIGUSR2"],
   * });
   * runtime.deliver("SIGUSR2");
   * console.log(controller.requested); // true
   * ```
   */
  signals?: readonly StopSignal[];
}
