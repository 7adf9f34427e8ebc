/**
 * The Deno adapter: `Deno.addSignalListener` for signals, the global
 * `beforeunload` / `unload` / `error` / `unhandledrejection` events for the
 * end of the program and uncaught errors. On Windows it also loads the
 * console handler (FFI), and only there.
 *
 * @example Hand a controller Deno's adapter explicitly
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { denoRuntime } from "@graceful/shutdown/runtime/deno";
 *
 * if ("Deno" in globalThis) {
 *   const controller = new ShutdownController({ runtime: denoRuntime() });
 *   controller[Symbol.dispose]();
 * }
 * ```
 *
 * @module
 */

export { denoRuntime } from "./_adapter.ts";
