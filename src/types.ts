/**
 * The shapes the public API takes and returns.
 *
 * @module
 */

import type { ConsoleEvent, RuntimeAdapter, StopSignal } from "./runtime_adapter.ts";

/** What started a shutdown. */
export interface ShutdownCause {
  /**
   * `"signal"`: a POSIX signal; `"console"`: a Windows console event;
   * `"request"`: `controller.request()`; `"error"`: an uncaught exception or
   * unhandled rejection; `"end"`: the program ran to its end; `"exit"`: the
   * program called `exit()` itself.
   */
  readonly kind: "signal" | "console" | "request" | "error" | "end" | "exit";
  /** The signal, for `"signal"`. */
  readonly signal?: StopSignal;
  /** The console event, for `"console"`. */
  readonly event?: ConsoleEvent;
  /** The reason given to `request()`, or the uncaught error. */
  readonly reason?: unknown;
}

/** How one hook or service stop ended. */
export type StepOutcome = "ok" | "threw" | "timed-out" | "cut";

/** One hook or service stop in a {@linkcode ShutdownReport}. */
export interface StepReport {
  /** The hook's `name` option or the service's `name`. */
  readonly name: string;
  /** `"ok"`, `"threw"` (threw or rejected), `"timed-out"`, or `"cut"` (skipped or stopped by force). */
  readonly outcome: StepOutcome;
  /** When it started, in ms after the shutdown started; `-1` when it never ran. */
  readonly startMs: number;
  /** How long it ran, in ms. */
  readonly durationMs: number;
  /** What it threw, for `"threw"`. */
  readonly error?: unknown;
  /** The last line the step gave through `context.note()`, e.g. a drain's counts. */
  readonly detail?: string;
}

/** How the process is ended once the report is out. */
export interface ShutdownExit {
  /** The exit code, when the process exits with a code. */
  readonly code?: number;
  /** The signal the process dies by, when it re-raises one. */
  readonly signal?: StopSignal;
}

/** What `controller.done` resolves to. */
export interface ShutdownReport {
  /** What started the shutdown. */
  readonly cause: ShutdownCause;
  /** Every hook and service stop, in the order they ran (cut ones last). */
  readonly steps: readonly StepReport[];
  /** True when the attempts or the deadline forced the end. */
  readonly forced: boolean;
  /** What forced it, when `forced`. */
  readonly forcedBy?: "attempts" | "deadline";
  /** How many stop requests arrived. */
  readonly attempts: number;
  /** The names of the protection scopes still open when force came. */
  readonly openScopes: readonly string[];
  /** When the shutdown started, in ms since the Unix epoch (`Date.now()`). */
  readonly startedAt: number;
  /** From the first request to the report, in ms. */
  readonly durationMs: number;
  /** How the process ends next; empty when the program ends by itself. */
  readonly exit: ShutdownExit;
}

/** What a hook receives. */
export interface ShutdownHookContext {
  /** Aborted when the hook's time is up or the shutdown is forced. */
  readonly signal: AbortSignal;
  /** What started the shutdown. */
  readonly cause: ShutdownCause;
  /**
   * Sets this step's `detail` line in the report (the latest call wins), so
   * that a step that is cut still says how far it got.
   */
  note(text: string): void;
}

/** A function run once at shutdown. It may be async. */
export type ShutdownHook = (context: ShutdownHookContext) => unknown;

/** Options for `controller.onShutdown()`. */
export interface ShutdownHookOptions {
  /** The name in the report; defaults to the function's name. */
  name?: string;
  /** How long the hook may run, in ms, within the shutdown deadline. */
  timeoutMs?: number;
}

/** Options for `controller.protect()`. */
export interface ProtectOptions {
  /** The name in the report and in messages. */
  name?: string;
}

/** A unit that starts before the program works and stops at shutdown. */
export interface Service {
  /** The name in the report. */
  name?: string;
  /** Starts the service; held against stop requests until it settles. */
  start?(): unknown;
  /** Stops the service; never interrupted short of the force rules. */
  stop?(context: ShutdownHookContext): unknown;
  /** How long `stop` may run, in ms, within the shutdown deadline. */
  stopTimeoutMs?: number;
}

/** A line-writer for the library's messages. */
export type ShutdownLog = (message: string) => void;

/** Options for `new ShutdownController()`. */
export interface ShutdownControllerOptions {
  /**
   * The shutdown deadline counted from the first request, in ms; a protection
   * scope opened without a budget gets this less `hookReserveMs`.
   * @default {89_500 on Unix, 4_500 on Windows}
   */
  budgetMs?: number;
  /**
   * The part of `budgetMs` kept for the hooks: a scope opened without a budget
   * of its own gets `budgetMs - hookReserveMs`, so a scope that runs out its
   * budget still leaves the hooks this long before the deadline; a scope with
   * a longer budget pushes the deadline to its end plus this reserve.
   * @default {a tenth of budgetMs: 8_950 on Unix, 450 on Windows}
   */
  hookReserveMs?: number;
  /** The Nth stop request forces the end. @default {3} */
  maxAttempts?: number;
  /** Whether SIGHUP (and console close on Node) asks the process to stop. @default {true} */
  terminateOnHup?: boolean;
  /** Whether CTRL_LOGOFF asks the process to stop; false suits services. @default {true} */
  terminateOnLogoff?: boolean;
  /** Called on SIGHUP, whatever `terminateOnHup` says. */
  onHup?: () => void;
  /** Called right before a forced exit; keep it short. */
  beforeTermination?: () => void;
  /**
   * Where messages go: the first-Ctrl-C notice and the report of a slow or
   * failed shutdown. Defaults to standard error, and to nothing but failures
   * when standard error is not a terminal.
   */
  log?: ShutdownLog;
  /** The runtime adapter; tests pass a fake one. Detected when absent. */
  runtime?: RuntimeAdapter;
}
