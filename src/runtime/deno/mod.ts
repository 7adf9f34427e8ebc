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
  DieOptions,
  RuntimeAdapter,
  StopEventListener,
  StopListenerOptions,
  StopSignal,
  UncaughtKind,
  Unsubscribe,
} from "../../core/runtime_adapter.ts";
import { _foreignListeners, _signalTally } from "./_signal_tally.ts";
import { _onUncaught } from "./_uncaught.ts";
import { _DENO_WINDOWS_SIGNALS, _POSIX_SIGNALS, _statusFor } from "../../core/_platform.ts";
import { _osPolicy } from "../../core/_platform.ts";
import { _leaveNotice } from "../../core/_report_and_exit.ts";
import { _RERAISE_FALLBACK_MS, _subscribe } from "../_shared.ts";
import { _afterTurns, _clearLazyTimer, _setLazyTimer } from "./_lazy_timers.ts";

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
  const tally = _signalTally();
  // A signal listener in a Worker gets the process's signals and swallows
  // them (Deno #36213); Bun and Node never deliver signals to workers: the
  // main thread owns them, on Deno too.
  const inWorker = "WorkerGlobalScope" in globalThis;
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
    signals: inWorker ? [] : os === "windows" ? _DENO_WINDOWS_SIGNALS : _POSIX_SIGNALS,
    now: () => performance.now(),
    setTimer: (callback, ms) => _setLazyTimer(callback, ms),
    clearTimer: _clearLazyTimer,
    // Not a timer, which would cost more than the rehearsal it starts (see
    // _lazy_timers.ts): a program that ends at once compiles the same code
    // for its own end, so the rehearsal adds only its run, ~0.1 ms.
    whenIdle: (callback) => _afterTurns(callback),
    addStopListener(
      signals: readonly StopSignal[],
      listener: StopEventListener,
      options?: StopListenerOptions,
    ): Unsubscribe {
      return _subscribe(signals, listener, {
        os,
        add: (signal, handler) => tally.add(signal, handler),
        remove: (signal, handler) => tally.remove(signal, handler),
        writeStderr,
        holdLimitMs: options?.holdLimitMs,
        loadConsole: async () => (await import("./windows_console.ts")).installConsoleHandler,
      });
    },
    onNaturalEnd(listener: () => boolean): Unsubscribe {
      // Work scheduled here runs only if the event is cancelled; it then
      // fires again when the loop empties once more. Once the library took
      // the end, that second time is stopped here, so the program's own
      // `beforeunload` listeners added after the library's run once, as
      // without it.
      let taken = false;
      let listening = true;
      // Typed by what it uses: with @types/node beside Deno's types, the
      // global `Event` is Node's and no overload takes a listener of it.
      const handler = (
        event: { preventDefault(): void; stopImmediatePropagation(): void },
      ): void => {
        if (taken) {
          globalThis.removeEventListener("beforeunload", handler);
          return event.stopImmediatePropagation();
        }
        if (!listening || !listener()) return;
        taken = true;
        event.preventDefault();
      };
      globalThis.addEventListener("beforeunload", handler);
      return () => {
        listening = false;
        if (!taken) globalThis.removeEventListener("beforeunload", handler);
      };
    },
    onUncaught(listener: (error: unknown, kind: UncaughtKind) => boolean): Unsubscribe {
      return _onUncaught(listener);
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
    dieBy(signal: StopSignal, options?: DieOptions): void {
      const status = _statusFor(signal, Deno.build.os);
      // Windows turns a kill into TerminateProcess(h, 1), and as PID 1 the
      // kernel ignores a signal left to its default action: exit 128 + n.
      if (os === "windows" || Deno.pid === 1) Deno.exit(status);
      const withinMs = options?.withinMs ?? 0;
      if (_foreignListeners(tally, signal) > 0) {
        // Another listener would swallow a re-raise: it may end the process
        // itself within the deadline; else 128 + n (see _process_exit.ts).
        if (!(withinMs > 0)) Deno.exit(status);
        options?.say?.(_leaveNotice(signal, status, withinMs));
        Deno.exitCode = status;
        Deno.unrefTimer(setTimeout(() => Deno.exit(status), withinMs));
        return;
      }
      // Death by a signal dispatches no `unload`; a program's final flush is one.
      globalThis.dispatchEvent(new Event("unload"));
      Deno.kill(Deno.pid, signal);
      setTimeout(() => Deno.exit(status), _RERAISE_FALLBACK_MS);
    },
    printUncaught(error: unknown): void {
      console.error(`error: Uncaught ${Deno.inspect(error)}`);
    },
    writeStderr,
    stderrIsTerminal: () => Deno.stderr.isTerminal(),
  };
}
