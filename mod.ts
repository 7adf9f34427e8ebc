/**
 * Graceful shutdown for Deno, Bun and Node: every way a process is asked to
 * stop (SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGBREAK, Windows console events, a
 * programmatic request, the end of the program, an uncaught error) becomes one
 * cooperative, deadline-bounded shutdown.
 *
 * - {@linkcode ProtectionScope}: work that a stop request does not cut short;
 *   `breakpoint()` throws {@linkcode ShutdownError} once shutdown is pending.
 * - `onShutdown()`: async cleanup hooks, last registered first, each with its
 *   own timeout, run exactly once however the process ends.
 * - `run()`: shielded start-up and finalization of services.
 * - The exit status tells the truth: after SIGTERM the process dies by SIGTERM.
 *
 * @example
 * ```ts
 * import { shutdown, ShutdownError } from "@graceful/shutdown";
 *
 * shutdown.onShutdown(() => console.log("cleaned up"), { name: "cleanup" });
 *
 * async function job() {
 *   using scope = shutdown.protect();
 *   for (let step = 0; step < 3; step++) {
 *     scope.breakpoint();
 *     await new Promise((resolve) => setTimeout(resolve, 10));
 *   }
 * }
 * try {
 *   await job();
 * } catch (error) {
 *   if (!(error instanceof ShutdownError)) throw error;
 * }
 * shutdown[Symbol.dispose](); // (only so that this example ends quietly)
 * ```
 *
 * @module
 */

import { _setRuntimeFactory } from "./src/core/_machine_state.ts";
import { _prepareAtImport, detectRuntime } from "./src/runtime/detect.ts";

// The core is handed the running runtime, found on first use (see _machine_state.ts).
_setRuntimeFactory(detectRuntime);
// Before the program's code runs: in a worker, take attach()'s handshake
// first; on Deno, start counting the program's own signal listeners.
_prepareAtImport();

export { shutdown } from "./src/core/shutdown_controller.ts";
export { ShutdownController } from "./src/core/shutdown_controller.ts";
export type { ShutdownState } from "./src/core/shutdown_controller.ts";
export { ShutdownError } from "./src/core/shutdown_error.ts";
export { adopt } from "./src/children/adopt.ts";
export { attach } from "./src/workers/attach.ts";
export type { AttachOptions } from "./src/workers/attach.ts";
export type {
  AttachableWorker,
  NodeWorkerLike,
  WebWorkerLike,
  WorkerPoolLike,
} from "./src/workers/worker_like.ts";
export type { AdoptOptions, AdoptSignal } from "./src/children/adopt.ts";
export type {
  AdoptableChild,
  BunSubprocessLike,
  DenoChildProcessLike,
  NodeChildProcessLike,
} from "./src/children/child_process_like.ts";
export { drain } from "./src/servers/drain.ts";
export type {
  DrainHandle,
  DrainOptions,
  DrainSocket,
  DrainStats,
} from "./src/servers/drain_options.ts";
export { drainable } from "./src/servers/drainable.ts";
export { readiness, writeReadiness } from "./src/servers/readiness.ts";
export type { ReadinessResponse } from "./src/servers/readiness.ts";
export type { ShutdownErrorKind, ShutdownErrorOptions } from "./src/core/shutdown_error.ts";
export type { ProtectionScope } from "./src/core/protection_scope.ts";
export { watchdog } from "./src/watchdog/watchdog.ts";
export type { WatchdogHandle, WatchdogOptions } from "./src/watchdog/watchdog.ts";
export type {
  ProtectOptions,
  RequestOptions,
  Service,
  ServiceList,
  ServiceStartContext,
  ShutdownCause,
  ShutdownControllerOptions,
  ShutdownExit,
  ShutdownHook,
  ShutdownHookContext,
  ShutdownHookOptions,
  ShutdownLog,
  ShutdownReport,
  StepOutcome,
  StepReport,
} from "./src/core/types.ts";
// Programs name these in options and reports; the rest of the adapter
// contract (RuntimeAdapter, OsPolicy, DieOptions, ...) is `./runtime`.
export type { ConsoleEvent, StopSignal } from "./src/core/runtime_adapter.ts";
