// The internal contract between drain() and the code that knows one kind of
// server. Counts live in one mutable object that drain() snapshots for users.

/** Counts a server kind keeps up to date while it drains. */
export interface _DrainCounts {
  /** Requests being handled now. */
  active: number;
  /** Requests in flight when the server stopped accepting. */
  inFlight: number;
  /** Requests answered to the end since the shutdown was requested. */
  served: number;
  /** Requests ended by force. */
  cut: number;
  /** WebSockets closed with 1001. */
  webSockets: number;
  /** False when this kind of server cannot see its requests. */
  tracked: boolean;
}

/** One kind of server, as drain() drives it. */
export interface _DrainTarget {
  /** Shutdown requested: responses from now on say `Connection: close`. */
  closing(): void;
  /** Stops accepting and closes idle connections; resolves once nothing is left. */
  stop(): Promise<void>;
  /** Closes what is left (at once, or after answering what waits with 503). */
  cut(): void | Promise<void>;
  /** Brings the counts up to date, for kinds that read them from the server. */
  refresh?(): void;
  /** Removes every listener this target added. */
  dispose(): void;
}

/** What `drain()` reads from a handler made by drainable(). */
export interface _Tracker {
  /** Counts kept for the drain this handler is linked to. */
  readonly counts: _DrainCounts;
  /** Whether a live drain uses it. */
  linked: boolean;
  /** Requests begun since `closing()`. */
  readonly begun: number;
  /** Responses from now on say `Connection: close`. */
  closing(): void;
  /** Ends every stream it returned and answers every pending request with 503. */
  cut(): void;
  /** Reads ahead the request bodies still arriving (Deno); resolves once all are read. */
  readBodies(): Promise<void>;
}

/**
 * What a node:http server did between drain() and the load of its code: the
 * sockets and requests (response -> request) still open, and the sockets
 * handed to an "upgrade" listener (WebSockets).
 */
export interface _EarlyNode {
  readonly sockets: ReadonlySet<unknown>;
  readonly requests: ReadonlyMap<unknown, unknown>;
  readonly upgraded: ReadonlySet<unknown>;
  /** HTTP/2 sessions and streams still open (an HTTP/2 server only). */
  readonly sessions: ReadonlySet<unknown>;
  readonly streams: ReadonlySet<unknown>;
  /** Stops following the server (its code follows it from then on). */
  stop(): void;
}
