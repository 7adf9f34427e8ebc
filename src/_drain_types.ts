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
  /** Closes what is left, at once. */
  cut(): void;
  /** Brings the counts up to date, for kinds that read them from the server. */
  refresh?(): void;
  /** Removes every listener this target added. */
  dispose(): void;
}

/** Makes a fresh set of counts. */
export function _newCounts(tracked: boolean): _DrainCounts {
  return { active: 0, inFlight: 0, served: 0, cut: 0, webSockets: 0, tracked };
}

/** What `drain()` reads from a handler made by drainable(). */
export interface _Tracker {
  /** Counts kept for the drain this handler is linked to. */
  readonly counts: _DrainCounts;
  /** Whether a live drain uses it. */
  linked: boolean;
  /** Responses from now on say `Connection: close`. */
  closing(): void;
  /** Ends every stream it returned and answers every pending request with 503. */
  cut(): void;
}

/** Which tracker each handler made by drainable() has. */
export const _TRACKERS: WeakMap<object, _Tracker> = new WeakMap();

/** The tracker behind a handler made by drainable(), if it is one. */
export function _trackerOf(handler: unknown): _Tracker | undefined {
  return typeof handler === "function" ? _TRACKERS.get(handler) : undefined;
}
