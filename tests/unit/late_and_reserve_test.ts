// The hooks' reserve, work offered after the end, an abandoned scope at the
// natural end, and the report's listeners.

import assert from "node:assert/strict";
import { ShutdownController } from "../../mod.ts";
import { FakeRuntime } from "../../testing.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("reserve: a scope that runs out its default budget still leaves the hooks their time", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(
      () => new Promise<void>((resolve) => runtime.setTimer(resolve, 800)),
      { name: "flush" },
    );
    const scope = controller.protect(); // never closed in time
    runtime.deliver("SIGTERM");
    await runtime.advance(9_000); // 10_000 less the 1_000 reserve
    assert.equal(scope.signal.aborted, true);
    await runtime.advance(900);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [["flush", "ok"]]);
    assert.equal(report.forced, false);
    scope[Symbol.dispose]();
  });
});

test("reserve: a scope with a longer budget pushes the deadline to its end plus the reserve", async () => {
  await withController({ budgetMs: 1_000, hookReserveMs: 300 }, async ({ controller, runtime }) => {
    controller.onShutdown(
      () => new Promise<void>((resolve) => runtime.setTimer(resolve, 250)),
      { name: "flush" },
    );
    const scope = controller.protect(5_000);
    runtime.deliver("SIGTERM");
    await runtime.advance(5_000);
    assert.equal(scope.signal.aborted, true);
    await runtime.advance(260);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => step.outcome), ["ok"]);
    assert.equal(report.forced, false);
    scope[Symbol.dispose]();
  });
});

test("reserve: hookReserveMs is checked and named", () => {
  const runtime = new FakeRuntime();
  assert.throws(
    () => new ShutdownController({ runtime, budgetMs: 1_000, hookReserveMs: 2_000 }),
    (error) =>
      error instanceof RangeError && /hookReserveMs must be at most budgetMs \(1000\), got 2000/
        .test(error.message),
  );
  assert.throws(
    () => new ShutdownController({ runtime, hookReserveMs: -1 }),
    (error) => error instanceof RangeError && /hookReserveMs/.test(error.message),
  );
  assert.equal(runtime.listenerCount, 0, "nothing registered");
});

test("late: after the end, onShutdown() and onReport() throw and request() does nothing", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.request("done for today");
    await runtime.advance(0);
    assert.equal(controller.state, "done");
    assert.throws(
      () => controller.onShutdown(() => {}),
      /onShutdown\(\) called after the shutdown ended/,
    );
    assert.throws(
      () => controller.onReport(() => {}),
      /onReport\(\) called after the shutdown ended/,
    );
    controller.request("again");
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 0 }]);
  });
});

test("natural end: an abandoned scope is named on stderr and the hooks run at once", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    let ran = false;
    controller.onShutdown(() => void (ran = true), { name: "hook" });
    const scope = controller.protect(undefined, { name: "forgotten job" });
    assert.equal(runtime.endProgram(), true);
    await runtime.advance(0);
    const report = await controller.done;
    assert.equal(ran, true);
    assert.equal(scope.signal.aborted, true);
    assert.match(runtime.stderr.join(""), /forgotten job still open/);
    assert.deepEqual(report.exit, {}, "it ends as it would without the library");
    assert.equal(runtime.exitCode(), undefined);
  });
});

test("exit: exit(0) during a SIGTERM shutdown keeps 0, even after a hook failed", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => new Promise(() => {}), { name: "waits" });
    controller.onShutdown(() => {
      throw new Error("failed on purpose");
    }, { name: "fails" });
    runtime.deliver("SIGTERM");
    await runtime.advance(10);
    runtime.exitNow(0);
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [
      ["fails", "threw"],
      ["waits", "ok"],
    ]);
    assert.equal(runtime.exitCode(), 0);
    assert.deepEqual(runtime.exits, [{ code: 0 }]);
  });
});

test("report: onReport listeners run with the report before the exit, async ones awaited", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const seen: string[] = [];
    controller.onReport(async (report) => {
      await new Promise<void>((resolve) => runtime.setTimer(resolve, 500));
      seen.push(`shipped ${report.cause.kind}, exits so far ${runtime.exits.length}`);
    });
    controller.onReport(() => {
      throw new Error("collector down");
    });
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    await runtime.advance(400);
    assert.deepEqual(runtime.exits, [], "no exit while a listener ships");
    await runtime.advance(200);
    assert.deepEqual(seen, ["shipped signal, exits so far 0"]);
    assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
    assert.match(runtime.stderr.join(""), /onReport threw: collector down/);
  });
});

test("report: an onReport listener that hangs is waited for until the deadline only", async () => {
  await withController({ budgetMs: 1_000 }, async ({ controller, runtime }) => {
    controller.onReport(() => new Promise(() => {}));
    runtime.deliver("SIGTERM");
    await runtime.advance(999);
    assert.deepEqual(runtime.exits, []);
    await runtime.advance(2);
    assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
  });
});

test("report: onReport rejects a listener that is not a function", async () => {
  await withController({}, ({ controller }) => {
    assert.throws(
      () => controller.onReport("ship" as never),
      (error) =>
        error instanceof TypeError && /listener must be a function, got "ship"/.test(error.message),
    );
  });
});
