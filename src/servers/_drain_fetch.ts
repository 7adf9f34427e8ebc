// Drains the servers that `Deno.serve()` and `Bun.serve()` return. Both stop
// accepting, close idle and never-used connections and wait for in-flight
// responses on their own; neither says `Connection: close`, and only Bun's can
// cut a live connection, so a handler wrapped by drainable() does the rest.

import type { _DrainCounts, _DrainTarget, _Tracker } from "./_drain_types.ts";

/** The parts of a `Deno.serve()` server this file uses. */
export interface _DenoServer {
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
}

/** The parts of a `Bun.serve()` server this file uses. */
export interface _BunServer {
  stop(closeActiveConnections?: boolean): Promise<void> | void;
  readonly pendingRequests: number;
  readonly pendingWebSockets?: number;
  upgrade: unknown;
}

/** Drives a `Deno.serve()` server; without a tracker it cannot cut or count. */
export function _denoTarget(server: _DenoServer, tracker: _Tracker | undefined): _DrainTarget {
  const counts = tracker?.counts;
  let stopped: Promise<void> | undefined;
  const shutdown = (): Promise<void> => stopped ??= server.shutdown();
  return {
    closing: () => tracker?.closing(),
    stop(): Promise<void> {
      tracker?.closing();
      if (counts !== undefined) counts.inFlight = counts.active;
      // shutdown() fails a request body still arriving (500, "Cannot read
      // body"): the server stops once those bodies are read ahead.
      return (tracker?.readBodies() ?? Promise.resolve()).then(shutdown, shutdown);
    },
    cut(): void {
      tracker?.cut();
      void shutdown();
    },
    dispose: () => {},
  };
}

/** Drives a `Bun.serve()` server; it counts requests itself, a tracker adds the header. */
export function _bunTarget(
  server: _BunServer,
  tracker: _Tracker | undefined,
  counts: _DrainCounts,
): _DrainTarget {
  // Requests pending when the shutdown was requested (a response still being
  // written is pending too): with those begun since, what was served.
  let pendingAtRequest = -1;
  const closing = (): void => {
    if (pendingAtRequest < 0) pendingAtRequest = server.pendingRequests;
    tracker?.closing();
  };
  return {
    closing,
    stop(): Promise<void> {
      closing();
      counts.inFlight = server.pendingRequests;
      return Promise.resolve(server.stop(false));
    },
    async cut(): Promise<void> {
      counts.cut += server.pendingRequests;
      // stop(true) closes the server's WebSockets with 1001 ("Server closed").
      counts.webSockets += server.pendingWebSockets ?? 0;
      if (tracker !== undefined) {
        // Requests still waiting for their handler are answered 503 first.
        tracker.cut();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      server.stop(true);
    },
    refresh(): void {
      counts.active = server.pendingRequests;
      if (pendingAtRequest < 0) return;
      const ended = pendingAtRequest + (tracker?.begun ?? 0) - server.pendingRequests;
      counts.served = Math.max(counts.served, ended - counts.cut);
    },
    dispose: () => {},
  };
}
