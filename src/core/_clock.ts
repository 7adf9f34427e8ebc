// The clock and timers the core borrows from its runtime adapter, and a timer
// that honours any delay: JavaScript timers overflow past 2^31 − 1 ms and
// fire after 1 ms, so a longer delay is waited out in steps.

import { _MAX_TIMER_MS } from "./_os_policy.ts";

/** The clock and timers the core needs: a part of `RuntimeAdapter`. */
export interface _Clock {
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * Settles after `turns` promise turns: after the microtasks queued before it
 * (and the ones those queue, that many deep), before any task or timer.
 */
export function _turnsLater(turns: number): Promise<void> {
  let turn: Promise<void> = Promise.resolve();
  for (let i = 0; i < turns; i++) turn = turn.then();
  return turn;
}

/** A timer of any length; `cancel()` is safe to call twice. */
export interface _Timer {
  cancel(): void;
}

/** Calls `callback` after `ms` (any finite length, counted on `clock`). */
export function _setTimer(clock: _Clock, callback: () => void, ms: number): _Timer {
  const at = clock.now() + Math.max(0, ms);
  let handle: unknown;
  const arm = (): void => {
    const left = at - clock.now();
    handle = left > _MAX_TIMER_MS
      ? clock.setTimer(arm, _MAX_TIMER_MS)
      : clock.setTimer(callback, Math.max(0, left));
  };
  arm();
  return { cancel: () => clock.clearTimer(handle) };
}
