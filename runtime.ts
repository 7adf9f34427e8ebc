/**
 * The runtime-adapter contract, for adapter authors and tests: what a runtime
 * must give the core (signals, console events, timers, the exit path) and how
 * the running one is found. Programs do not need it: `@graceful/shutdown`
 * finds the running runtime itself.
 *
 * @example
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { detectRuntime, type RuntimeAdapter } from "@graceful/shutdown/runtime";
 *
 * const runtime: RuntimeAdapter = detectRuntime();
 * const controller = new ShutdownController({ runtime });
 * console.log(controller.state); // "running"
 * controller[Symbol.dispose]();
 * ```
 *
 * @module
 */

export { detectRuntime } from "./src/runtime/detect.ts";
export type {
  ConsoleEvent,
  DieOptions,
  OsFamily,
  OsPolicy,
  ProcessEnd,
  RuntimeAdapter,
  StopEvent,
  StopEventListener,
  StopListenerOptions,
  StopSignal,
  UncaughtKind,
  Unsubscribe,
} from "./src/core/runtime_adapter.ts";
