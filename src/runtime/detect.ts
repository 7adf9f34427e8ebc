/**
 * Picks the adapter for the runtime the program runs on. Only the entry point
 * (`mod.ts`) imports it: the core is handed an adapter, it never picks one.
 *
 * @module
 */

import type { RuntimeAdapter } from "../core/runtime_adapter.ts";
// Every adapter is a static import, though each runtime uses one: a program
// bundled by its own tool (esbuild, Bun's bundler) must find them all, and a
// path built at run time for require() is one no bundler follows.
import { _signalTally, denoRuntime } from "./deno/_adapter.ts";
import { bunRuntime, nodeRuntime } from "./_process_adapter.ts";
import { _announce, type _WorkerChannel, _workerRuntime } from "./worker/mod.ts";

interface _Globals {
  Deno?: unknown;
  Bun?: { isMainThread?: boolean };
  postMessage?: unknown;
  process?: { versions?: { node?: string }; chdir?: { disabled?: boolean } };
}

/**
 * Whether this code runs in a worker, and where its parent's messages arrive.
 * Cheap on purpose (it runs when the library is imported): loading
 * `node:worker_threads` to ask took 2–25 ms on the main thread.
 */
function _workerChannel(): _WorkerChannel | undefined {
  const g = globalThis as unknown as _Globals;
  // Deno's main thread has no `postMessage`; its Web Workers and its
  // worker_threads workers do, and only Web Workers have `WorkerGlobalScope`.
  if ("Deno" in g) {
    if (typeof g.postMessage !== "function") return undefined;
    return "WorkerGlobalScope" in g ? "web" : "port";
  }
  // Bun's Web Workers and worker_threads workers both have `parentPort`.
  if ("Bun" in g) return g.Bun?.isMainThread === false ? "port" : undefined;
  // Node replaces the process-wide calls in a worker by stubs marked `disabled`.
  return g.process?.chdir?.disabled === true ? "port" : undefined;
}

const _channel = _workerChannel();

/**
 * What must happen while the library is imported, before the program's own
 * code runs. In a worker: say `hello` to `attach()` in the parent, however
 * late the library loads (nothing is sent on the worker's own channel and
 * the worker's lifetime is untouched). On Deno's main thread: count the signal listeners added from now on
 * (Deno cannot tell how many a signal has), so the program's own, added
 * before the library's first use, are seen too.
 */
export function _prepareAtImport(): void {
  if (_channel !== undefined) _announce(_channel);
  else if ("Deno" in globalThis) _signalTally();
}

/**
 * Returns the adapter for the running runtime: Deno, Bun or Node; inside a
 * worker, the worker side of `attach()` (named `"worker"`).
 *
 * @example
 * ```ts
 * import { detectRuntime } from "@graceful/shutdown/runtime";
 *
 * console.log(detectRuntime().name); // "deno", "bun" or "node"
 * ```
 * @throws {Error} On a runtime that is none of the three.
 */
export function detectRuntime(): RuntimeAdapter {
  // In a worker the process's signals are the main thread's: see attach().
  if (_channel !== undefined) return _workerRuntime();
  if ("Deno" in globalThis) return denoRuntime();
  if ("Bun" in globalThis) return bunRuntime();
  const proc = (globalThis as unknown as _Globals).process;
  if (proc?.versions?.node !== undefined) return nodeRuntime();
  throw new Error(
    "@graceful/shutdown found no Deno, Bun or Node runtime; pass a `runtime` adapter",
  );
}
