/**
 * The Deno adapter: `Deno.addSignalListener` for signals, the global
 * `beforeunload` / `unload` / `error` / `unhandledrejection` events for the
 * end of the program and uncaught errors. On Windows it also loads the
 * console handler (FFI), and only there.
 *
 * @example Hand a controller Deno's adapter explicitly
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { denoRuntime } from "@graceful/shutdown/runtime/deno";
 *
 * if ("Deno" in globalThis) {
 *   const controller = new ShutdownController({ runtime: denoRuntime() });
 *   controller[Symbol.dispose]();
 * }
 * ```
 *
 * @module
 */

import type {
  RuntimeAdapter,
  StopEventListener,
  StopListenerOptions,
  StopSignal,
  UncaughtKind,
  Unsubscribe,
} from "../../runtime_adapter.ts";
import { _DENO_WINDOWS_SIGNALS, _POSIX_SIGNALS, _statusFor } from "../../_signals.ts";
import { _osPolicy } from "../../_os_policy.ts";
import { _RERAISE_FALLBACK_MS, _subscribe } from "../_shared.ts";

/**
 * Makes the adapter for the running Deno process.
 *
 * @example
 * ```ts
 * import { denoRuntime } from "@graceful/shutdown/runtime/deno";
 *
 * if ("Deno" in globalThis) console.log(denoRuntime().policy.defaultBudgetMs);
 * ```
 * @throws {Error} When not running on Deno.
 */
export function denoRuntime(): RuntimeAdapter {
  if (!("Deno" in globalThis)) throw new Error("denoRuntime() needs the Deno runtime");
  const os = Deno.build.os === "windows" ? "windows" : "posix";
  const encoder = new TextEncoder();
  const writeStderr = (text: string): void => {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
  };
  return {
    name: "deno",
    os,
    policy: _osPolicy(os),
    processWide: true,
    signals: os === "windows" ? _DENO_WINDOWS_SIGNALS : _POSIX_SIGNALS,
    now: () => performance.now(),
    setTimer: (callback, ms) => setTimeout(callback, ms),
    clearTimer: (handle) => clearTimeout(handle as number),
    whenIdle(callback: () => void): unknown {
      const id = setTimeout(callback, 0);
      Deno.unrefTimer(id);
      return id;
    },
    addStopListener(
      signals: readonly StopSignal[],
      listener: StopEventListener,
      options?: StopListenerOptions,
    ): Unsubscribe {
      return _subscribe(signals, listener, {
        os,
        add: (signal, handler) => Deno.addSignalListener(signal, handler),
        remove: (signal, handler) => Deno.removeSignalListener(signal, handler),
        writeStderr,
        holdLimitMs: options?.holdLimitMs,
        loadConsole: async () => (await import("./windows_console.ts")).installConsoleHandler,
      });
    },
    onNaturalEnd(listener: () => boolean): Unsubscribe {
      // Work scheduled here runs only if the event is cancelled; it then
      // fires again when the loop empties once more.
      const handler = (event: Event): void => {
        if (listener()) event.preventDefault();
      };
      globalThis.addEventListener("beforeunload", handler);
      return () => globalThis.removeEventListener("beforeunload", handler);
    },
    onUncaught(listener: (error: unknown, kind: UncaughtKind) => boolean): Unsubscribe {
      // A program's own listener that already cancelled the event handles it.
      const onError = (event: ErrorEvent): void => {
        if (!event.defaultPrevented && listener(event.error, "exception")) {
          event.preventDefault();
        }
      };
      const onRejection = (event: PromiseRejectionEvent): void => {
        if (!event.defaultPrevented && listener(event.reason, "rejection")) {
          event.preventDefault();
        }
      };
      globalThis.addEventListener("error", onError);
      globalThis.addEventListener("unhandledrejection", onRejection);
      return () => {
        globalThis.removeEventListener("error", onError);
        globalThis.removeEventListener("unhandledrejection", onRejection);
      };
    },
    onExit(listener: () => void): Unsubscribe {
      globalThis.addEventListener("unload", listener);
      return () => globalThis.removeEventListener("unload", listener);
    },
    exitCode: () => Deno.exitCode === 0 ? undefined : Deno.exitCode,
    setExitCode(code: number): void {
      Deno.exitCode = code;
    },
    exit(code: number): void {
      Deno.exit(code);
    },
    dieBy(signal: StopSignal): void {
      // Windows turns a kill into TerminateProcess(h, 1): exit with 128 + n.
      if (os === "windows") Deno.exit(_statusFor(signal));
      Deno.kill(Deno.pid, signal);
      setTimeout(() => Deno.exit(_statusFor(signal)), _RERAISE_FALLBACK_MS);
    },
    printUncaught(error: unknown): void {
      console.error(`error: Uncaught ${Deno.inspect(error)}`);
    },
    writeStderr,
    stderrIsTerminal: () => Deno.stderr.isTerminal(),
  };
}
