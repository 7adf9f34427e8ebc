// src/servers/: the server integration. `drain()` and its options,
// `drainable()`, `readiness()`, and the private `_drain_*` files that adapt
// Node's http/https/http2 servers, fetch-style servers and raw sockets. It
// imports the core's public surface and its shared helpers (src/core/) only;
// nothing in the core or in another integration imports it.

/**
 * `drain()`: a web server stops without dropping a request, as one step of
 * the shutdown.
 *
 * @module
 */

import type { ShutdownController } from "../core/shutdown_controller.ts";
import { shutdown } from "../core/shutdown_controller.ts";
import {
  _checkKnownKeys,
  _checkMs,
  _checkOptionalString,
  _checkOptions,
  _show,
} from "../core/_options.ts";
import { _newCounts, _trackerOf } from "./drainable.ts";
import type { _EarlyNode } from "./_drain_types.ts";
import type { _NodeServer } from "./_drain_node.ts";
import type { DrainSocket } from "./_drain_sockets.ts";
import type { _DrainParts, _DrainSetup } from "./_drain_run.ts";

import type { DrainHandle, DrainOptions, DrainStats } from "./drain_options.ts";

export type { DrainHandle, DrainOptions, DrainSocket, DrainStats };

const _KNOWN = ["controller", "name", "drainDelayMs", "timeoutMs", "handler"] as const;
const _draining = new WeakSet<object>();
/** Per controller, how to start each of its drains' stop: the first drain step starts them all. */
const _groups = new WeakMap<object, Set<(signal: AbortSignal) => void>>();

/**
 * Drains a server as one step of the shutdown (last registered first, with
 * the hooks; named in the report). From the shutdown request on, responses
 * say `Connection: close`; the server keeps serving for `drainDelayMs`, then
 * stops accepting, closes idle and never-used connections at once and lets
 * in-flight requests finish; at `timeoutMs` or the deadline it closes what is
 * left. A health route reads `controller.requested` (see `readiness()`).
 *
 * Servers: what `Deno.serve()` returns, what `Bun.serve()` returns, and
 * `node:http` / `node:https` / `node:http2` servers on any of the three
 * runtimes (Express: what `app.listen()` returns; Fastify: `fastify.server`,
 * also with `http2: true`; Hono's node server: what `serve()` returns). An
 * HTTP/2 session gets a GOAWAY at the stop instead of `Connection: close`.
 * Drains of one controller stop accepting together. A request cut makes the
 * step's outcome `"cut"`. Call it right after creating the server.
 *
 * @example node:http
 * ```ts
 * import { createServer } from "node:http";
 * import { drain, ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * // A real program leaves out `controller` (the process-wide `shutdown`);
 * // here a fake runtime records the exit instead of ending the process.
 * const controller = new ShutdownController({ runtime: new FakeRuntime() });
 * const server = createServer((_req, res) => res.end("hello"));
 * server.listen(0, "127.0.0.1");
 * const drained = drain(server, { controller, drainDelayMs: 0, timeoutMs: 5_000 });
 * controller.request("deploy");
 * await controller.done;
 * console.log(drained.stats.phase); // "closed"
 * ```
 *
 * @param server The server to drain.
 * @param options Controller, name, delay, timeout and (fetch-style servers) handler.
 * @returns A handle with the counts; dispose it to unregister the drain.
 * @throws {TypeError} When `server` is not a server this function knows, or an option is invalid.
 * @throws {RangeError} When a time is negative or not finite.
 */
export function drain(server: object, options?: DrainOptions): DrainHandle {
  _checkOptions("drain() options", options);
  _checkKnownKeys("drain() options", options, _KNOWN);
  const controller = options?.controller ?? shutdown;
  if (typeof (controller as Partial<ShutdownController>)?.onShutdown !== "function") {
    throw new TypeError(`controller must be a ShutdownController, got ${_show(controller)}`);
  }
  const name = _checkOptionalString("name", options?.name) ?? "http server";
  const drainDelayMs = _checkMs("drainDelayMs", options?.drainDelayMs ?? 0);
  const timeoutMs = options?.timeoutMs === Infinity
    ? Infinity
    : _checkMs("timeoutMs", options?.timeoutMs ?? 10_000);
  const kind = _kindOf(server);
  const tracker = _trackerOf(options?.handler);
  if (options?.handler !== undefined) {
    if (tracker === undefined) {
      throw new TypeError(
        `handler must be a fetch handler wrapped by drainable(), got ${_show(options.handler)}`,
      );
    }
    if (kind === "node") {
      throw new TypeError("handler is for Deno.serve() and Bun.serve() servers only");
    }
    if (tracker.linked) throw new TypeError("handler is already used by another drain()");
  }
  if (_draining.has(server)) throw new TypeError("this server is already drained by drain()");

  const counts = kind === "deno" ? tracker?.counts ?? _newCounts(false) : _newCounts(true);
  const state: _DrainSetup["state"] = { phase: "serving", requestedAt: -1 };
  // The rest of the code loads now, in the background; a node:http server is
  // followed from the call on meanwhile, so no socket or request is missed.
  const early = kind === "node" ? _followEarly(server as _NodeServer) : undefined;
  const setup: _DrainSetup = { kind, tracker, counts, early, drainDelayMs, timeoutMs, state };
  let parts: _DrainParts | undefined;
  let disposed = false;
  const queued: { socket: DrainSocket; real?: Disposable; gone: boolean }[] = [];
  const loaded = import("./_drain_run.ts").then(({ _drainParts }) => {
    if (disposed) return undefined;
    parts = _drainParts(server, setup);
    if (state.phase !== "serving") parts.target.closing();
    for (const entry of queued.splice(0)) {
      if (!entry.gone) entry.real = parts.sockets.track(entry.socket);
    }
    return parts;
  });
  // A failed load surfaces in the step; no unhandled rejection before it.
  loaded.catch(() => {});
  // Drains of one shutdown stop together: each step still waits for its own
  // server (and shows it in the report), but they all stop accepting at the
  // first one, so the whole takes one timeoutMs, not one per server.
  const group = _groups.get(controller) ?? new Set();
  _groups.set(controller, group);
  const begin = (signal: AbortSignal): void => {
    if (parts !== undefined) parts.begin(signal);
    else void loaded.then((loadedParts) => loadedParts?.begin(signal), () => {});
  };
  let registration: Disposable;
  try {
    registration = controller.onShutdown(async (context) => {
      for (const other of group) other(context.signal);
      await (parts ?? await loaded)?.run(context);
    }, { name });
  } catch (error) {
    disposed = true;
    early?.stop();
    throw error;
  }
  const onRequested = (): void => {
    state.requestedAt = performance.now();
    state.phase = "delaying";
    parts?.target.closing();
  };
  if (tracker !== undefined) tracker.linked = true;
  _draining.add(server);
  group.add(begin);
  const signal = controller.signal;
  if (signal.aborted) onRequested();
  else signal.addEventListener("abort", onRequested, { once: true });

  return {
    get stats(): DrainStats {
      parts?.target.refresh?.();
      const { active, inFlight, served, cut, webSockets, tracked } = counts;
      return { phase: state.phase, active, inFlight, served, cut, webSockets, tracked };
    },
    track(socket: DrainSocket): Disposable {
      _checkSocket(socket);
      if (parts !== undefined) return parts.sockets.track(socket);
      const entry: (typeof queued)[number] = { socket, gone: false };
      queued.push(entry);
      return {
        [Symbol.dispose](): void {
          entry.gone = true;
          entry.real?.[Symbol.dispose]();
        },
      };
    },
    [Symbol.dispose](): void {
      if (disposed) return;
      disposed = true;
      registration[Symbol.dispose]();
      group.delete(begin);
      signal.removeEventListener("abort", onRequested);
      if (parts !== undefined) parts.target.dispose();
      else early?.stop();
      parts = undefined;
      if (tracker !== undefined) tracker.linked = false;
      _draining.delete(server);
    },
  };
}

function _kindOf(server: unknown): "node" | "deno" | "bun" {
  const s = server as Record<string, unknown> | null;
  if (typeof s === "object" && s !== null) {
    // What Deno.serve() returns, what Bun.serve() returns, a node:http(s) server.
    if (typeof s.shutdown === "function" && "finished" in s) return "deno";
    if (typeof s.stop === "function" && "pendingRequests" in s && "upgrade" in s) return "bun";
    if (
      typeof s.close === "function" &&
      // node:http(s), or node:http2 (`updateSettings()`; no closeIdleConnections() without TLS)
      (typeof s.closeIdleConnections === "function" || typeof s.updateSettings === "function") &&
      typeof s.on === "function" && typeof s.removeListener === "function" && "listening" in s
    ) return "node";
  }
  const what = typeof server === "function"
    ? `${_show(server)} (an app? pass the server that listen() returns)`
    : server === null || typeof server !== "object"
    ? _show(server)
    : `an object with keys ${_show(Object.keys(server).slice(0, 8))}`;
  throw new TypeError(
    `drain() needs what Deno.serve() or Bun.serve() returns, or a node:http/https server, ` +
      `got ${what}`,
  );
}

/** The sockets and requests of a node:http server, until drain()'s code takes over. */
function _followEarly(server: _NodeServer): _EarlyNode {
  type Closing = { once(event: "close", listener: () => void): unknown };
  const sockets = new Set<Closing>();
  const requests = new Map<Closing, unknown>();
  // A WebSocket upgraded before the code loads (a client that connects at
  // once) must be known as one, or the stop would take it for an idle socket.
  const upgraded = new Set<Closing>();
  // HTTP/2 sessions and streams opened before the code loads (a client that
  // connects at once): drained and counted like the later ones.
  const sessions = new Set<Closing>();
  const streams = new Set<Closing>();
  const onSession = (session: Closing): void => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  };
  const onStream = (stream: Closing): void => {
    streams.add(stream);
    stream.once("close", () => streams.delete(stream));
  };
  const event = server.addContext === undefined ? "connection" : "secureConnection";
  const onConnection = (socket: Closing): void => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const onRequest = (request: unknown, response: Closing): void => {
    requests.set(response, request);
    response.once("close", () => requests.delete(response));
  };
  const onUpgrade = (_request: unknown, socket: Closing): void => {
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
  };
  // Listened to only while the user listens too, as drain()'s code does:
  // with no listener, Node answers an upgrade request as a plain request.
  let upgrades = false;
  const onNewListener = (name: string): void => {
    if (name !== "upgrade" || upgrades) return;
    upgrades = true;
    (server.prependListener ?? server.on).call(server, "upgrade", onUpgrade);
  };
  const onRemoveListener = (name: string): void => {
    if (name !== "upgrade" || !upgrades || server.listenerCount?.("upgrade") !== 1) return;
    upgrades = false;
    server.removeListener("upgrade", onUpgrade);
  };
  if ((server.listenerCount?.("upgrade") ?? 0) > 0) onNewListener("upgrade");
  server.on("newListener", onNewListener);
  server.on("removeListener", onRemoveListener);
  server.on(event, onConnection);
  (server.prependListener ?? server.on).call(server, "request", onRequest);
  server.on("session", onSession);
  server.on("stream", onStream);
  return {
    sockets,
    requests,
    upgraded,
    sessions,
    streams,
    stop(): void {
      server.removeListener("session", onSession);
      server.removeListener("stream", onStream);
      server.removeListener("newListener", onNewListener);
      server.removeListener("removeListener", onRemoveListener);
      if (upgrades) server.removeListener("upgrade", onUpgrade);
      upgrades = false;
      server.removeListener(event, onConnection);
      server.removeListener("request", onRequest);
    },
  };
}

/** What DrainHandle.track() accepts: anything with close(code, reason). */
function _checkSocket(socket: unknown): void {
  if (
    typeof socket !== "object" || socket === null ||
    typeof (socket as Partial<DrainSocket>).close !== "function"
  ) {
    throw new TypeError(
      `track() needs a WebSocket (an object with close(code, reason)), got ${_show(socket)}`,
    );
  }
}
