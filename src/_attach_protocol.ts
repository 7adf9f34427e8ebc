// The messages between attach() in the parent and the worker side of the
// process-wide `shutdown` (src/runtime/worker/mod.ts). Only the handshake goes
// through the worker's own channel, tagged so the worker side can take it out
// before any handler of the program's sees it; everything after goes through
// the MessagePort that the handshake carries.

import type { StopEvent } from "./runtime_adapter.ts";

/** The key that marks the handshake. */
export const _HANDSHAKE_KEY = "@graceful/shutdown attach";

/** Parent → worker, on the worker's own channel: the port for everything else. */
export interface _Handshake {
  readonly [_HANDSHAKE_KEY]: 1;
  readonly port: MessagePort;
}

/**
 * Worker → parent. `hold`: whether the worker's scopes hold the shutdown, and
 * how long the latest of them may still hold once shutdown is pending (null
 * before it is). The first one also says the worker side is there. `done`:
 * the worker's shutdown is over (scopes closed, hooks run).
 */
export type _FromWorker =
  | { readonly type: "hold"; readonly holding: boolean; readonly remainingMs: number | null }
  | { readonly type: "done" };

/** Parent → worker: shutdown is pending, for this event (SIGTERM when no signal caused it). */
export interface _ToWorker {
  readonly type: "stop";
  readonly event: StopEvent;
}

/** True for the handshake. */
export function _isHandshake(data: unknown): data is _Handshake {
  return typeof data === "object" && data !== null && _HANDSHAKE_KEY in data;
}
