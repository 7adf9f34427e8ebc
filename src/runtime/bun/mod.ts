/**
 * The Bun adapter: Bun implements Node's `process` signals and events, so it
 * shares the process adapter, and on Windows it loads a console handler
 * through `bun:ffi` (there only).
 *
 * @example Hand a controller Bun's adapter explicitly
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { bunRuntime } from "@graceful/shutdown/runtime/bun";
 *
 * if ("Bun" in globalThis) {
 *   const controller = new ShutdownController({ runtime: bunRuntime() });
 *   controller[Symbol.dispose]();
 * }
 * ```
 *
 * @module
 */

export { bunRuntime } from "../_process_adapter.ts";
