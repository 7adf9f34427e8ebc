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

import type { RuntimeAdapter } from "../../core/runtime_adapter.ts";
import { _nodeProcess, _processAdapter } from "../_process_adapter.ts";

/**
 * Makes the adapter for the running Node process.
 *
 * @example
 * ```ts
 * import { nodeRuntime } from "@graceful/shutdown/runtime/node";
 *
 * if ("process" in globalThis) console.log(nodeRuntime().signals);
 * ```
 * @throws {Error} When there is no `process` global.
 */
export function nodeRuntime(): RuntimeAdapter {
  const proc = _nodeProcess();
  if (proc === undefined) throw new Error("nodeRuntime() needs Node's `process` global");
  return _processAdapter("node", proc);
}
