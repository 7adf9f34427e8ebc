/**
 * The types `FakeRuntime` is made with and reports: its options, and how
 * the controller asked the fake process to end.
 *
 * @module
 */

import type { OsFamily, StopSignal } from "../core/runtime_adapter.ts";

/**
 * Options for `FakeRuntime`.
 *
 * @example
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime, type FakeRuntimeOptions } from "@graceful/shutdown/testing";
 *
 * const options: FakeRuntimeOptions = { os: "windows", terminal: true };
 * const runtime = new FakeRuntime(options);
 * using controller = new ShutdownController({ runtime });
 * console.log(controller.budgetMs); // 4500: the Windows default
 * ```
 */
export interface FakeRuntimeOptions {
  /** Which OS family to pretend to be. @default {"posix"} */
  os?: OsFamily;
  /** Whether standard error pretends to be a terminal. @default {false} */
  terminal?: boolean;
}

/**
 * How the controller asked the fake process to end.
 *
 * @example
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { type FakeExit, FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const runtime = new FakeRuntime();
 * using _controller = new ShutdownController({ runtime });
 * runtime.deliver("SIGTERM");
 * await runtime.advance(0);
 * const exits: FakeExit[] = runtime.exits;
 * console.log(exits); // [{ signal: "SIGTERM" }]
 * ```
 */
export interface FakeExit {
  /** The code given to `exit()`. */
  readonly code?: number;
  /** The signal given to `dieBy()`. */
  readonly signal?: StopSignal;
}
