/**
 * The Node adapter: `process` signals and events. Console logoff and shutdown
 * cannot be caught on Node (libuv returns FALSE for them); console close
 * arrives as SIGHUP.
 *
 * @example Hand a controller Node's adapter explicitly
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { nodeRuntime } from "@graceful/shutdown/runtime/node";
 *
 * if (!("Deno" in globalThis) && !("Bun" in globalThis)) {
 *   const controller = new ShutdownController({ runtime: nodeRuntime() });
 *   controller[Symbol.dispose]();
 * }
 * ```
 *
 * @module
 */

export { nodeRuntime } from "../_process_adapter.ts";
