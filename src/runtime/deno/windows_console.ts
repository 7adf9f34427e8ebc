/**
 * Deno's Windows console handler, through kernel32's `SetConsoleCtrlHandler`
 * via FFI. Loaded by the Deno adapter on Windows only.
 *
 * A `Deno.UnsafeCallback` called from a foreign thread blocks it only while a
 * synchronous callback runs, and blocking the main thread would stop the
 * cleanup: the callback lives in a Worker that posts the event to the main
 * thread and `Atomics.wait`s (`_console_ffi.ts`, `_console_worker.ts`). The
 * Worker is unref'd: a live one would keep the program from ending.
 *
 * @module
 */

import type { StopEventListener, Unsubscribe } from "../../core/runtime_adapter.ts";
import { _cannotCatch, _hold, _holdLimit } from "../_windows_console.ts";
import type { ConsoleHandlerOptions } from "../_windows_console.ts";
import { _denoHasFfi, _registerWithKernel32, _startDenoHandler } from "./_console_ffi.ts";

const _NO_FFI = "@graceful/shutdown: CTRL_CLOSE, CTRL_LOGOFF and CTRL_SHUTDOWN cannot be " +
  "caught without FFI: run deno with --allow-ffi to clean up on them " +
  "(CTRL_C and CTRL_BREAK still arrive as SIGINT and SIGBREAK)\n";

/**
 * Installs the console control handler. The listener gets CTRL_CLOSE,
 * CTRL_LOGOFF and CTRL_SHUTDOWN, and Windows waits until the promise it
 * returns settles (at most `holdLimitMs`). Call it after the signal
 * listeners are in place. Returns the uninstaller, or `undefined` after one
 * line on stderr when FFI is not allowed. The handler is registered a moment
 * later, once its worker has started.
 */
export function installConsoleHandler(
  listener: StopEventListener,
  options: ConsoleHandlerOptions,
): Unsubscribe | undefined {
  const holdLimitMs = _holdLimit(options.holdLimitMs);
  if (!_denoHasFfi()) {
    options.writeStderr(_NO_FFI);
    return undefined;
  }
  return _install(listener, holdLimitMs, _registerWithKernel32, options);
}

/**
 * For tests only: {@linkcode installConsoleHandler} with `register` standing
 * in for kernel32. It gets the HandlerRoutine pointer, which a test can call
 * from a native thread of its own, on any OS.
 */
export function _installDenoHandlerForTests(
  listener: StopEventListener,
  options: ConsoleHandlerOptions,
  register: (pointer: Deno.PointerObject) => Unsubscribe,
): Unsubscribe {
  return _install(listener, _holdLimit(options.holdLimitMs), register, options);
}

function _install(
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
