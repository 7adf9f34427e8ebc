/**
 * Windows console control events for Deno and Bun, through kernel32's
 * `SetConsoleCtrlHandler` via FFI. (Node gets CTRL_CLOSE from libuv as SIGHUP.)
 *
 * Why it is built this way (shared/RUNTIME_NOTES.md, "Windows console events"):
 * - Windows calls the handler on a thread of its own and ends the process as
 *   soon as it returns from CTRL_CLOSE, CTRL_LOGOFF or CTRL_SHUTDOWN (after
 *   5 s at most for console programs). So the handler holds that thread until
 *   the listener's promise settles, or `holdLimitMs` (default 4_500) has
 *   passed, then returns TRUE. Without FFI these events cannot be caught with
 *   any grace: Deno's own handler returns at once, libuv's ignores LOGOFF and
 *   SHUTDOWN.
 * - CTRL_C and CTRL_BREAK: the handler returns FALSE at once, so the runtime's
 *   own handler delivers them as SIGINT and SIGBREAK. That path alone delivers
 *   them (it needs no FFI), so they never arrive twice.
 * - Deno: a `Deno.UnsafeCallback` called from a foreign thread blocks it only
 *   while a synchronous callback runs, and blocking the main thread would stop
 *   the cleanup: the callback lives in a Worker that posts the event to the
 *   main thread and `Atomics.wait`s (`_windows_console_deno.ts`). The Worker
 *   is unref'd: a live one would keep the program from ending.
 * - Bun: a thread-safe `JSCallback` returns at once, so the handler is C
 *   compiled by `cc` that waits on an event object (`_windows_console_bun.ts`).
 * - Windows calls the handler registered last first, and ours must run
 *   before the runtime's (libuv's sleeps on CTRL_CLOSE, Deno's returns at
 *   once). Bun 1.4.5 under Wine ran ours first even when its signal listeners
 *   came later; Deno's handler may arrive with its first signal listener
 *   (not measured), so install this after the signal listeners.
 *
 * @module
 */

import type { ConsoleEvent, StopEventListener, Unsubscribe } from "./types.ts";
import { _denoHasFfi, _registerWithKernel32, _startDenoHandler } from "./_windows_console_deno.ts";
import { _startBunHandler } from "./_windows_console_bun.ts";

/** Options of {@linkcode installConsoleHandler}. */
export interface ConsoleHandlerOptions {
  /** Writes the one line that says what cannot be caught, when so. */
  writeStderr(text: string): void;
  /**
   * How long a CTRL_CLOSE, CTRL_LOGOFF or CTRL_SHUTDOWN is held at most, in
   * milliseconds, whatever the listener does. Default 4_500: Windows itself
   * ends a console program 5 s after these events.
   */
  holdLimitMs?: number;
}

const _EVENTS: Record<number, ConsoleEvent> = {
  0: "CTRL_C",
  1: "CTRL_BREAK",
  2: "CTRL_CLOSE",
  5: "CTRL_LOGOFF",
  6: "CTRL_SHUTDOWN",
};

const _NO_FFI = "@graceful/shutdown: CTRL_CLOSE, CTRL_LOGOFF and CTRL_SHUTDOWN cannot be " +
  "caught without FFI: run deno with --allow-ffi to clean up on them " +
  "(CTRL_C and CTRL_BREAK still arrive as SIGINT and SIGBREAK)\n";

/**
 * Installs a console control handler. The listener gets CTRL_CLOSE,
 * CTRL_LOGOFF and CTRL_SHUTDOWN, and Windows waits until the promise it
 * returns settles (at most `holdLimitMs`). CTRL_C and CTRL_BREAK are left to
 * the runtime, which delivers them as SIGINT and SIGBREAK. Call it on Windows
 * only, after the signal listeners are in place.
 *
 * Returns the function that uninstalls it, or `undefined` after writing one
 * line through `writeStderr` when FFI is not available. In Deno the handler is
 * registered a moment later, once its worker has started.
 *
 * @example Clean up for 700 ms before Windows ends the process
 * ```ts ignore
 * const uninstall = installConsoleHandler("deno", async (event) => {
 *   console.log("got", event);
 *   await new Promise((resolve) => setTimeout(resolve, 700));
 * }, { writeStderr: (text) => console.error(text.trimEnd()) });
 * uninstall?.();
 * ```
 */
export function installConsoleHandler(
  runtime: "deno" | "bun",
  listener: StopEventListener,
  options: ConsoleHandlerOptions,
): Unsubscribe | undefined {
  const holdLimitMs = _holdLimit(options.holdLimitMs);
  if (runtime === "bun") {
    try {
      const handler = _startBunHandler(
        (code) => _hold(listener, code, () => handler.release()),
        holdLimitMs,
      );
      return handler.dispose;
    } catch (error) {
      options.writeStderr(_cannotCatch(error));
      return undefined;
    }
  }
  if (!_denoHasFfi()) {
    options.writeStderr(_NO_FFI);
    return undefined;
  }
  return _installDeno(listener, holdLimitMs, _registerWithKernel32, options);
}

/**
 * For tests only: {@linkcode installConsoleHandler} for Deno, with `register`
 * standing in for kernel32. It gets the HandlerRoutine pointer, which a test
 * can call from a native thread of its own, on any OS.
 *
 * @example
 * ```ts ignore
 * const uninstall = _installDenoHandlerForTests(
 *   () => {},
 *   { writeStderr: () => {}, holdLimitMs: 1_000 },
 *   (pointer) => { console.log(pointer); return () => {}; },
 * );
 * uninstall();
 * ```
 */
export function _installDenoHandlerForTests(
  listener: StopEventListener,
  options: ConsoleHandlerOptions,
  register: (pointer: Deno.PointerObject) => Unsubscribe,
): Unsubscribe {
  return _installDeno(listener, _holdLimit(options.holdLimitMs), register, options);
}

function _installDeno(
  listener: StopEventListener,
  holdLimitMs: number,
  register: (pointer: Deno.PointerObject) => Unsubscribe,
  options: ConsoleHandlerOptions,
): Unsubscribe {
  const handler = _startDenoHandler(
    (code) => _hold(listener, code, handler.release),
    holdLimitMs,
  );
  let unregister: Unsubscribe | undefined;
  let disposed = false;
  handler.pointer.then((pointer) => {
    if (!disposed) unregister = register(pointer);
  }).catch((error) => {
    handler.dispose();
    options.writeStderr(_cannotCatch(error));
  });
  return () => {
    if (disposed) return;
    disposed = true;
    // Release before unregistering: under Wine, SetConsoleCtrlHandler waits
    // for a running handler (measured: it blocked until the hold limit).
    handler.dispose();
    unregister?.();
  };
}

/** Tells the listener, then releases the held thread once it has settled. */
function _hold(listener: StopEventListener, code: number, release: () => void): void {
  let settled: Promise<void>;
  try {
    settled = Promise.resolve(listener({ kind: "console", event: _EVENTS[code] }));
  } catch {
    settled = Promise.resolve();
  }
  settled.then(release, release);
}

/** The one stderr line for a handler that failed to install. */
function _cannotCatch(error: unknown): string {
  const reason = String(error).replace(/\s+/g, " ").trim();
  return `@graceful/shutdown: CTRL_CLOSE, CTRL_LOGOFF and CTRL_SHUTDOWN cannot be caught: ${reason}\n`;
}

function _holdLimit(value: number | undefined): number {
  if (value === undefined) return 4_500;
  if (!Number.isInteger(value) || value < 0 || value > 2_147_483_647) {
    throw new RangeError(
      `holdLimitMs must be an integer from 0 to 2147483647, got ${value}`,
    );
  }
  return value;
}
