/**
 * The shapes of the child processes `adopt()` takes: only what it
 * reads, so a `Deno.ChildProcess`, a Bun `Subprocess` or a `node:child_process`
 * `ChildProcess` fits as it is, with no runtime's types loaded.
 *
 * @module
 */

/**
 * The signals `adopt()` sends: the one that asks a child to stop, and SIGKILL.
 *
 * @example
 * ```ts
 * import type { AdoptSignal } from "@graceful/shutdown";
 *
 * // A Python child stops cleanly on KeyboardInterrupt: adopt(child, { signal }).
 * const signal: AdoptSignal = "SIGINT";
 * console.log(signal);
 * ```
 */
export type AdoptSignal = "SIGTERM" | "SIGINT" | "SIGQUIT" | "SIGHUP" | "SIGKILL";

/**
 * What `new Deno.Command(…).spawn()` returns, as far as `adopt()` uses it.
 *
 * @example
 * ```ts ignore
 * import type { DenoChildProcessLike } from "@graceful/shutdown";
 *
 * const child: DenoChildProcessLike = new Deno.Command("sleep", { args: ["1"] }).spawn();
 * ```
 */
export interface DenoChildProcessLike {
  /** The process id. */
  readonly pid: number;
  /** Settles once the child has exited. */
  readonly status: PromiseLike<unknown>;
  /** Sends a signal. */
  kill(signal: AdoptSignal): void;
}

/**
 * What `Bun.spawn()` returns, as far as `adopt()` uses it.
 *
 * @example
 * ```ts ignore
 * import type { BunSubprocessLike } from "@graceful/shutdown";
 *
 * const child: BunSubprocessLike = Bun.spawn(["sleep", "1"]);
 * ```
 */
export interface BunSubprocessLike {
  /** The process id. */
  readonly pid: number;
  /** Settles once the child has exited. */
  readonly exited: PromiseLike<unknown>;
  /** The exit code once it has exited, else `null`. */
  readonly exitCode: number | null;
  /** The signal that ended it once it has exited, else `null`. */
  readonly signalCode: string | null;
  /** Sends a signal. */
  kill(signal: AdoptSignal): void;
}

/**
 * A `node:child_process` `ChildProcess` (on Node, Deno or Bun), as far as
 * `adopt()` uses it.
 *
 * @example
 * ```ts ignore
 * import { spawn } from "node:child_process";
 * import type { NodeChildProcessLike } from "@graceful/shutdown";
 *
 * const child: NodeChildProcessLike = spawn("sleep", ["1"]);
 * ```
 */
export interface NodeChildProcessLike {
  /** The process id; absent when the child could not be started. */
  readonly pid?: number | undefined;
  /** The exit code once it has exited, else `null`. */
  readonly exitCode: number | null;
  /** The signal that ended it once it has exited, else `null`. */
  readonly signalCode: string | null;
  /** Whether `kill()` has been called successfully. */
  killed: boolean;
  /** Sends a signal; true when it was sent. */
  kill(signal: AdoptSignal): boolean;
  /** Adds an event listener (`"exit"`). */
  on(event: string, listener: () => void): unknown;
  /** Removes an event listener. */
  removeListener(event: string, listener: () => void): unknown;
}

/**
 * Any child process `adopt()` takes.
 *
 * @example
 * ```ts ignore
 * import { spawn } from "node:child_process";
 * import type { AdoptableChild } from "@graceful/shutdown";
 *
 * const child: AdoptableChild = spawn("sleep", ["1"]);
 * ```
 */
export type AdoptableChild = DenoChildProcessLike | BunSubprocessLike | NodeChildProcessLike;
