/**
 * Bun's Windows console handler: a thread-safe `JSCallback` returns at once,
 * letting Windows end the process, so the HandlerRoutine is C compiled by
 * `bun:ffi`'s `cc` that waits on an event object (`_console_cc.ts`). Loaded by
 * the Bun adapter on Windows only.
 *
 * @module
 */

import type { StopEventListener, Unsubscribe } from "../../core/runtime_adapter.ts";
import { _cannotCatch, _hold, _holdLimit } from "../_windows_console.ts";
import type { ConsoleHandlerOptions } from "../_windows_console.ts";
import { _startBunHandler } from "./_console_cc.ts";

/**
 * Installs the console control handler. The listener gets CTRL_CLOSE,
 * CTRL_LOGOFF and CTRL_SHUTDOWN, and Windows waits until the promise it
 * returns settles (at most `holdLimitMs`). Returns the uninstaller, or
 * `undefined` after one line on stderr when it cannot be installed.
 */
export function installConsoleHandler(
  listener: StopEventListener,
  options: ConsoleHandlerOptions,
): Unsubscribe | undefined {
  const holdLimitMs = _holdLimit(options.holdLimitMs);
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
