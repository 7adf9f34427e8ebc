/**
 * The Deno adapter: `Deno.addSignalListener` for signals, the global
 * `beforeunload` / `unload` / `error` / `unhandledrejection` events for the
 * end of the program and uncaught errors.
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
} from "./types.ts";
import { _eventFor, _POSIX_SIGNALS, _statusFor } from "./_signals.ts";
import { installConsoleHandler } from "./windows_console.ts";

// Deno on Windows accepts only SIGINT and SIGBREAK (and maps console close to
// SIGHUP, logoff and shutdown to SIGTERM, but returns at once: no grace).
const _WINDOWS_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGBREAK", "SIGHUP", "SIGTERM"];

// How long a re-raised signal may take before we exit with 128 + n ourselves:
// Deno cannot tell whether another listener will swallow it.
const _RERAISE_FALLBACK_MS = 500;

/**
 * Makes the adapter for the running Deno process.
 *
 * @example
 * ```ts ignore
 * import { ShutdownController } from "@graceful/shutdown";
 * import { denoRuntime } from "@graceful/shutdown/runtime/deno";
 *
 * using controller = new ShutdownController({ runtime: denoRuntime() });
 * ```
 * @throws {Error} When not running on Deno.
 */
export function denoRuntime(): RuntimeAdapter {
  if (!("Deno" in globalThis)) throw new Error("denoRuntime() needs the Deno runtime");
  const os = Deno.build.os === "windows" ? "windows" : "posix";
  const encoder = new TextEncoder();
  return {
    name: "deno",
    os,
    processWide: true,
    signals: os === "windows" ? _WINDOWS_SIGNALS : _POSIX_SIGNALS,
    now: () => performance.now(),
    setTimer: (callback, ms) => setTimeout(callback, ms),
    clearTimer: (handle) => clearTimeout(handle as number),
    addStopListener(
      signals: readonly StopSignal[],
      listener: StopEventListener,
      options?: StopListenerOptions,
    ): Unsubscribe {
      const subscriptions = signals.map((signal) => {
        const event = _eventFor(os, signal);
        const handler = (): void => void listener(event);
        Deno.addSignalListener(signal, handler);
        return () => Deno.removeSignalListener(signal, handler);
      });
      if (os === "windows") {
        // After the signal listeners, so that Windows calls ours first.
        const uninstall = installConsoleHandler("deno", listener, {
          writeStderr: (text) => this.writeStderr(text),
          holdLimitMs: options?.holdLimitMs,
        });
        if (uninstall !== undefined) subscriptions.push(uninstall);
      }
      return () => subscriptions.forEach((unsubscribe) => unsubscribe());
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
    writeStderr(text: string): void {
      const bytes = encoder.encode(text);
      let written = 0;
      while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
    },
    stderrIsTerminal: () => Deno.stderr.isTerminal(),
  };
}
