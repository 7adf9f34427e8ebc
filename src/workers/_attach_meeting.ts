// The parent's end of the meeting channel (see _attach_protocol.ts): one
// BroadcastChannel for every attach() of the thread, opened at the first,
// unref'd. Where none can be unref'd it is open only while someone waits for
// a worker's `hello`, so it never keeps the process alive on its own account.

import type { _Meeting, _WorkerId } from "./_attach_protocol.ts";
import { _meetingChannel } from "../runtime/worker/mod.ts";

/** Someone waiting for workers' `hello`. */
export interface _Guest {
  /** Called with the id (and the flag, see `_welcome`) of each worker that says `hello`. */
  hello(id: _WorkerId, flag?: SharedArrayBuffer): void;
  /** Called when a worker not connected yet says whether its scopes hold. */
  hold?(id: _WorkerId, holding: boolean): void;
  /** Called when a worker not connected yet says its shutdown is over. */
  done?(id: _WorkerId, requested: number | undefined): void;
}

const _guests = new Set<_Guest>();
let _channel: BroadcastChannel | undefined;
let _unrefs = true;

function _open(): BroadcastChannel {
  if (_channel !== undefined) return _channel;
  const channel = _meetingChannel();
  _unrefs = typeof (channel as { unref?(): void }).unref === "function";
  channel.onmessage = (event: MessageEvent<_Meeting>) => {
    const data = event.data;
    if (data?.type === "hello") {
      for (const guest of [..._guests]) guest.hello(data.id, data.flag);
    } else if (data?.type === "hold") {
      for (const guest of [..._guests]) guest.hold?.(data.id, data.holding);
    } else if (data?.type === "done") {
      for (const guest of [..._guests]) guest.done?.(data.id, data.requested);
    }
  };
  return _channel = channel;
}

/** Listens for `hello` on behalf of `guest`. */
export function _meet(guest: _Guest): void {
  _guests.add(guest);
  _open();
}

/** Stops listening on behalf of `guest`. */
export function _leave(guest: _Guest): void {
  _guests.delete(guest);
  if (_guests.size === 0 && !_unrefs && _channel !== undefined) {
    _channel.close();
    _channel = undefined;
  }
}

/**
 * Tells the worker `id` (null: any Deno Web Worker) that it is attached, and
 * sets the `flag` of its `hello` (read even while it waits in `self.close()`).
 */
export function _welcome(id: _WorkerId, flag?: SharedArrayBuffer): void {
  const message: _Meeting = { type: "welcome", id };
  _open().postMessage(message);
  if (!(flag instanceof SharedArrayBuffer) || flag.byteLength < 4) return;
  const cell = new Int32Array(flag, 0, 1);
  Atomics.store(cell, 0, 1);
  Atomics.notify(cell, 0);
}
