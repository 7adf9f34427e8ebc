// SIGHUP as reload or stop, Windows console events, and the hold a stop
// listener returns (a console handler waits on it before returning).

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => resolve = done);
  return { promise, resolve };
}

test("hup: terminateOnHup false calls onHup and does not shut down", async () => {
  let hups = 0;
  await withController(
    { budgetMs: 1_000, terminateOnHup: false, onHup: () => void hups++ },
    async ({ controller, runtime }) => {
      let ran = false;
      controller.onShutdown(() => void (ran = true));
      runtime.deliver("SIGHUP");
      assert.equal(hups, 1);
      assert.equal(controller.state, "running");
      assert.equal(controller.requested, false);
      assert.equal(controller.signal.aborted, false);
      await runtime.advance(5_000);
      runtime.deliver("SIGHUP");
      assert.equal(hups, 2);
      await runtime.advance(5_000);
      assert.equal(ran, false);
      assert.equal(controller.state, "running");
      assert.deepEqual(runtime.exits, []);
    },
  );
});

test("hup: terminateOnHup true calls onHup and starts the shutdown", async () => {
  let hups = 0;
  await withController(
    { budgetMs: 1_000, terminateOnHup: true, onHup: () => void hups++ },
    async ({ controller, runtime }) => {
      runtime.deliver("SIGHUP");
      assert.equal(hups, 1);
      assert.equal(controller.state, "stopping");
      assert.equal(controller.signal.aborted, true);
      await runtime.advance(0);
      const report = await controller.done;
      assert.deepEqual(report.cause, { kind: "signal", signal: "SIGHUP" });
      assert.deepEqual(runtime.exits, [{ signal: "SIGHUP" }]);
    },
  );
});

test("console: a Windows SIGHUP is a console close: it stops despite terminateOnHup false", async () => {
  let hups = 0;
  await withController(
    { os: "windows", terminateOnHup: false, onHup: () => void hups++ },
    async ({ controller, runtime }) => {
      const hold = runtime.deliver("SIGHUP");
      assert.ok(hold instanceof Promise, "a console close is held like any console event");
      assert.equal(hups, 0, "a close is no reload request");
      assert.equal(controller.state, "stopping");
      await runtime.advance(0);
      const report = await controller.done;
      assert.deepEqual(report.cause, { kind: "console", event: "CTRL_CLOSE" });
      assert.deepEqual(runtime.exits, [{ code: 129 }]);
    },
  );
});

test("console: CTRL_LOGOFF is ignored with terminateOnLogoff false", async () => {
  await withController(
    { os: "windows", terminateOnLogoff: false },
    async ({ controller, runtime }) => {
      const hold = runtime.deliverConsole("CTRL_LOGOFF");
      assert.equal(hold, undefined);
      await runtime.advance(10_000);
      assert.equal(controller.state, "running");
      assert.equal(controller.requested, false);
      assert.deepEqual(runtime.exits, []);
    },
  );
});

test("console: CTRL_LOGOFF starts a shutdown by default", async () => {
  await withController({ os: "windows" }, async ({ controller, runtime }) => {
    runtime.deliverConsole("CTRL_LOGOFF");
    assert.equal(controller.state, "stopping");
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.cause, { kind: "console", event: "CTRL_LOGOFF" });
  });
});

test("console: CTRL_CLOSE starts a shutdown and holds until the hooks finished and the exit", async () => {
  await withController({ os: "windows" }, async ({ controller, runtime }) => {
    const gate = deferred();
    let hookStarted = false;
    controller.onShutdown(async () => {
      hookStarted = true;
      await gate.promise;
    }, { name: "flush" });

    const hold = runtime.deliverConsole("CTRL_CLOSE");
    assert.ok(hold instanceof Promise);
    let released = false;
    let exitsAtRelease = -1;
    void hold.then(() => {
      released = true;
      exitsAtRelease = runtime.exits.length;
    });
    await runtime.advance(1_000);
    assert.equal(hookStarted, true);
    assert.equal(released, false);
    gate.resolve();
    await runtime.advance(0);
    // Released only after the controller asked for its own exit, so that the
    // process ends with our status before Windows ends it its own way.
    assert.equal(released, true);
    assert.equal(exitsAtRelease, 1, "the exit was asked for before the release");
    assert.deepEqual(runtime.exits, [{ code: 129 }]);
    const report = await controller.done;
    assert.deepEqual(report.cause, { kind: "console", event: "CTRL_CLOSE" });
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [["flush", "ok"]]);
  });
});

test("hold: the promise from deliver() settles only after the hooks finished", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const order: string[] = [];
    controller.onShutdown(async () => {
      await new Promise<void>((resolve) => runtime.setTimer(resolve, 500));
      order.push("hook");
    }, { name: "slow" });
    const hold = runtime.deliver("SIGTERM");
    assert.ok(hold instanceof Promise);
    void hold.then(() => order.push("released"));
    await runtime.advance(499);
    assert.deepEqual(order, []);
    await runtime.advance(1);
    assert.deepEqual(order, ["hook", "released"]);
  });
});
