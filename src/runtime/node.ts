/**
 * The Node adapter: `process` signals and events. Console logoff and shutdown
 * cannot be caught on Node (libuv returns FALSE for them).
 *
 * @module
 */

import type { RuntimeAdapter } from "./types.ts";
import { _nodeProcess, _processAdapter } from "./_process_adapter.ts";

/**
 * Makes the adapter for the running Node process.
 *
 * @example
 * ```ts ignore
 * import { ShutdownController } from "@graceful/shutdown";
 * import { nodeRuntime } from "@graceful/shutdown/runtime/node";
 *
 * using controller = new ShutdownController({ runtime: nodeRuntime() });
 * ```
 * @throws {Error} When there is no `process` global.
 */
export function nodeRuntime(): RuntimeAdapter {
  const proc = _nodeProcess();
  if (proc === undefined) throw new Error("nodeRuntime() needs Node's `process` global");
  return _processAdapter("node", proc);
}
