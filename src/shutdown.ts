/**
 * The process-wide controller.
 *
 * @module
 */

import { _createLazyController, type ShutdownController } from "./shutdown_controller.ts";

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
export const shutdown: ShutdownController = _createLazyController();
