/**
 * The Bun adapter: Bun implements Node's `process` signals and events, so it
 * shares the Node adapter and adds Windows console events through `bun:ffi`.
 *
 * @module
 */

import type { RuntimeAdapter } from "./types.ts";
import { _nodeProcess, _processAdapter } from "./_process_adapter.ts";
import { installConsoleHandler } from "./windows_console.ts";

/**
 * Makes the adapter for the running Bun process.
 *
 * @example
 * ```ts ignore
 * import { ShutdownController } from "@graceful/shutdown";
 * import { bunRuntime } from "@graceful/shutdown/runtime/bun";
 *
 * using controller = new ShutdownController({ runtime: bunRuntime() });
 * ```
 * @throws {Error} When not running on Bun.
 */
export function bunRuntime(): RuntimeAdapter {
  const proc = _nodeProcess();
  if (!("Bun" in globalThis) || proc === undefined) {
    throw new Error("bunRuntime() needs the Bun runtime");
  }
  return _processAdapter(
    "bun",
    proc,
    (listener, options) => installConsoleHandler("bun", listener, options),
  );
}
