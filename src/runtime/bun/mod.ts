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

import type { RuntimeAdapter } from "../../core/runtime_adapter.ts";
import { _nodeProcess, _processAdapter } from "../_process_adapter.ts";
import type { _ConsoleInstaller } from "../_shared.ts";

/**
 * Makes the adapter for the running Bun process.
 *
 * @example
 * ```ts
 * import { bunRuntime } from "@graceful/shutdown/runtime/bun";
 *
 * if ("Bun" in globalThis) console.log(bunRuntime().name); // "bun"
 * ```
 * @throws {Error} When not running on Bun.
 */
export function bunRuntime(): RuntimeAdapter {
  const proc = _nodeProcess();
  if (!("Bun" in globalThis) || proc === undefined) {
    throw new Error("bunRuntime() needs the Bun runtime");
  }
  return _processAdapter("bun", proc, _loadConsole);
}

/**
 * Loads the console handler synchronously (Bun's `require` loads ES modules),
 * so console events are caught from the moment the controller listens: a
 * handler installed a moment later missed a console close sent at once.
 */
function _loadConsole(): _ConsoleInstaller {
  // The same extension as this file: `.ts` from source, `.js` once built.
  const extension = import.meta.url.endsWith(".js") ? ".js" : ".ts";
  const meta = import.meta as unknown as {
    require(id: string): typeof import("./windows_console.ts");
  };
  return meta.require(`./windows_console${extension}`).installConsoleHandler;
}
