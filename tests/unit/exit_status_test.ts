// After a signal-initiated shutdown the process dies by that signal, and the
// report says so.

import assert from "node:assert/strict";
import { ShutdownController, type StopSignal } from "../../mod.ts";
import { FakeRuntime } from "../../testing.ts";
import { test } from "../_harness.ts";

const posixSignals: StopSignal[] = ["SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP"];

for (const signal of posixSignals) {
  test(`exit status: a ${signal} shutdown dies by ${signal}`, async () => {
    const runtime = new FakeRuntime();
    const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
    try {
      controller.onShutdown(() => {}, { name: "hook" });
      runtime.deliver(signal);
      await runtime.advance(0);
      const report = await controller.done;
      assert.deepEqual(report.cause, { kind: "signal", signal });
      assert.deepEqual(report.exit, { signal });
      await runtime.advance(0);
      assert.deepEqual(runtime.exits, [{ signal }]);
      assert.deepEqual(runtime.exits, [report.exit]);
    } finally {
      controller[Symbol.dispose]();
    }
  });
}

test("exit status: a SIGBREAK shutdown on windows exits 149: Windows cannot re-raise", async () => {
  const runtime = new FakeRuntime({ os: "windows" });
  const controller = new ShutdownController({ runtime });
  try {
    runtime.deliver("SIGBREAK");
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.exit, { code: 128 + 21 });
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 128 + 21 }]);
  } finally {
    controller[Symbol.dispose]();
  }
});

test("exit status: a forced shutdown dies by the signal too", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
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
  } finally {
    controller[Symbol.dispose]();
  }
});

test("exit status: the exit comes after the code awaiting done has run", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
  try {
    let exitsSeenByDone = -1;
    void controller.done.then(() => exitsSeenByDone = runtime.exits.length);
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    await runtime.advance(0);
    assert.equal(exitsSeenByDone, 0);
    assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
  } finally {
    controller[Symbol.dispose]();
  }
});

test("exit status: a console event's exit in the report matches the exit asked for", async () => {
  const runtime = new FakeRuntime({ os: "windows" });
  const controller = new ShutdownController({ runtime });
  try {
    runtime.deliverConsole("CTRL_C");
    await runtime.advance(0);
    const report = await controller.done;
    await runtime.advance(0);
    assert.equal(runtime.exits.length, 1);
    assert.deepEqual(runtime.exits, [report.exit]);
    assert.deepEqual(report.exit, { code: 130 });
  } finally {
    controller[Symbol.dispose]();
  }
});
