/**
 * Picks the adapter for the runtime the program runs on. Only the entry point
 * (`mod.ts`) imports it: the core is handed an adapter, it never picks one.
 *
 * @module
 */

import type { RuntimeAdapter } from "../runtime_adapter.ts";
import { denoRuntime } from "./deno/mod.ts";
import { bunRuntime } from "./bun/mod.ts";
import { nodeRuntime } from "./node/mod.ts";

/**
 * Returns the adapter for the running runtime: Deno, Bun or Node.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "@graceful/shutdown";
 *
 * console.log(detectRuntime().name); // "deno", "bun" or "node"
 * ```
 * @throws {Error} On a runtime that is none of the three.
 */
export function detectRuntime(): RuntimeAdapter {
  if ("Deno" in globalThis) return denoRuntime();
  if ("Bun" in globalThis) return bunRuntime();
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node !== undefined) return nodeRuntime();
  throw new Error(
    "@graceful/shutdown found no Deno, Bun or Node runtime; pass a `runtime` adapter",
  );
}
