// The `signals` option: which signals start a shutdown, checked up front.

import assert from "node:assert/strict";
import { ShutdownController, type ShutdownControllerOptions } from "../../mod.ts";
import { FakeRuntime } from "../../testing.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("signals: a listed SIGUSR2 starts the shutdown and the process dies by it", async () => {
  await withController({ signals: ["SIGTERM", "SIGUSR2"] }, async ({ controller, runtime }) => {
    runtime.deliver("SIGUSR2");
    assert.equal(controller.requested, true);
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.cause, { kind: "signal", signal: "SIGUSR2" });
    assert.deepEqual(runtime.exits, [{ signal: "SIGUSR2" }]);
  });
});

test("signals: a signal left out is not listened to (it keeps the runtime's default)", async () => {
  await withController({ signals: ["SIGTERM"] }, ({ controller, runtime }) => {
    runtime.deliver("SIGINT");
    runtime.deliver("SIGUSR2");
    assert.equal(controller.requested, false);
    runtime.deliver("SIGTERM");
    assert.equal(controller.requested, true);
  });
});

test("signals: by default SIGUSR2 is not listened to", async () => {
  await withController({}, ({ controller, runtime }) => {
    runtime.deliver("SIGUSR2");
    assert.equal(controller.requested, false);
  });
});

test("signals: an empty list listens to no signal; request() still works", async () => {
  await withController({ signals: [] }, async ({ controller, runtime }) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP"] as const) {
      runtime.deliver(signal);
    }
    assert.equal(controller.requested, false);
    controller.request();
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 0 }]);
  });
});

test("signals: on Windows only what the runtime delivers there is listened to", async () => {
  await withController(
    { os: "windows", signals: ["SIGBREAK", "SIGUSR2"] },
    ({ controller, runtime }) => {
      runtime.deliver("SIGINT");
      assert.equal(controller.requested, false);
      runtime.deliver("SIGBREAK");
      assert.equal(controller.requested, true);
    },
  );
});

test("signals: SIGHUP listed with terminateOnHup false reloads only", async () => {
  let reloads = 0;
  await withController({
    signals: ["SIGTERM", "SIGHUP"],
    terminateOnHup: false,
    onHup: () => reloads++,
  }, ({ controller, runtime }) => {
    runtime.deliver("SIGHUP");
    assert.equal(reloads, 1);
    assert.equal(controller.requested, false);
  });
});

type ErrorClass = typeof TypeError | typeof RangeError;
const bad: [string, Record<string, unknown>, ErrorClass, string[]][] = [
  ['"SIGTERM"', { signals: "SIGTERM" }, TypeError, ["signals", '"SIGTERM"']],
  ["[15]", { signals: [15] }, TypeError, ["signals[0]", "15"]],
  ["an unknown name", { signals: ["SIGTERM", "SIGTREM"] }, RangeError, [
    "signals[1]",
    '"SIGTREM"',
    "SIGUSR2",
  ]],
  ["a lowercase name", { signals: ["sigterm"] }, RangeError, ["signals[0]", '"sigterm"']],
  ["SIGKILL", { signals: ["SIGKILL"] }, RangeError, [
    "signals[0]",
    '"SIGKILL"',
    "cannot be caught",
  ]],
  ["SIGSTOP", { signals: ["SIGSTOP"] }, RangeError, [
    "signals[0]",
    '"SIGSTOP"',
    "cannot be caught",
  ]],
  ["SIGUSR1", { signals: ["SIGUSR1"] }, RangeError, ["signals[0]", '"SIGUSR1"', "debugger"]],
  ["a duplicate", { signals: ["SIGINT", "SIGTERM", "SIGINT"] }, RangeError, [
    "signals",
    '"SIGINT" twice',
  ]],
  ["onHup without SIGHUP", { signals: ["SIGTERM"], onHup: () => {} }, TypeError, [
    "onHup",
    "SIGHUP",
    '["SIGTERM"]',
  ]],
  ["terminateOnHup without SIGHUP", { signals: ["SIGTERM"], terminateOnHup: false }, TypeError, [
    "terminateOnHup",
    "SIGHUP",
  ]],
];

for (const [label, options, kind, parts] of bad) {
  test(`signals: the constructor rejects ${label}, naming the option and the value`, () => {
    const runtime = new FakeRuntime();
    assert.throws(
      () => new ShutdownController({ runtime, ...options } as ShutdownControllerOptions),
      (error: unknown) => {
        assert.ok(error instanceof kind, `expected a ${kind.name}, got ${String(error)}`);
        for (const part of parts) {
          assert.ok(error.message.includes(part), `${error.message} lacks ${part}`);
        }
        return true;
      },
    );
    assert.equal(runtime.listenerCount, 0, "nothing was subscribed");
    new ShutdownController({ runtime })[Symbol.dispose]();
  });
}

test("signals: terminateOnHup true without SIGHUP is what SIGHUP's default does: accepted", async () => {
  await withController(
    { signals: ["SIGTERM"], terminateOnHup: true },
    ({ controller, runtime }) => {
      runtime.deliver("SIGHUP");
      assert.equal(controller.requested, false);
    },
  );
});

test("signals: the list is copied, so changing the caller's array changes nothing", async () => {
  const signals: ("SIGTERM" | "SIGINT")[] = ["SIGTERM"];
  await withController({ signals }, ({ controller, runtime }) => {
    signals.push("SIGINT");
    runtime.deliver("SIGINT");
    assert.equal(controller.requested, false);
  });
});
