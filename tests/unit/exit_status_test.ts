// After a signal-initiated shutdown the process dies by that signal, and the
// report says so.

import assert from "node:assert/strict";
import type { StopSignal } from "../../mod.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

const posixSignals: StopSignal[] = ["SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP"];

for (const signal of posixSignals) {
  test(`exit status: a ${signal} shutdown dies by ${signal}`, async () => {
    await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
      controller.onShutdown(() => {}, { name: "hook" });
      runtime.deliver(signal);
      await runtime.advance(0);
      const report = await controller.done;
      assert.deepEqual(report.cause, { kind: "signal", signal });
      assert.deepEqual(report.exit, { signal });
      await runtime.advance(0);
      assert.deepEqual(runtime.exits, [{ signal }]);
      assert.deepEqual(runtime.exits, [report.exit]);
    });
  });
}

test("exit status: a SIGBREAK shutdown on windows exits 149: Windows cannot re-raise", async () => {
  await withController({ os: "windows" }, async ({ controller, runtime }) => {
    runtime.deliver("SIGBREAK");
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.exit, { code: 128 + 21 });
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 128 + 21 }]);
  });
});

test("exit status: a forced shutdown dies by the signal too", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const scope = controller.protect(5_000);
    runtime.deliver("SIGINT");
    runtime.deliver("SIGINT");
    runtime.deliver("SIGINT");
    const report = await controller.done;
    assert.equal(report.forced, true);
    assert.deepEqual(report.exit, { signal: "SIGINT" });
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ signal: "SIGINT" }]);
    scope[Symbol.dispose]();
  });
});

test("exit status: the exit comes after the code awaiting done has run", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    let exitsSeenByDone = -1;
    void controller.done.then(() => exitsSeenByDone = runtime.exits.length);
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    await runtime.advance(0);
    assert.equal(exitsSeenByDone, 0);
    assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
  });
});

test("exit status: a console event's exit in the report matches the exit asked for", async () => {
  await withController({ os: "windows" }, async ({ controller, runtime }) => {
    runtime.deliverConsole("CTRL_C");
    await runtime.advance(0);
    const report = await controller.done;
    await runtime.advance(0);
    assert.equal(runtime.exits.length, 1);
    assert.deepEqual(runtime.exits, [report.exit]);
    assert.deepEqual(report.exit, { code: 130 });
  });
});
