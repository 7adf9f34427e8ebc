// The WebSockets a drain closes with 1001 ("going away") when it cuts: those the
// user registers through the handle's track(), whatever made them (Deno's
// upgradeWebSocket(), a `ws` server on node:http...), seen only by duck typing.

/**
 * A WebSocket that {@linkcode DrainHandle.track} can close: the standard
 * `WebSocket` (Deno's `upgradeWebSocket()`), a `ws` library socket, Bun's
 * `ServerWebSocket`, or anything with the same `close(code, reason)`.
 */
export interface DrainSocket {
  /** Closes the socket with a close code and reason. */
  close(code?: number, reason?: string): unknown;
  /** 2 (closing) or 3 (closed) once it is closing; read when present. */
  readonly readyState?: number;
  /** Tells when it has closed (standard WebSocket, `ws`). */
  addEventListener?(type: "close", listener: () => void, options?: { once?: boolean }): unknown;
  /** Tells when it has closed (an EventEmitter, e.g. `ws`). */
  once?(event: "close", listener: () => void): unknown;
}

/** The sockets of one drain. */
export interface _Sockets {
  /** Registers a socket (checked by drain()) until it closes or the returned Disposable is disposed. */
  track(socket: DrainSocket): Disposable;
  /** Closes every open socket with 1001; resolves once they all said they closed. */
  closeAll(): Promise<void>;
  /** How many sockets closeAll() has closed. */
  readonly closed: number;
}

const _CLOSING = 2;

/** Makes an empty set of sockets. */
export function _newSockets(): _Sockets {
  const open = new Map<DrainSocket, Promise<void> | undefined>();
  let closed = 0;
  return {
    track(socket: DrainSocket): Disposable {
      const forget = (): void => void open.delete(socket);
      if ((socket.readyState ?? 0) >= _CLOSING) return { [Symbol.dispose]: forget };
      open.set(socket, _closeOf(socket, forget));
      return { [Symbol.dispose]: forget };
    },
    closeAll(): Promise<void> {
      const waits: Promise<void>[] = [];
      for (const [socket, closes] of open) {
        if ((socket.readyState ?? 0) >= _CLOSING) continue;
        try {
          socket.close(1001, "server shutting down");
          closed++;
        } catch {
          // Already gone: nothing to close.
        }
        if (closes !== undefined) waits.push(closes);
      }
      return Promise.all(waits).then(() => {});
    },
    get closed(): number {
      return closed;
    },
  };
}

/** A promise of the socket's close (and `forget` then), when the socket can tell. */
function _closeOf(socket: DrainSocket, forget: () => void): Promise<void> | undefined {
  if (typeof socket.addEventListener === "function") {
    return new Promise((resolve) => {
      socket.addEventListener!("close", () => resolve(forget()), { once: true });
    });
  }
  if (typeof socket.once === "function") {
    return new Promise((resolve) => void socket.once!("close", () => resolve(forget())));
  }
  return undefined;
}
