// Starts the watchdog thread: a node:worker_threads Worker (Deno, Bun and
// Node all have it, and all three can unref it so it never keeps the process
// alive), its code passed as a string so no file has to be found at run time.

import type { _WatchdogLink, _WatchdogMessage } from "../core/_machine_state.ts";
import type { StopSignal } from "../core/runtime_adapter.ts";
import { _WATCHDOG_WORKER_SOURCE } from "./_watchdog_worker.ts";

/** What the watchdog thread is told once, at its start. */
export interface _WatchdogSettings {
  graceMs: number;
  maxAttempts: number;
  budgetMs: number;
  signals: readonly StopSignal[];
}

/** The main-thread function Node's watchdog calls through the inspector. */
export const _NODE_END_KEY: unique symbol = Symbol.for("@graceful/shutdown/watchdog-end");

interface _WorkerLike {
  postMessage(message: unknown): void;
  terminate(): unknown;
  unref(): void;
  on(event: "error", listener: (error: unknown) => void): unknown;
}

/** Starts the thread; undefined where this runtime has no way to run one. */
export async function _startWatchdog(
  cells: Int32Array,
  settings: _WatchdogSettings,
): Promise<_WatchdogLink | undefined> {
  const g = globalThis as unknown as { Deno?: unknown; Bun?: unknown };
  const runtime = g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";
  let threads: { Worker: new (code: string, options: object) => _WorkerLike };
  try {
    threads = await import("node:worker_threads") as unknown as typeof threads;
  } catch {
    return undefined;
  }
  if (runtime === "node") await _installNodeEnd();
  const worker = new threads.Worker(_WATCHDOG_WORKER_SOURCE, {
    eval: true,
    workerData: { cells, runtime, ...settings },
  });
  worker.unref();
  // The watchdog must never be what brings the program down.
  worker.on("error", () => {});
  return {
    post: (message: _WatchdogMessage) => worker.postMessage(message),
    stop: () => void worker.terminate(),
  };
}

/**
 * Node has no FFI, and a worker cannot end the process with a signal status
 * (its `process.exit` ends the worker only). But an inspector session opened
 * from the worker runs code on the main thread as an interrupt, even while it
 * is stuck: that code removes the signal's listeners and re-raises it.
 */
async function _installNodeEnd(): Promise<void> {
  const process = (await import("node:process")).default as unknown as {
    pid: number;
    removeAllListeners(signal: string): void;
    kill(pid: number, signal: string): void;
    reallyExit?: (code: number) => void;
    exit(code: number): void;
  };
  // The watchdog thread has written its line on stderr already.
  (globalThis as Record<symbol, unknown>)[_NODE_END_KEY] = (
    signal: string | undefined,
    code: number,
  ) => {
    if (signal !== undefined) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    // Still here: PID 1 ignores a signal left to its default action.
    if (process.reallyExit !== undefined) process.reallyExit(code);
    else process.exit(code);
  };
}
