/**
 * The process-wide controller.
 *
 * @module
 */

import { _createLazyController, type ShutdownController } from "./shutdown_controller.ts";

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
