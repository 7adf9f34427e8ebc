// The messages between attach() in the parent and the worker side of the
// process-wide `shutdown` (src/runtime/worker/mod.ts).
//
// Nothing of the library's ever reaches a handler of the program's or of a
// pool's, and nothing depends on the worker being ready when attach() runs:
// 1. Worker and parent meet on a BroadcastChannel (`_MEETING`) that only the
//    library listens to: the worker says `hello` when the library loads, the
//    parent says `welcome` when attach() runs and again to each `hello` of a
//    worker it attached, so whichever comes first, they meet.
// 2. Welcomed, the worker sends the parent one tagged message on its own
//    channel carrying a MessagePort; attach() takes it out on the worker
//    object before any handler sees it. The parent never writes to the
//    worker's channel, so a handler in the worker (a pool's) sees nothing.
// 3. Everything after goes through that port.

import type { StopEvent } from "../core/runtime_adapter.ts";

/** The BroadcastChannel's name where worker and parent meet. */
export const _MEETING = "@graceful/shutdown attach";

/** The key that marks the worker's one message on its own channel. */
export const _HANDSHAKE_KEY = "@graceful/shutdown attach";

/**
 * Who a worker is: its `threadId` (worker_threads, Bun Web Workers), or null
 * for a Deno Web Worker, which its parent cannot tell apart from another.
 */
export type _WorkerId = number | null;

/**
 * On the meeting channel. `hold`: until connected, whether the worker's
 * scopes hold (a pool's idle thread, blocked in Atomics.wait, never reads
 * the welcome; a busy one's state must not wait for it). `hello`'s `flag`
 * (a Deno Web Worker's): attach() sets it to 1 with its welcome, so a worker
 * that closes itself before it read the welcome can still tell its parent.
 * `done`: until connected, the worker's shutdown is over (its own `request()`
 * may end it before the welcome arrives: the request must not be lost with it).
 */
export type _Meeting =
  | { readonly type: "hello"; readonly id: _WorkerId; readonly flag?: SharedArrayBuffer }
  | { readonly type: "welcome"; readonly id: _WorkerId }
  | { readonly type: "hold"; readonly id: _WorkerId; readonly holding: boolean }
  | { readonly type: "done"; readonly id: _WorkerId; readonly requested?: number };

/** Worker → parent, on the worker's own channel: the port for everything else. */
export interface _Handshake {
  readonly [_HANDSHAKE_KEY]: 1;
  readonly port: MessagePort;
}

/**
 * Worker → parent. `hold`: whether the worker's scopes hold the shutdown, and
 * how long the latest of them may still hold once shutdown is pending (null
 * before it is). `done`: the worker's shutdown is over (scopes closed, hooks
 * run); `requested`: it was the worker's own `request()`, with the exit code
 * it ended with. `ended`: the worker is ending on its own (`self.close()`).
 */
export type _FromWorker =
  | { readonly type: "hold"; readonly holding: boolean; readonly remainingMs: number | null }
  | { readonly type: "done"; readonly requested?: number }
  | { readonly type: "ended" };

/**
 * Parent → worker. `options`: the attaching controller's budget, which the
 * worker's scopes and deadline follow. `stop`: shutdown is pending, for this
 * event (SIGTERM when no signal caused it), with `budgetMs` left of the
 * parent's deadline.
 */
export type _ToWorker =
  | { readonly type: "options"; readonly budgetMs: number }
  | { readonly type: "stop"; readonly event: StopEvent; readonly budgetMs: number };

/** True for the worker's handshake. */
export function _isHandshake(data: unknown): data is _Handshake {
  return typeof data === "object" && data !== null && _HANDSHAKE_KEY in data &&
    (data as { port?: unknown }).port !== undefined;
}
