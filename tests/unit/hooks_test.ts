// onShutdown hooks: order, once-only, failures, timeouts, unregistering, and
// hooks added while the others run.

import assert from "node:assert/strict";
import { ShutdownError } from "../../mod.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("hooks: run last registered first, each exactly once", async () => {
  await withController({ budgetMs: 10_000, maxAttempts: 5 }, async ({ controller, runtime }) => {
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
  });
});

test("hooks: a throwing, a rejecting and a hanging hook do not stop the others", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
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
  });
});

test("hooks: the context signal aborts at the hook's timeout", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
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
  });
});

test("hooks: disposing the registration unregisters the hook", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
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
  });
});

test("hooks: a hook registered while the hooks run also runs", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
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
  });
});

function closeDatabase(): void {}

test("hooks: the name defaults to the function's name, else to hook N", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(closeDatabase); // hook 1
    controller.onShutdown(() => {}, { name: "named" }); // hook 2
    controller.onShutdown(() => {}); // hook 3
    controller.request();
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => step.name), [
      "hook 3",
      "named",
      "closeDatabase",
    ]);
  });
});
