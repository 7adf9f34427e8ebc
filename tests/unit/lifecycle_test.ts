// One live controller per runtime, and what disposing one gives back.

import assert from "node:assert/strict";
import { ShutdownController, ShutdownError } from "../../mod.ts";
import { FakeRuntime } from "../../testing.ts";
import { test } from "../_harness.ts";

test("lifecycle: a second live controller on the same runtime throws", async () => {
  const runtime = new FakeRuntime();
  const first = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    const listeners = runtime.listenerCount;
    assert.throws(
      () => new ShutdownController({ runtime }),
      (error: unknown) => error instanceof Error && /already listening/.test(error.message),
    );
    assert.equal(runtime.listenerCount, listeners, "the failed one left nothing behind");
    let ran = false;
    first.onShutdown(() => void (ran = true));
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    assert.equal(ran, true, "the first controller still listens");
  } finally {
    first[Symbol.dispose]();
  }
});

test("lifecycle: after dispose a new controller can be made", async () => {
  const runtime = new FakeRuntime();
  const first = new ShutdownController({ runtime });
  first[Symbol.dispose]();
  const second = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    runtime.deliver("SIGTERM");
    assert.equal(first.state, "running");
    assert.equal(second.state, "stopping");
    await runtime.advance(0);
    assert.equal(second.state, "done");
  } finally {
    second[Symbol.dispose]();
  }
});

test("lifecycle: dispose removes every listener", () => {
  const runtime = new FakeRuntime();
  assert.equal(runtime.listenerCount, 0);
  const controller = new ShutdownController({ runtime });
  try {
    assert.ok(runtime.listenerCount > 0);
    controller[Symbol.dispose]();
    assert.equal(runtime.listenerCount, 0);
    controller[Symbol.dispose]();
    assert.equal(runtime.listenerCount, 0);
    assert.equal(runtime.deliver("SIGTERM"), undefined);
    assert.equal(runtime.endProgram(), false);
    assert.equal(runtime.throwUncaught(new Error("x")), false);
    assert.equal(controller.requested, false);
  } finally {
    controller[Symbol.dispose]();
  }
});

test("lifecycle: a disposed controller rejects new work", () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  controller[Symbol.dispose]();
  assert.throws(() => controller.request(), /disposed/);
  assert.throws(() => controller.protect(), /disposed/);
  assert.throws(() => controller.onShutdown(() => {}), /disposed/);
});

test("lifecycle: dispose during a shutdown clears the deadline and scope timers", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  const scope = controller.protect(5_000);
  try {
    runtime.deliver("SIGTERM");
    await runtime.advance(10);
    assert.ok(runtime.pendingTimers > 0);
    controller[Symbol.dispose]();
    assert.equal(runtime.listenerCount, 0);
    assert.equal(runtime.pendingTimers, 0, "the scope's countdown timer is left behind");
  } finally {
    scope[Symbol.dispose]();
    controller[Symbol.dispose]();
  }
});

test("lifecycle: dispose while a hook runs clears the hook's timer", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    controller.onShutdown(() => new Promise(() => {}), { name: "hangs", timeoutMs: 1_000 });
    runtime.deliver("SIGTERM");
    await runtime.advance(10);
    assert.ok(runtime.pendingTimers > 0);
    controller[Symbol.dispose]();
    assert.equal(runtime.listenerCount, 0);
    assert.equal(runtime.pendingTimers, 0, "the running hook's time-limit timer is left behind");
  } finally {
    controller[Symbol.dispose]();
  }
});

test("lifecycle: a finished shutdown leaves no listeners and no timers", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    controller.onShutdown(() => {}, { name: "hook", timeoutMs: 1_000 });
    const scope = controller.protect(5_000);
    runtime.deliver("SIGTERM");
    await runtime.advance(100);
    scope[Symbol.dispose]();
    await runtime.advance(0);
    await runtime.advance(0);
    assert.equal(controller.state, "done");
    assert.equal(runtime.listenerCount, 0);
    assert.equal(runtime.pendingTimers, 0);
    const next = new ShutdownController({ runtime });
    next[Symbol.dispose]();
  } finally {
    controller[Symbol.dispose]();
  }
});

test("lifecycle: the state moves running, stopping, done", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    assert.equal(controller.state, "running");
    assert.equal(controller.signal.aborted, false);
    runtime.deliver("SIGTERM");
    assert.equal(controller.state, "stopping");
    assert.equal(controller.signal.aborted, true);
    assert.ok(controller.signal.reason instanceof ShutdownError);
    assert.equal((controller.signal.reason as ShutdownError).kind, "pending");
    await runtime.advance(0);
    assert.equal(controller.state, "done");
  } finally {
    controller[Symbol.dispose]();
  }
});

class _NoUncaughtRuntime extends FakeRuntime {
  override onUncaught(): () => void {
    throw new Error("no uncaught-error events here");
  }
}

test("lifecycle: a runtime that fails to subscribe leaves nothing half-installed", () => {
  const runtime = new _NoUncaughtRuntime();
  assert.throws(() => new ShutdownController({ runtime }), /no uncaught-error events/);
  assert.equal(runtime.listenerCount, 0, "the listeners made before the failure were removed");
  // The claim on the runtime was given back too.
  const fake = new FakeRuntime();
  const next = new ShutdownController({ runtime: fake });
  next[Symbol.dispose]();
  assert.throws(() => new ShutdownController({ runtime }), /no uncaught-error events/);
});
