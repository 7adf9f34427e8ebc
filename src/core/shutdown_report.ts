/**
 * What a shutdown reports: its cause, each step's outcome, the exit status.
 *
 * @module
 */

import type { ConsoleEvent, StopSignal } from "./runtime_adapter.ts";

/**
 * What started a shutdown.
 *
 * @example
 * ```ts
 * import type { ShutdownCause } from "@graceful/shutdown";
 *
 * function describe(cause: ShutdownCause): string {
 *   if (cause.kind === "signal") return `got ${cause.signal}`;
 *   if (cause.kind === "console") return `console ${cause.event}`;
 *   return cause.kind;
 * }
 * console.log(describe({ kind: "signal", signal: "SIGTERM" })); // "got SIGTERM"
 * ```
 */
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

/**
 * How one hook or service stop ended.
 *
 * @example
 * ```ts
 * import type { StepOutcome } from "@graceful/shutdown";
 *
 * const failed = (outcome: StepOutcome) => outcome !== "ok";
 * console.log(failed("timed-out")); // true
 * ```
 */
export type StepOutcome = "ok" | "threw" | "timed-out" | "cut";

/**
 * One hook or service stop in a {@linkcode ShutdownReport}.
 *
 * @example
 * ```ts
 * import type { StepReport } from "@graceful/shutdown";
 *
 * const line = (step: StepReport) =>
 *   `${step.name}: ${step.outcome} in ${step.durationMs} ms${step.detail ? ` (${step.detail})` : ""}`;
 * console.log(line({ name: "http server", outcome: "ok", startMs: 0, durationMs: 12 }));
 * ```
 */
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

/**
 * How the process is ended once the report is out.
 *
 * @example
 * ```ts
 * import type { ShutdownExit } from "@graceful/shutdown";
 *
 * function describe(exit: ShutdownExit): string {
 *   return exit.signal === undefined ? `exit code ${exit.code}` : `death by ${exit.signal}`;
 * }
 * console.log(describe({ signal: "SIGTERM" })); // "death by SIGTERM"
 * ```
 */
export interface ShutdownExit {
  /** The exit code, when the process exits with a code. */
  readonly code?: number;
  /** The signal the process dies by, when it re-raises one. */
  readonly signal?: StopSignal;
}

/**
 * What `controller.done` resolves to.
 *
 * @example
 * ```ts
 * import { ShutdownController, type ShutdownReport } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const runtime = new FakeRuntime();
 * using controller = new ShutdownController({ runtime });
 * controller.onShutdown(() => undefined, { name: "cache" });
 * controller.request();
 * await runtime.advance(0); // the fake clock moves only when told
 * const report: ShutdownReport = await controller.done;
 * console.log(report.cause.kind, report.forced, report.exit); // "request" false { code: 0 }
 * ```
 */
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
