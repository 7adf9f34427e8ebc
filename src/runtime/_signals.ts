// What the adapters share about signals: the numbers behind the `128 + n`
// exit status, the POSIX set, and how a signal reads on Windows.

import type { ConsoleEvent, OsFamily, StopEvent, StopSignal } from "./types.ts";

const _NUMBERS: Record<StopSignal, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGTERM: 15,
  SIGBREAK: 21,
};

/** The exit status a shell reports for death by `signal`: `128 + n`. */
export function _statusFor(signal: StopSignal): number {
  return 128 + _NUMBERS[signal];
}

/** Every stop signal name the library knows. */
export const _STOP_SIGNALS = Object.keys(_NUMBERS) as readonly StopSignal[];

/** Every Windows console event name the library knows. */
export const _CONSOLE_EVENTS: readonly ConsoleEvent[] = [
  "CTRL_C",
  "CTRL_BREAK",
  "CTRL_CLOSE",
  "CTRL_LOGOFF",
  "CTRL_SHUTDOWN",
];

/** The stop signals a POSIX system delivers. */
export const _POSIX_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP"];

/**
 * The stop signals libuv (Node, Bun) delivers on Windows: Ctrl-C as SIGINT,
 * Ctrl-Break as SIGBREAK, console close as SIGHUP; logoff and shutdown never
 * reach a libuv program.
 */
export const _LIBUV_WINDOWS_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGBREAK", "SIGHUP"];

/**
 * The event a signal stands for. On Windows the runtimes turn console close
 * into SIGHUP: it is a close, not a reload request, so it is delivered as
 * CTRL_CLOSE (and `terminateOnHup` does not apply to it).
 */
export function _eventFor(os: OsFamily, signal: StopSignal): StopEvent {
  if (os === "windows" && signal === "SIGHUP") return { kind: "console", event: "CTRL_CLOSE" };
  return { kind: "signal", signal };
}
