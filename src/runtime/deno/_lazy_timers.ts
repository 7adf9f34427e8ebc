// Deno's timers are loaded on first touch: reading `globalThis.setTimeout`
// loads its Node-compatible timer module, 5–7 ms and ~3.7 MiB on Deno 2.9,
// more than the rest of the library costs. Most of the library's timers are
// deadlines that are cleared before they could fire (a hook that returns at
// once, a program that ends by itself), so a timer here is armed only once
// the microtasks queued behind it have run: one cleared before that never
// touches Deno's timers. Nothing is lost: no macrotask can run before the
// timer is armed, and its delay counts from the call.

import { _turnsLater } from "../../core/_platform.ts";

/** A timer armed a few promise turns late, or never if cleared first. */
export interface _LazyTimer {
  /** The real timer, once armed. */
  id: ReturnType<typeof setTimeout> | undefined;
  /** Cleared before or after it was armed. */
  cleared: boolean;
}

/**
 * How many promise turns pass before the real timer is armed: enough for a
 * synchronous hook or one that awaits only settled promises to finish and
 * clear its deadline first.
 */
const _TURNS = 16;

/** Calls `callback` after `ms`. */
export function _setLazyTimer(callback: () => void, ms: number): _LazyTimer {
  const start = performance.now();
  return _afterTurns(function arm(this: _LazyTimer) {
    this.id = setTimeout(callback, Math.max(0, ms - (performance.now() - start)));
  });
}

/**
 * Calls `callback` once the microtasks queued behind it have run, unless
 * cleared first; it touches no timer and never keeps the process alive.
 */
export function _afterTurns(callback: (this: _LazyTimer) => void): _LazyTimer {
  const timer: _LazyTimer = { id: undefined, cleared: false };
  void _turnsLater(_TURNS).then(() => {
    if (!timer.cleared) callback.call(timer);
  });
  return timer;
}

/** Clears a timer made by `_setLazyTimer`; anything else is ignored. */
export function _clearLazyTimer(handle: unknown): void {
  const timer = handle as _LazyTimer | undefined;
  if (typeof timer !== "object" || timer === null || !("cleared" in timer)) return;
  timer.cleared = true;
  if (timer.id !== undefined) clearTimeout(timer.id);
}
