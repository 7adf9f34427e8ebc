/**
 * The types of `drain()`: its options, its counts and the handle it returns.
 * Types only: nothing here is loaded when a program runs.
 *
 * @module
 */

import type { ShutdownController } from "../core/shutdown_controller.ts";
import type { DrainSocket } from "./_drain_sockets.ts";

export type { DrainSocket };

/**
 * Options for `drain()`.
 *
 * @example
 * ```ts
 * import type { DrainOptions } from "@graceful/shutdown";
 *
 * // Behind a Kubernetes Service: serve 5 s more after SIGTERM, then 10 s to finish.
 * const options: DrainOptions = { name: "api", drainDelayMs: 5_000, timeoutMs: 10_000 };
 * console.log(options.drainDelayMs);
 * ```
 */
export interface DrainOptions {
  /** The controller whose shutdown drains the server. @default {shutdown} */
  controller?: ShutdownController;
  /** The step's name in the report. @default {"http server"} */
  name?: string;
  /**
   * How long to keep serving after the shutdown was requested, in ms, before
   * the server stops accepting. Behind a Kubernetes Service set it to ~5 s:
   * endpoint removal lags SIGTERM, so new requests keep coming for a while.
   * @default {0}
   */
  drainDelayMs?: number;
  /**
   * How long in-flight requests may take once the server stopped accepting,
   * in ms; then what is left is closed (streams cut, HTTP/2 streams reset)
   * and the step's outcome is `"cut"`. Drains of one controller stop together,
   * so several servers take one `timeoutMs`. `Infinity` leaves it to the
   * shutdown's deadline. @default {10_000}
   */
  timeoutMs?: number;
  /**
   * For `Deno.serve()` and `Bun.serve()`: the handler given to the server,
   * wrapped by {@linkcode drainable}, so the drain can count requests, say
   * `Connection: close` and (on Deno) cut streams.
   */
  handler?: unknown;
}

/**
 * Counts of one drain, read through {@linkcode DrainHandle.stats}.
 *
 * @example
 * ```ts
 * import type { DrainStats } from "@graceful/shutdown";
 *
 * function describe(stats: DrainStats): string {
 *   return `${stats.phase}: ${stats.served} served, ${stats.cut} cut, ${stats.active} active`;
 * }
 * console.log(describe({
 *   phase: "closed",
 *   active: 0,
 *   inFlight: 2,
 *   served: 2,
 *   cut: 0,
 *   webSockets: 0,
 *   tracked: true,
 * }));
 * ```
 */
export interface DrainStats {
  /** `"serving"`, `"delaying"` (drainDelayMs), `"draining"`, or `"closed"`. */
  readonly phase: "serving" | "delaying" | "draining" | "closed";
  /** Requests being handled now. */
  readonly active: number;
  /** Requests in flight when the server stopped accepting. */
  readonly inFlight: number;
  /** Requests answered to the end since the shutdown was requested. */
  readonly served: number;
  /** Requests cut at `timeoutMs` or by the deadline. */
  readonly cut: number;
  /**
   * WebSockets closed with 1001: those registered with
   * {@linkcode DrainHandle.track}, and on `Bun.serve()` those the server has.
   */
  readonly webSockets: number;
  /**
   * False when the requests cannot be seen (a `Deno.serve()` server without
   * a {@linkcode drainable} handler): the counts then stay 0.
   */
  readonly tracked: boolean;
}

/**
 * What `drain()` returns: dispose it to unregister the drain.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { drain, ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * using controller = new ShutdownController({ runtime: new FakeRuntime() });
 * const server = createServer((_req, res) => res.end("hello"));
 * using handle = drain(server, { controller }); // disposed: the drain is unregistered
 * console.log(handle.stats.phase); // "serving"
 * ```
 */
export interface DrainHandle extends Disposable {
  /** The drain's counts so far. */
  readonly stats: DrainStats;
  /**
   * Registers a WebSocket for the drain to close with 1001 ("going away",
   * reason `server shutting down`) when it closes what is left, at
   * `timeoutMs` or the deadline (on `Deno.serve()`: when it stops accepting,
   * since Deno closes upgraded sockets then). Needed for sockets the server
   * object does not know: a `ws` server on node:http, Deno's
   * `upgradeWebSocket()` (for the count and the reason). `Bun.serve()`
   * WebSockets need none: the server closes them with 1001 itself. A socket
   * is forgotten once it closes (when it tells: `addEventListener` or
   * `once`) or when the returned Disposable is disposed.
   *
   * @param socket The socket: anything with `close(code, reason)`.
   * @returns A Disposable that forgets the socket.
   */
  track(socket: DrainSocket): Disposable;
}
