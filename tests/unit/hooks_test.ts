// onShutdown hooks: order, once-only, failures, timeouts, unregistering, and
// hooks added while the others run.

import assert from "node:assert/strict";
import { ShutdownController, ShutdownError } from "../../mod.ts";
import { FakeRuntime } from "../../testing.ts";
import { test } from "../_harness.ts";

test("hooks: run last registered first, each exactly once", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000, maxAttempts: 5 });
  try {
    const calls: string[] = [];
    for (const name of ["a", "b", "c"]) {
      controller.onShutdown(() => void calls.push(name), { name });
    }
    runtime.deliver("SIGTERM");
    runtime.deliver("SIGINT");
    await runtime.advance(0);
    controller.request("again");
    runtime.endProgram();
    runtime.exitNow(0);
    await runtime.advance(1_000);
    assert.deepEqual(calls, ["c", "b", "a"]);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => step.name), ["c", "b", "a"]);
  } finally {
    controller[Symbol.dispose]();
  }
});

test("hooks: a throwing, a rejecting and a hanging hook do not stop the others", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    const calls: string[] = [];
    const thrown = new Error("sync failure");
    const rejected = new Error("async failure");
    controller.onShutdown(() => void calls.push("first"), { name: "first" });
    controller.onShutdown(() => {
      calls.push("hangs");
      return new Promise(() => {});
    }, { name: "hangs", timeoutMs: 100 });
    controller.onShutdown(async () => {
      calls.push("rejects");
      await Promise.resolve();
      throw rejected;
    }, { name: "rejects" });
    controller.onShutdown(() => {
      calls.push("throws");
      throw thrown;
    }, { name: "throws" });
    controller.onShutdown(() => void calls.push("last"), { name: "last" });

    runtime.deliver("SIGTERM");
    await runtime.advance(100);
    assert.deepEqual(calls, ["last", "throws", "rejects", "hangs", "first"]);
    const report = await controller.done;
    assert.deepEqual(
      report.steps.map((step) => [step.name, step.outcome, step.startMs, step.durationMs]),
      [
        ["last", "ok", 0, 0],
        ["throws", "threw", 0, 0],
        ["rejects", "threw", 0, 0],
        ["hangs", "timed-out", 0, 100],
        ["first", "ok", 100, 0],
      ],
    );
    assert.equal(report.steps[1].error, thrown);
    assert.equal(report.steps[2].error, rejected);
    assert.equal(report.forced, false);
  } finally {
    controller[Symbol.dispose]();
  }
});

test("hooks: the context signal aborts at the hook's timeout", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    let seen: { signal: AbortSignal; cause: unknown } | undefined;
    controller.onShutdown((context) => {
      seen = context;
      return new Promise(() => {});
    }, { name: "slow", timeoutMs: 200 });
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    assert.ok(seen !== undefined);
    assert.deepEqual(seen.cause, { kind: "signal", signal: "SIGTERM" });
    await runtime.advance(199);
    assert.equal(seen.signal.aborted, false);
    await runtime.advance(1);
    assert.equal(seen.signal.aborted, true);
    assert.ok(seen.signal.reason instanceof ShutdownError);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => step.outcome), ["timed-out"]);
  } finally {
    controller[Symbol.dispose]();
  }
});

test("hooks: disposing the registration unregisters the hook", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    const calls: string[] = [];
    const registration = controller.onShutdown(() => void calls.push("gone"), { name: "gone" });
    controller.onShutdown(() => void calls.push("kept"), { name: "kept" });
    registration[Symbol.dispose]();
    registration[Symbol.dispose]();
    controller.request();
    await runtime.advance(0);
    assert.deepEqual(calls, ["kept"]);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => step.name), ["kept"]);
  } finally {
    controller[Symbol.dispose]();
  }
});

test("hooks: a hook registered while the hooks run also runs", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    const calls: string[] = [];
    controller.onShutdown(() => void calls.push("early"), { name: "early" });
    controller.onShutdown(() => {
      calls.push("outer");
      controller.onShutdown(() => void calls.push("inner"), { name: "inner" });
    }, { name: "outer" });
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    assert.deepEqual(calls, ["outer", "inner", "early"]);
    const report = await controller.done;
    assert.deepEqual(
      report.steps.map((step) => [step.name, step.outcome]),
      [["outer", "ok"], ["inner", "ok"], ["early", "ok"]],
    );
  } finally {
    controller[Symbol.dispose]();
  }
});

function closeDatabase(): void {}

test("hooks: the name defaults to the function's name", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    controller.onShutdown(closeDatabase);
    controller.onShutdown(() => {});
    controller.request();
    await runtime.advance(0);
    const report = await controller.done;
    assert.equal(report.steps.length, 2);
    assert.equal(report.steps[1].name, "closeDatabase");
    assert.equal(typeof report.steps[0].name, "string");
    assert.notEqual(report.steps[0].name, "");
  } finally {
    controller[Symbol.dispose]();
  }
});
