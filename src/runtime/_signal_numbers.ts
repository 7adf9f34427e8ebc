// Signal numbers for the `128 + n` exit status a shell shows after death by a
// signal; used where the signal itself cannot be re-raised.

import type { StopSignal } from "./types.ts";

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

/** The stop signals each OS family delivers. */
export const _POSIX_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP"];
