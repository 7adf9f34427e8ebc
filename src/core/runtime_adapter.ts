/**
 * The one interface every runtime adapter implements. The core only ever talks
 * to the process through it, so the core stays pure and a fake can stand in;
 * the adapters (`src/runtime/<runtime>/`) implement it, the core never
 * imports them.
 *
 * @module
 */

/**
 * A POSIX-style stop signal the library can listen for: by default the first
 * five; `SIGUSR2` (nodemon's restart), `SIGALRM` and `SIGXCPU` (a CPU-time
 * limit, before SIGKILL) when a program lists them in the `signals` option.
 *
 * @example
 * ```ts
 * import type { StopSignal } from "@graceful/shutdown";
 *
 * const signals: StopSignal[] = ["SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP", "SIGBREAK"];
 * console.log(signals.length);
 * ```
 */
export type StopSignal =
  | "SIGINT"
  | "SIGTERM"
  | "SIGQUIT"
  | "SIGHUP"
  | "SIGBREAK"
  | "SIGUSR2"
  | "SIGALRM"
  | "SIGXCPU";

/**
 * A Windows console control event.
 *
 * @example
 * ```ts
 * import type { ConsoleEvent } from "@graceful/shutdown";
 *
 * // Windows ends the process soon after these three: the library holds it for the shutdown.
 * const fatal: ConsoleEvent[] = ["CTRL_CLOSE", "CTRL_LOGOFF", "CTRL_SHUTDOWN"];
 * console.log(fatal.length);
 * ```
 */
export type ConsoleEvent =
  | "CTRL_C"
  | "CTRL_BREAK"
  | "CTRL_CLOSE"
  | "CTRL_LOGOFF"
  | "CTRL_SHUTDOWN";

/**
 * What the operating system (or a fake) delivered to ask the process to stop.
 *
 * @example
 * ```ts
 * import type { StopEvent } from "@graceful/shutdown/runtime";
 *
 * const name = (event: StopEvent) => event.kind === "signal" ? event.signal : event.event;
 * console.log(name({ kind: "console", event: "CTRL_CLOSE" })); // "CTRL_CLOSE"
 * ```
 */
export type StopEvent =
  | { readonly kind: "signal"; readonly signal: StopSignal }
  | { readonly kind: "console"; readonly event: ConsoleEvent };

/**
 * Called by an adapter for every stop event. The returned promise, when there is
 * one, settles once the process may be ended: a Windows console handler holds
 * its thread until then, because Windows ends the process when it returns.
 *
 * @example
 * ```ts
 * import type { StopEventListener } from "@graceful/shutdown/runtime";
 *
 * // What an adapter's addStopListener() calls (the controller passes one).
 * const listener: StopEventListener = (event) => console.log(event.kind);
 * listener({ kind: "signal", signal: "SIGTERM" });
 * ```
 */
export type StopEventListener = (event: StopEvent) => void | Promise<void>;

/**
 * Which of the two uncaught-error paths fired.
 *
 * @example
 * ```ts
 * import type { UncaughtKind } from "@graceful/shutdown/runtime";
 *
 * const kind: UncaughtKind = "rejection"; // an unhandled promise rejection
 * console.log(kind);
 * ```
 */
export type UncaughtKind = "exception" | "rejection";

/**
 * The operating system family, as far as shutdown behaviour is concerned.
 *
 * @example
 * ```ts
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 * import type { OsFamily } from "@graceful/shutdown/runtime";
 *
 * const os: OsFamily = new FakeRuntime({ os: "windows" }).os;
 * console.log(os); // "windows"
 * ```
 */
export type OsFamily = "windows" | "posix";

/**
 * What the operating system decides about a shutdown, handed to the core by
 * the adapter so the core never asks which OS it runs on.
 *
 * @example
 * ```ts
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 * import type { OsPolicy } from "@graceful/shutdown/runtime";
 *
 * const policy: OsPolicy = new FakeRuntime({ os: "windows" }).policy;
 * console.log(policy.defaultBudgetMs, policy.canReraise); // 4500 false
 * ```
 */
export interface OsPolicy {
  /**
   * The default scope budget and shutdown deadline, in ms: 89 500 on Unix
   * (systemd's `TimeoutStopSec` defaults to 90 s before SIGKILL: half a second
   * is left to exit), 4 500 on Windows (Windows ends a console program 5 s
   * after a console close, logoff or shutdown event).
   */
  readonly defaultBudgetMs: number;
  /**
   * Whether the process can end by re-raising the signal it got. False on
   * Windows, where a "kill" is `TerminateProcess(h, 1)`: the exit status is
   * then `128 + n`, given explicitly.
   */
  readonly canReraise: boolean;
  /**
   * Whether console events are held open for the listener (Windows): then the
   * listeners stay installed until the exit was asked for, since uninstalling
   * releases the hold and Windows would end the process its own way first.
   */
  readonly holdsConsoleEvents: boolean;
  /**
   * How much longer than the shutdown deadline a held console event may be
   * held, in ms, so the controller's own forced exit (report, status) comes
   * before the hold limit lets Windows end the process.
   */
  readonly holdMarginMs: number;
}

/**
 * Options for {@linkcode RuntimeAdapter.addStopListener}.
 *
 * @example
 * ```ts
 * import type { StopListenerOptions } from "@graceful/shutdown/runtime";
 *
 * // How long a Windows console handler may hold its thread for the shutdown.
 * const options: StopListenerOptions = { holdLimitMs: 4_750 };
 * console.log(options.holdLimitMs);
 * ```
 */
export interface StopListenerOptions {
  /** How long Windows may be kept waiting on a console close, logoff or shutdown, in ms. */
  holdLimitMs?: number;
}

/**
 * Options for {@linkcode RuntimeAdapter.dieBy}.
 *
 * @example
 * ```ts
 * import type { DieOptions } from "@graceful/shutdown/runtime";
 *
 * const options: DieOptions = { withinMs: 2_000 }; // another listener may end it first
 * console.log(options.withinMs);
 * ```
 */
export interface DieOptions {
  /**
   * How long, in ms, another listener of the signal (the program's own, or
   * another library's) may keep the process going before it ends with
   * `128 + n`: the rest of the shutdown's deadline. Default 0: at once.
   */
  withinMs?: number;
  /**
   * Told one line when the end is left to another listener (which signal,
   * until when), so a process that waits on it does not wait silently.
   */
  say?(line: string): void;
}

/**
 * The end a shutdown asks for: a code to exit with, or a signal to die by.
 *
 * @example
 * ```ts
 * import type { ProcessEnd } from "@graceful/shutdown/runtime";
 *
 * const end: ProcessEnd = { signal: "SIGTERM" }; // as the report's `exit`
 * console.log(end.signal);
 * ```
 */
export interface ProcessEnd {
  /** The exit code, when the process exits with a code. */
  readonly code?: number;
  /** The signal the process dies by. */
  readonly signal?: StopSignal;
}

/**
 * Undoes a subscription.
 *
 * @example
 * ```ts
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 * import type { Unsubscribe } from "@graceful/shutdown/runtime";
 *
 * const runtime = new FakeRuntime();
 * const off: Unsubscribe = runtime.addStopListener(["SIGTERM"], () => undefined);
 * off();
 * console.log(runtime.listenerCount); // 0
 * ```
 */
export type Unsubscribe = () => void;

/**
 * A runtime adapter: maps one runtime's process API onto what the controller
 * needs. Implemented by `denoRuntime()`, `bunRuntime()`, `nodeRuntime()` and
 * `FakeRuntime` (`@graceful/shutdown/testing`).
 *
 * @example Pass a fake adapter to a controller in a unit test
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const runtime = new FakeRuntime();
 * using controller = new ShutdownController({ runtime });
 * runtime.deliver("SIGTERM");
 * ```
 */
export interface RuntimeAdapter {
  /** Short name, for messages: `"deno"`, `"bun"`, `"node"`, `"fake"`. */
  readonly name: string;
  /** The operating system family this process runs on. */
  readonly os: OsFamily;
  /** What the OS decides: default budget, re-raising, console holds. */
  readonly policy: OsPolicy;
  /**
   * True when the adapter acts on the real process, so only one controller may
   * use it at a time across every copy of the library loaded in the process.
   */
  readonly processWide: boolean;
  /** The stop signals this runtime can deliver on this OS. */
  readonly signals: readonly StopSignal[];
  /** A monotonic clock in milliseconds. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimer`. */
  setTimer(callback: () => void, ms: number): unknown;
  /** Cancels a timer made by `setTimer`; a spent or unknown handle is ignored. */
  clearTimer(handle: unknown): void;
  /**
   * Optional: calls `callback` once the process is idle, without keeping it
   * alive (an unref'd timer). The core uses it to prepare the shutdown path
   * while nothing else runs; returns a handle for `clearTimer`.
   */
  whenIdle?(callback: () => void): unknown;
  /**
   * Listens for the given stop signals, and on Windows for console events.
   * `holdLimitMs` caps how long a console close, logoff or shutdown is held
   * open for the listener's promise.
   */
  addStopListener(
    signals: readonly StopSignal[],
    listener: StopEventListener,
    options?: StopListenerOptions,
  ): Unsubscribe;
  /**
   * Listens for the natural end of the program (the event loop ran dry). The
   * listener returns true when it scheduled more work that must run first.
   */
  onNaturalEnd(listener: () => boolean): Unsubscribe;
  /**
   * Listens for uncaught exceptions and unhandled rejections. The listener
   * returns true when it takes over the error (the adapter then suppresses the
   * runtime's default crash); false leaves the runtime's behaviour untouched.
   */
  onUncaught(listener: (error: unknown, kind: UncaughtKind) => boolean): Unsubscribe;
  /** Listens for the synchronous exit of the process (`exit()` called, or the end). */
  onExit(listener: () => void): Unsubscribe;
  /** The exit code the program set (`process.exitCode`, `Deno.exitCode`), if any. */
  exitCode(): number | undefined;
  /** Sets the exit code the process will end with, without ending it. */
  setExitCode(code: number): void;
  /** Ends the process now with `code`. */
  exit(code: number): void;
  /**
   * Ends the process the way `signal` would have without the library: the
   * caller has removed its own listeners; the adapter re-raises the signal, or
   * exits with `128 + n` where that is impossible or another listener would
   * swallow it. When another listener of the signal is left, that listener
   * may end the process within `withinMs` (its status is then 128 + n unless
   * it exits itself); the adapter ends it at that limit.
   */
  dieBy(signal: StopSignal, options?: DieOptions): void;
  /**
   * Writes out what standard output and error still buffer, before `end`
   * (the exit or the re-raise that follows) would drop it; resolves when done
   * or after `withinMs`. Optional: an adapter whose writes are synchronous
   * has nothing to flush.
   */
  flush?(end: ProcessEnd, withinMs: number): Promise<void>;
  /** Prints an uncaught error the way the runtime would have. */
  printUncaught(error: unknown): void;
  /** Writes text to standard error. */
  writeStderr(text: string): void;
  /** True when standard error is an interactive terminal. */
  stderrIsTerminal(): boolean;
  /**
   * Optional; only the worker side of `attach()` implements it. Called when
   * what holds the shutdown back (open scopes, start-ups) may have changed:
   * `holding` says whether anything holds, `latestDeadlineMs()` when the
   * latest holder's budget runs out on `now()`'s clock (Infinity before
   * shutdown is pending). Several calls may come at once: read them lazily.
   */
  holdersChanged?(holding: boolean, latestDeadlineMs: () => number): void;
}
