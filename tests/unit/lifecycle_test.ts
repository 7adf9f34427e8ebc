// One live controller per runtime, and what disposing one gives back.

import assert from "node:assert/strict";
import { ShutdownController, ShutdownError } from "../../mod.ts";
import { FakeRuntime } from "../../testing.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("lifecycle: a second live controller on the same runtime throws", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const listeners = runtime.listenerCount;
    assert.throws(
      () => new ShutdownController({ runtime }),
      (error: unknown) =>
        error instanceof Error &&
        /^another ShutdownController is already listening to this fake process/.test(
          error.message,
        ),
    );
    assert.equal(runtime.listenerCount, listeners, "the failed one left nothing behind");
    let ran = false;
    controller.onShutdown(() => void (ran = true));
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    assert.equal(ran, true, "the first controller still listens");
  });
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

test("lifecycle: dispose removes every listener", async () => {
  await withController({}, ({ controller, runtime }) => {
    assert.equal(runtime.listenerCount, 4, "stop, natural end, uncaught and exit");
    controller[Symbol.dispose]();
    assert.equal(runtime.listenerCount, 0);
    controller[Symbol.dispose]();
    assert.equal(runtime.listenerCount, 0);
    assert.equal(runtime.deliver("SIGTERM"), undefined);
    assert.equal(runtime.endProgram(), false);
    assert.equal(runtime.throwUncaught(new Error("x")), false);
    assert.equal(controller.requested, false);
  });
});

test("lifecycle: a disposed controller rejects new work", () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  controller[Symbol.dispose]();
  assert.throws(() => controller.request(), /disposed/);
  assert.throws(() => controller.protect(), /disposed/);
  assert.throws(() => controller.onShutdown(() => {}), /disposed/);
});

test("lifecycle: dispose mid-shutdown loses nothing: hooks run, the signal's exit comes, listeners go after", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const ran: string[] = [];
    controller.onShutdown(() => void ran.push("first"), { name: "first" });
    controller.onShutdown(
      () =>
        new Promise<void>((resolve) => runtime.setTimer(() => resolve(void ran.push("slow")), 300)),
      { name: "slow" },
    );
    runtime.deliver("SIGTERM");
    await runtime.advance(10);
    controller[Symbol.dispose](); // e.g. a `using` block that ended mid-shutdown
    assert.throws(() => controller.onShutdown(() => {}), /disposed/);
    assert.ok(runtime.listenerCount > 0, "a second Ctrl-C can still force it");
    await runtime.advance(300);
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(ran, ["slow", "first"]);
    assert.deepEqual(report.steps.map((step) => step.outcome), ["ok", "ok"]);
    assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
    assert.equal(runtime.listenerCount, 0);
    assert.equal(runtime.pendingTimers, 0);
  });
});

test("lifecycle: [Symbol.asyncDispose] waits for the shutdown in progress to end", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(
      () => new Promise<void>((resolve) => runtime.setTimer(resolve, 200)),
      { name: "slow" },
    );
    runtime.deliver("SIGTERM");
    let disposed = false;
    const disposing = controller[Symbol.asyncDispose]().then(() => disposed = true);
    await runtime.advance(100);
    assert.equal(disposed, false);
    await runtime.advance(100);
    await runtime.advance(0);
    await disposing;
    assert.equal(controller.state, "done");
    assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
  });
});

test("lifecycle: [Symbol.asyncDispose] before any shutdown stops listening at once", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  await controller[Symbol.asyncDispose]();
  assert.equal(runtime.listenerCount, 0);
  assert.equal(controller.state, "running");
});

test("lifecycle: a finished shutdown leaves no listeners and no timers", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
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
  });
});

test("lifecycle: the state moves running, stopping, done", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    assert.equal(controller.state, "running");
    assert.equal(controller.signal.aborted, false);
    runtime.deliver("SIGTERM");
    assert.equal(controller.state, "stopping");
    assert.equal(controller.signal.aborted, true);
    assert.ok(controller.signal.reason instanceof ShutdownError);
    assert.equal((controller.signal.reason as ShutdownError).kind, "pending");
    await runtime.advance(0);
    assert.equal(controller.state, "done");
  });
});

/** A runtime whose first subscription to uncaught errors fails. */
class _FlakyRuntime extends FakeRuntime {
  failures = 1;
  override onUncaught(listener: Parameters<FakeRuntime["onUncaught"]>[0]): () => void {
    if (this.failures-- > 0) throw new Error("no uncaught-error events here");
    return super.onUncaught(listener);
  }
}

test("lifecycle: a runtime that fails to subscribe leaves nothing half-installed", async () => {
  const runtime = new _FlakyRuntime();
  assert.throws(() => new ShutdownController({ runtime }), /no uncaught-error events/);
  assert.equal(runtime.listenerCount, 0, "the listeners made before the failure were removed");
  // The claim on the runtime was given back too: a controller can listen to it.
  const next = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    assert.equal(next.state, "done");
  } finally {
    next[Symbol.dispose]();
  }
});
