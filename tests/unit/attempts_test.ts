// The attempts rule: the maxAttempts-th stop request forces the end.

import assert from "node:assert/strict";
import { ShutdownError } from "../../mod.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("attempts: by default two deliveries keep waiting and the third forces", async () => {
  let terminations = 0;
  await withController(
    { budgetMs: 60_000, beforeTermination: () => void terminations++ },
    async ({ controller, runtime }) => {
      const calls: string[] = [];
      controller.onShutdown(() => void calls.push("first"), { name: "first" });
      controller.onShutdown(() => void calls.push("second"), { name: "second" });
      const scope = controller.protect(30_000, { name: "job" });

      runtime.deliver("SIGINT");
      await runtime.advance(100);
      runtime.deliver("SIGINT");
      await runtime.advance(100);
      assert.equal(controller.state, "stopping");
      assert.equal(scope.signal.aborted, false);
      assert.equal(terminations, 0);
      assert.deepEqual(calls, []);
      assert.deepEqual(runtime.exits, []);

      runtime.deliver("SIGINT");
      assert.equal(scope.signal.aborted, true);
      const reason = scope.signal.reason;
      assert.ok(reason instanceof ShutdownError);
      assert.equal(reason.kind, "forced");
      assert.throws(() => scope.breakpoint(), ShutdownError);

      const report = await controller.done;
      assert.equal(terminations, 1);
      assert.equal(report.forced, true);
      assert.equal(report.forcedBy, "attempts");
      assert.equal(report.attempts, 3);
      assert.deepEqual(report.openScopes, ["job"]);
      assert.deepEqual(
        report.steps.map((step) => [step.name, step.outcome, step.startMs]),
        [["second", "cut", -1], ["first", "cut", -1]],
        "in the order they would have run; none started",
      );
      await runtime.advance(0);
      assert.deepEqual(calls, []);
      assert.equal(terminations, 1);
      assert.deepEqual(runtime.exits, [{ signal: "SIGINT" }]);
      scope[Symbol.dispose]();
    },
  );
});

test("attempts: a force while a hook runs cuts it and skips the rest", async () => {
  await withController({ budgetMs: 60_000 }, async ({ controller, runtime }) => {
    let skippedRan = false;
    let running: AbortSignal | undefined;
    controller.onShutdown(() => void (skippedRan = true), { name: "skipped" });
    controller.onShutdown(({ signal }) => {
      running = signal;
      return new Promise(() => {});
    }, { name: "hangs" });

    runtime.deliver("SIGTERM");
    await runtime.advance(10);
    assert.ok(running !== undefined, "the last hook registered runs first");
    assert.equal(running.aborted, false);
    runtime.deliver("SIGTERM");
    runtime.deliver("SIGTERM");
    await runtime.flush();
    assert.equal(running.aborted, true);
    assert.equal((running.reason as ShutdownError).kind, "forced");

    const report = await controller.done;
    assert.equal(skippedRan, false);
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome, step.startMs]), [
      ["hangs", "cut", 0],
      ["skipped", "cut", -1],
    ]);
    assert.equal(report.forcedBy, "attempts");
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
  });
});

test("attempts: maxAttempts 1 forces on the first request", async () => {
  let terminations = 0;
  await withController(
    { maxAttempts: 1, beforeTermination: () => void terminations++ },
    async ({ controller, runtime }) => {
      let ran = false;
      controller.onShutdown(() => void (ran = true), { name: "hook" });
      const scope = controller.protect(10_000);
      runtime.deliver("SIGTERM");
      assert.equal(scope.signal.aborted, true);
      const report = await controller.done;
      assert.equal(report.forced, true);
      assert.equal(report.forcedBy, "attempts");
      assert.equal(report.attempts, 1);
      assert.deepEqual(report.steps.map((step) => step.outcome), ["cut"]);
      assert.equal(terminations, 1);
      await runtime.advance(0);
      assert.equal(ran, false);
      assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
      scope[Symbol.dispose]();
    },
  );
});

test("attempts: maxAttempts 2 waits after the first request and forces on the second", async () => {
  await withController({ maxAttempts: 2, budgetMs: 60_000 }, async ({ controller, runtime }) => {
    const scope = controller.protect(30_000, { name: "job" });
    runtime.deliver("SIGINT");
    await runtime.advance(1_000);
    assert.equal(scope.signal.aborted, false);
    assert.equal(controller.state, "stopping");
    runtime.deliver("SIGINT");
    assert.equal(scope.signal.aborted, true);
    const report = await controller.done;
    assert.equal(report.forcedBy, "attempts");
    assert.equal(report.attempts, 2);
    assert.deepEqual(report.openScopes, ["job"]);
    scope[Symbol.dispose]();
  });
});

test("attempts: request() counts as a stop request", async () => {
  await withController({ maxAttempts: 2, budgetMs: 60_000 }, async ({ controller, runtime }) => {
    const scope = controller.protect(30_000);
    controller.request("first");
    await runtime.advance(10);
    assert.equal(scope.signal.aborted, false);
    runtime.deliver("SIGTERM");
    const report = await controller.done;
    assert.equal(report.forcedBy, "attempts");
    assert.deepEqual(report.cause, { kind: "request", reason: "first" });
    scope[Symbol.dispose]();
  });
});
