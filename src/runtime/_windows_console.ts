/**
 * What Deno's and Bun's Windows console handlers share: the event codes, the
 * hold (tell the listener, release the native thread once it settles), the
 * hold limit and the one line printed when the handler cannot be installed.
 * Loaded only on Windows, by the runtime that installs a handler.
 *
 * Why a handler holds (measured; see README, "Windows"):
 * Windows calls it on a thread of its own and ends the process as soon as it
 * returns from CTRL_CLOSE, CTRL_LOGOFF or CTRL_SHUTDOWN (after 5 s at most for
 * console programs). So it holds that thread until the listener's promise
 * settles, or `holdLimitMs` has passed, then returns TRUE. CTRL_C and
 * CTRL_BREAK are left to the runtime, which delivers them as SIGINT and
 * SIGBREAK, so they never arrive twice.
 *
 * @module
 */

import type { ConsoleEvent, StopEventListener } from "../core/runtime_adapter.ts";
import { _MAX_TIMER_MS } from "../core/_platform.ts";

/** Options of a console handler installer. */
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

/** The event codes Windows passes to a HandlerRoutine. */
const _EVENTS: Record<number, ConsoleEvent> = {
  0: "CTRL_C",
  1: "CTRL_BREAK",
  2: "CTRL_CLOSE",
  5: "CTRL_LOGOFF",
  6: "CTRL_SHUTDOWN",
};

/** Tells the listener, then releases the held thread once it has settled. */
export function _hold(listener: StopEventListener, code: number, release: () => void): void {
  let settled: Promise<void>;
  try {
    settled = Promise.resolve(listener({ kind: "console", event: _EVENTS[code] }));
  } catch {
    settled = Promise.resolve();
  }
  settled.then(release, release);
}

/** The one stderr line for a handler that failed to install. */
export function _cannotCatch(error: unknown): string {
  const reason = String(error).replace(/\s+/g, " ").trim();
  return `@graceful/shutdown: CTRL_CLOSE, CTRL_LOGOFF and CTRL_SHUTDOWN cannot be caught: ${reason}\n`;
}

/** Checks a hold limit; the default is 4 500 ms, under Windows' 5 s. */
export function _holdLimit(value: number | undefined): number {
  if (value === undefined) return 4_500;
  if (!Number.isInteger(value) || value < 0 || value > _MAX_TIMER_MS) {
    throw new RangeError(
      `holdLimitMs must be an integer from 0 to ${_MAX_TIMER_MS}, got ${value}`,
    );
  }
  return value;
}
