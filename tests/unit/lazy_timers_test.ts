// The Deno adapter's timers: a timer cleared while the microtasks queued
// behind it run never touches the runtime's timers (Deno loads them on first
// touch, 5-7 ms); one that is not cleared fires, its delay counted from the
// call. The file uses only web globals, so every runtime runs these cases.

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import { _afterTurns, _clearLazyTimer, _setLazyTimer } from "../../src/runtime/deno/_adapter.ts";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `fn` while counting the calls to `setTimeout`. */
async function countingTimers(fn: () => Promise<void>): Promise<number> {
  const real = globalThis.setTimeout;
  let calls = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    calls++;
    return real(...args);
  }) as typeof setTimeout;
  try {
    await fn();
  } finally {
    globalThis.setTimeout = real;
  }
  return calls;
}

test("lazy timer: cleared in the same task, it never touches setTimeout", async () => {
  let fired = false;
  const calls = await countingTimers(async () => {
    const timer = _setLazyTimer(() => fired = true, 10);
    await Promise.resolve();
    _clearLazyTimer(timer);
    for (let i = 0; i < 40; i++) await Promise.resolve();
  });
  assert.equal(calls, 0);
  await sleep(30);
  assert.equal(fired, false);
});

test("lazy timer: not cleared, it fires, its delay counted from the call", async () => {
  const start = performance.now();
  const firedAt = await new Promise<number>((resolve) => {
    _setLazyTimer(() => resolve(performance.now()), 40);
  });
  // Generous bounds: never early, and not late by a second delay.
  assert.ok(firedAt - start >= 35, `fired after ${firedAt - start} ms`);
  assert.ok(firedAt - start < 40 + 1_000, `fired after ${firedAt - start} ms`);
});

test("lazy timer: cleared once armed, it does not fire", async () => {
  let fired = false;
  const timer = _setLazyTimer(() => fired = true, 30);
  await sleep(5); // past the promise turns: the real timer is armed
  assert.notEqual(timer.id, undefined);
  _clearLazyTimer(timer);
  await sleep(60);
  assert.equal(fired, false);
});

test("lazy timer: clearing something else is ignored", () => {
  _clearLazyTimer(undefined);
  _clearLazyTimer(42);
  _clearLazyTimer({});
});

test("after turns: runs once the queued microtasks ran, with no timer; not if cleared", async () => {
  const order: string[] = [];
  let cleared = false;
  const calls = await countingTimers(async () => {
    _afterTurns(() => order.push("after turns"));
    const other = _afterTurns(() => cleared = true);
    _clearLazyTimer(other);
    await Promise.resolve();
    order.push("one turn later");
    for (let i = 0; i < 40; i++) await Promise.resolve();
  });
  assert.equal(calls, 0);
  assert.deepEqual(order, ["one turn later", "after turns"]);
  assert.equal(cleared, false);
});
