// Drains a node:http or node:https server (also as Deno and Bun implement
// them). Node's close() alone keeps a connection that is busy at that moment
// alive (its response still says keep-alive) and holds a connection that never
// sent a request until headersTimeout, so this file follows every socket and
// response itself, seen through the server's own events.

import type { _DrainCounts, _DrainTarget, _EarlyNode } from "./_drain_types.ts";
import { _http2Part, _isHttp2 } from "./_drain_http2.ts";

/**
 * How long a connection is kept open after the stop for a request its client
 * may have sent before it could know: after a response that said keep-alive,
 * or from a connection accepted just before the stop.
 */
const _NEXT_REQUEST_MS = 500;

/** The parts of a socket this file uses. */
interface _Socket {
  /** "h2" on a TLS socket that speaks HTTP/2. */
  readonly alpnProtocol?: string | false;
  destroy(): void;
  end(): void;
  once(event: "close", listener: () => void): unknown;
}

/** The parts of a response this file uses. */
interface _Response {
  readonly headersSent: boolean;
  readonly writableFinished?: boolean;
  readonly writableEnded?: boolean;
  setHeader(name: string, value: string): unknown;
  once(event: "finish" | "close", listener: () => void): unknown;
}

/** The parts of a node:http server this file uses. */
export interface _NodeServer {
  readonly listening: boolean;
  close(callback?: (error?: Error) => void): unknown;
  /** Missing on a plain (h2c) node:http2 server. */
  closeIdleConnections?(): void;
  closeAllConnections?(): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  prependListener?(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  listenerCount?(event: string): number;
  addContext?: unknown;
}

/**
 * Follows a node:http server's sockets and responses from construction on,
 * taking over those `early` saw since drain() was called.
 */
export function _nodeTarget(
  server: _NodeServer,
  counts: _DrainCounts,
  early?: _EarlyNode,
): _DrainTarget {
  // socket -> requests being answered on it
  const sockets = new Map<_Socket, number>();
  // sockets handed to an "upgrade" listener (WebSockets): closed at the cut
  const upgraded = new WeakSet<_Socket>();
  // response -> whether it has finished (handed all its bytes to the socket)
  const responses = new Map<_Response, boolean>();
  let closing = false;
  let stopping = false;
  let closed = false;
  let wake: (() => void) | undefined;

  // Sockets kept open a moment after the stop for a request already on its way.
  const held = new Map<_Socket, ReturnType<typeof setTimeout>>();
  // socket -> when its last response that said keep-alive ended
  const keptAlive = new WeakMap<_Socket, number>();
  // Responses whose headers said keep-alive (sent before the shutdown was requested).
  const saidKeepAlive = new WeakSet<_Response>();
  /**
   * Keeps an idle socket open until `until`, so that a request the client
   * sent before it could know (its last response said keep-alive, or it
   * connected just before the stop) is served, saying `Connection: close`;
   * then ends it if it is still idle.
   */
  const hold = (socket: _Socket, until: number): void => {
    clearTimeout(held.get(socket));
    held.set(
      socket,
      setTimeout(() => {
        held.delete(socket);
        if (sockets.get(socket) !== 0) return;
        if (keptAlive.has(socket)) socket.end();
        else socket.destroy();
        if (deferred && !busy()) closeServer();
      }, Math.max(0, until - performance.now())),
    );
  };
  // Whether a response has ended but not yet handed all its bytes to its socket.
  const flushing = (): boolean => {
    for (const [response, finished] of responses) {
      if (!finished && response.writableEnded === true && response.writableFinished !== true) {
        return true;
      }
    }
    return false;
  };
  // Whether the server's own closeIdleConnections() would cut a response or a held socket.
  const busy = (): boolean => held.size > 0 || flushing();
  // node:http as Node implements it: close() reaches closeIdleConnections().
  // (Read at the stop: the list appears once the server listens.)
  const nodeOwn = (): boolean =>
    Object.getOwnPropertySymbols(server).some((symbol) =>
      symbol.description === "http.server.connections"
    );
  let deferred = false;
  let onClosed = (): void => {};
  /** Stops accepting and closes the idle connections the server knows. */
  const closeServer = (): void => {
    deferred = false;
    // Node's closeIdleConnections() (which close() runs too) destroys a
    // socket whose ended response is still being written to a slow reader,
    // truncating it: while one is, only the sockets known idle are closed.
    const closeIdle = server.closeIdleConnections;
    if (closeIdle === undefined) {
      if (server.listening) server.close(onClosed);
      else onClosed();
      return;
    }
    const own = Object.hasOwn(server, "closeIdleConnections");
    server.closeIdleConnections = function (this: _NodeServer): void {
      if (!busy()) closeIdle.call(this);
    };
    try {
      if (server.listening) server.close(onClosed);
      else onClosed();
      // Sockets that connected before drain() was called are not in the map.
      server.closeIdleConnections();
    } finally {
      if (own) server.closeIdleConnections = closeIdle;
      else delete (server as { closeIdleConnections?: unknown }).closeIdleConnections;
    }
  };
  const tlsServer = server.addContext !== undefined;
  // An HTTP/2 server's sessions and streams (its HTTP/1.1 ones are followed here).
  const http2 = _isHttp2(server)
    ? _http2Part(server, counts, () => closing, () => checkDone(), early)
    : undefined;
  const checkDone = (): void => {
    if (stopping && closed && sockets.size === 0 && (http2?.open ?? 0) === 0) wake?.();
  };
  const track = (socket: _Socket): void => {
    if (sockets.has(socket)) return;
    // An HTTP/2 connection (every one, on a server without TLS) is its session's.
    if (http2 !== undefined && (socket.alpnProtocol === "h2" || !tlsServer)) return;
    sockets.set(socket, 0);
    socket.once("close", () => {
      sockets.delete(socket);
      clearTimeout(held.get(socket));
      held.delete(socket);
      checkDone();
    });
    // Connected (or its TLS handshake done) while stopping: accepted before
    // close(), so its request may be on its way. While close() waits
    // (deferred), a connection came after the stop: it is refused.
    if (stopping && deferred) socket.destroy();
    else if (stopping) hold(socket, performance.now() + _NEXT_REQUEST_MS);
  };
  const onConnection = (socket: _Socket): void => track(socket);
  const onRequest = (
    request: { socket: _Socket; httpVersionMajor?: number },
    response: _Response,
  ): void => {
    // An HTTP/2 request (compatibility API): its stream is followed by `http2`.
    if (request.httpVersionMajor === 2) return;
    const socket = request.socket;
    track(socket);
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    counts.active++;
    responses.set(response, false);
    if (closing) response.setHeader("Connection", "close");
    response.once("finish", () => {
      responses.set(response, true);
      if (deferred && !busy()) closeServer();
    });
    response.once("close", () => {
      const finished = responses.get(response) || response.writableFinished === true;
      responses.delete(response);
      counts.active--;
      if (finished && closing) counts.served++;
      const left = (sockets.get(socket) ?? 1) - 1;
      if (sockets.has(socket)) sockets.set(socket, left);
      const keepAlive = !closing || saidKeepAlive.has(response);
      if (keepAlive) keptAlive.set(socket, performance.now());
      if (!stopping || left !== 0) return;
      // Its headers said keep-alive: the client may be sending the next request already.
      if (keepAlive) hold(socket, performance.now() + _NEXT_REQUEST_MS);
      else socket.end();
    });
  };

  // Upgraded sockets are seen through the "upgrade" event, listened to only
  // while the user listens too: with no listener, Node answers an upgrade
  // request as a plain request.
  const onUpgrade = (_request: unknown, socket: _Socket): void => void upgraded.add(socket);
  let upgrades = false;
  const onNewListener = (event: string): void => {
    if (event !== "upgrade" || upgrades) return;
    upgrades = true;
    (server.prependListener ?? server.on).call(server, "upgrade", onUpgrade);
  };
  const onRemoveListener = (event: string): void => {
    if (event !== "upgrade" || !upgrades || server.listenerCount?.("upgrade") !== 1) return;
    upgrades = false;
    server.removeListener("upgrade", onUpgrade);
  };
  // The early follower goes first (all at once, so no event falls between):
  // its own "upgrade" listener must not count as the user's below.
  early?.stop();
  if ((server.listenerCount?.("upgrade") ?? 0) > 0) onNewListener("upgrade");
  server.on("newListener", onNewListener);
  server.on("removeListener", onRemoveListener);

  // A TLS server's requests come on the TLS socket, not the raw one.
  const connectionEvent = server.addContext === undefined ? "connection" : "secureConnection";
  server.on(connectionEvent, onConnection);
  // First, so the header can still be set when the user's handler answers at once.
  (server.prependListener ?? server.on).call(server, "request", onRequest);
  if (early !== undefined) {
    for (const socket of early.upgraded) upgraded.add(socket as _Socket);
    for (const socket of early.sockets) track(socket as _Socket);
    for (const [response, request] of early.requests) {
      onRequest(request as { socket: _Socket }, response as _Response);
    }
  }

  return {
    closing(): void {
      closing = true;
      for (const response of responses.keys()) {
        if (!response.headersSent) response.setHeader("Connection", "close");
        else saidKeepAlive.add(response);
      }
    },
    stop(): Promise<void> {
      this.closing();
      stopping = true;
      counts.inFlight = counts.active;
      const done = new Promise<void>((resolve) => wake = resolve);
      onClosed = (): void => {
        closed = true;
        checkDone();
      };
      const now = performance.now();
      for (const [socket, active] of sockets) {
        if (active !== 0 || upgraded.has(socket)) continue;
        // Idle, but its last response (said keep-alive) ended just now: a request may be coming.
        const last = keptAlive.get(socket) ?? -Infinity;
        if (now - last < _NEXT_REQUEST_MS) hold(socket, last + _NEXT_REQUEST_MS);
        else socket.destroy();
      }
      // Bun's and Deno's close() destroy a socket whose ended response is
      // still being written to a slow reader, truncating it, and the sockets
      // held: there, the server stops accepting once they are done.
      if (nodeOwn() || !busy()) closeServer();
      else deferred = true;
      http2?.stop();
      checkDone();
      return done;
    },
    cut(): void {
      for (const timer of held.values()) clearTimeout(timer);
      held.clear();
      if (deferred) closeServer();
      for (const [response, finished] of responses) {
        if (!finished && response.writableFinished !== true) counts.cut++;
      }
      for (const socket of sockets.keys()) socket.destroy();
      http2?.cut();
      server.closeAllConnections?.();
    },
    dispose(): void {
      for (const timer of held.values()) clearTimeout(timer);
      held.clear();
      server.removeListener("newListener", onNewListener);
      server.removeListener("removeListener", onRemoveListener);
      if (upgrades) server.removeListener("upgrade", onUpgrade);
      server.removeListener(connectionEvent, onConnection);
      server.removeListener("request", onRequest);
      http2?.dispose();
    },
  };
}
