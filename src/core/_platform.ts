// What the core knows of the platform it runs on, in one place: the map of
// signals, console events and exit statuses (the numbers behind `128 + n`,
// which signals each OS delivers, what a console event stands for), what each
// OS family decides about a shutdown (`OsPolicy`), and the clock borrowed from
// the runtime adapter with a timer that honours any delay. The adapters, the
// fake runtime, the controller and the exit decision all read it from here.

import type { ConsoleEvent, OsFamily, OsPolicy, StopEvent, StopSignal } from "./runtime_adapter.ts";
import type { ShutdownCause } from "./types.ts";

// Linux numbers; the BSDs and macOS differ only in SIGUSR2 (31) among these.
const _NUMBERS: Record<StopSignal, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGTERM: 15,
  SIGBREAK: 21,
  SIGUSR2: 12,
  SIGALRM: 14,
  SIGXCPU: 24,
};

/**
 * The exit status a shell reports for death by `signal`: `128 + n`.
 * `platform`: the OS as `process.platform` names it, for the one number
 * that differs (SIGUSR2 is 31 off Linux).
 */
export function _statusFor(signal: StopSignal, platform = "linux"): number {
  if (signal === "SIGUSR2" && platform !== "linux") return 128 + 31;
  return 128 + _NUMBERS[signal];
}

/** Every stop signal name the library knows. */
export const _STOP_SIGNALS = Object.keys(_NUMBERS) as readonly StopSignal[];

/**
 * Signals a program may not choose, and why: the `signals` option's error
 * says so rather than "unknown".
 */
export const _REFUSED_SIGNALS: Readonly<Record<string, string>> = {
  SIGKILL: "it cannot be caught",
  SIGSTOP: "it cannot be caught",
  SIGUSR1: "it is reserved for the debugger (Node and Deno open their inspector on it)",
  SIGSEGV: "it reports a crash, not a stop request",
  SIGILL: "it reports a crash, not a stop request",
  SIGFPE: "it reports a crash, not a stop request",
  SIGBUS: "it reports a crash, not a stop request",
};

/**
 * The signals a controller listens to: `chosen` (the `signals` option) as
 * far as the runtime can deliver them here, or the runtime's own list. On
 * Windows only the runtime's own list can arrive; SIGBREAK exists there only;
 * an adapter that lists none (a worker's) listens to none.
 */
export function _listenedSignals(
  os: OsFamily,
  deliverable: readonly StopSignal[],
  chosen: readonly StopSignal[] | undefined,
): readonly StopSignal[] {
  if (chosen === undefined) return deliverable;
  if (os === "windows" || deliverable.length === 0) {
    return chosen.filter((signal) => deliverable.includes(signal));
  }
  return chosen.filter((signal) => signal !== "SIGBREAK");
}

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
 * The stop signals Deno delivers on Windows: it maps console close to SIGHUP
 * and logoff and shutdown to SIGTERM, but returns at once (no grace).
 */
export const _DENO_WINDOWS_SIGNALS: readonly StopSignal[] = [
  "SIGINT",
  "SIGBREAK",
  "SIGHUP",
  "SIGTERM",
];

/**
 * The event a signal stands for. On Windows the runtimes turn console close
 * into SIGHUP: it is a close, not a reload request, so it is delivered as
 * CTRL_CLOSE (and `terminateOnHup` does not apply to it).
 */
export function _eventFor(os: OsFamily, signal: StopSignal): StopEvent {
  if (os === "windows" && signal === "SIGHUP") return { kind: "console", event: "CTRL_CLOSE" };
  return { kind: "signal", signal };
}

/** The signal whose status an event's shutdown ends with. */
export function _signalOf(event: StopEvent): StopSignal {
  if (event.kind === "signal") return event.signal;
  switch (event.event) {
    case "CTRL_C":
      return "SIGINT";
    case "CTRL_BREAK":
      return "SIGBREAK";
    case "CTRL_CLOSE":
      return "SIGHUP";
    default:
      return "SIGTERM";
  }
}

/** The cause a stop event gives a shutdown. */
export function _causeOf(event: StopEvent): ShutdownCause {
  return event.kind === "signal"
    ? { kind: "signal", signal: event.signal }
    : { kind: "console", event: event.event };
}

/** True for SIGHUP as a signal: a reload request that may also mean "stop". */
export function _isHangup(event: StopEvent): boolean {
  return event.kind === "signal" && event.signal === "SIGHUP";
}

/** True for a console logoff, which services ignore. */
export function _isLogoff(event: StopEvent): boolean {
  return event.kind === "console" && event.event === "CTRL_LOGOFF";
}

// What each OS family decides about a shutdown (see `OsPolicy`). Shared by the
// real adapters and the fake one so they cannot drift apart.

/** The largest delay a JavaScript timer honours: 2^31 − 1 ms (a signed 32-bit int). */
export const _MAX_TIMER_MS = 2_147_483_647;

const _POSIX: OsPolicy = {
  defaultBudgetMs: 89_500,
  canReraise: true,
  holdsConsoleEvents: false,
  holdMarginMs: 0,
};

const _WINDOWS: OsPolicy = {
  defaultBudgetMs: 4_500,
  canReraise: false,
  holdsConsoleEvents: true,
  // The default hold limit is then 4.75 s: still under Windows' 5 s.
  holdMarginMs: 250,
};

/** The policy of an OS family. */
export function _osPolicy(os: OsFamily): OsPolicy {
  return os === "windows" ? _WINDOWS : _POSIX;
}

// The clock and timers the core borrows from its runtime adapter, and a timer
// that honours any delay: JavaScript timers overflow past 2^31 − 1 ms and
// fire after 1 ms, so a longer delay is waited out in steps.

/** The clock and timers the core needs: a part of `RuntimeAdapter`. */
export interface _Clock {
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * Settles after `turns` promise turns: after the microtasks queued before it
 * (and the ones those queue, that many deep), before any task or timer.
 */
export function _turnsLater(turns: number): Promise<void> {
  let turn: Promise<void> = Promise.resolve();
  for (let i = 0; i < turns; i++) turn = turn.then();
  return turn;
}

/** A timer of any length; `cancel()` is safe to call twice. */
export interface _Timer {
  cancel(): void;
}

/** Calls `callback` after `ms` (any finite length, counted on `clock`). */
export function _setTimer(clock: _Clock, callback: () => void, ms: number): _Timer {
  const at = clock.now() + Math.max(0, ms);
  let handle: unknown;
  const arm = (): void => {
    const left = at - clock.now();
    handle = left > _MAX_TIMER_MS
      ? clock.setTimer(arm, _MAX_TIMER_MS)
      : clock.setTimer(callback, Math.max(0, left));
  };
  arm();
  return { cancel: () => clock.clearTimer(handle) };
}
