// Bad input: each rejected call names the option and shows the value, and
// leaves nothing half-registered.

import assert from "node:assert/strict";
import { type Service, ShutdownController, type ShutdownControllerOptions } from "../../mod.ts";
import { FakeRuntime } from "../../testing.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

type ErrorClass = typeof TypeError | typeof RangeError;

function rejection(kind: ErrorClass, ...parts: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof kind, `expected a ${kind.name}, got ${String(error)}`);
    for (const part of parts) {
      assert.ok(error.message.includes(part), `${JSON.stringify(error.message)} lacks ${part}`);
    }
    return true;
  };
}

const badOptions: [string, Record<string, unknown>, ErrorClass, string[]][] = [
  ["budgetMs -1", { budgetMs: -1 }, RangeError, ["budgetMs", "-1"]],
  ["budgetMs NaN", { budgetMs: NaN }, RangeError, ["budgetMs", "NaN"]],
  ["budgetMs Infinity", { budgetMs: Infinity }, RangeError, ["budgetMs", "Infinity"]],
  ['budgetMs "5"', { budgetMs: "5" }, TypeError, ["budgetMs", '"5"']],
  ["maxAttempts 0", { maxAttempts: 0 }, RangeError, ["maxAttempts", "got 0"]],
  ["maxAttempts 1.5", { maxAttempts: 1.5 }, RangeError, ["maxAttempts", "1.5"]],
  ['terminateOnHup "yes"', { terminateOnHup: "yes" }, TypeError, ["terminateOnHup", '"yes"']],
  ["onHup 5", { onHup: 5 }, TypeError, ["onHup", "5"]],
  ["beforeTermination {}", { beforeTermination: {} }, TypeError, ["beforeTermination", "{}"]],
  ["an unknown option", { budgetMS: 5 }, TypeError, ["budgetMS"]],
];

for (const [label, options, kind, parts] of badOptions) {
  test(`validation: the constructor rejects ${label}`, () => {
    const runtime = new FakeRuntime();
    assert.throws(
      () => new ShutdownController({ runtime, ...options } as ShutdownControllerOptions),
      rejection(kind, ...parts),
    );
    assert.equal(runtime.listenerCount, 0, "nothing was subscribed");
    // Nor was the runtime claimed: a second controller on it would throw.
    new ShutdownController({ runtime })[Symbol.dispose]();
  });
}

for (const budget of [-1, NaN]) {
  test(`validation: protect(${budget}) is a RangeError and registers no scope`, async () => {
    await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
      assert.throws(() => controller.protect(budget), rejection(RangeError, String(budget)));
      controller.request();
      await runtime.advance(0);
      assert.equal(controller.state, "done", "no scope holds the shutdown");
    });
  });
}

type HookCall = (controller: ShutdownController) => unknown;

const badHooks: [string, HookCall, ErrorClass, string[]][] = [
  ["onShutdown(42)", (c) => c.onShutdown(42 as unknown as () => void), TypeError, ["hook", "42"]],
  [
    "onShutdown(fn, { timeoutMs: -5 })",
    (c) => c.onShutdown(() => {}, { timeoutMs: -5 }),
    RangeError,
    ["timeoutMs", "-5"],
  ],
  [
    'onShutdown(fn, { nmae: "x" })',
    (c) => c.onShutdown(() => {}, { nmae: "x" } as unknown as { name: string }),
    TypeError,
    ["nmae"],
  ],
];

for (const [label, call, kind, parts] of badHooks) {
  test(`validation: ${label} is rejected and registers no hook`, async () => {
    await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
      controller.onShutdown(() => {}, { name: "kept" });
      assert.throws(() => call(controller), rejection(kind, ...parts));
      controller.request();
      await runtime.advance(0);
      const report = await controller.done;
      assert.deepEqual(report.steps.map((step) => step.name), ["kept"]);
    });
  });
}

const badServices: [string, unknown, string[]][] = [
  ["run(null)", null, ["service", "null"]],
  ["run([{ start: 1 }])", [{ start: 1 }], ["start", "1"]],
];

for (const [label, services, parts] of badServices) {
  test(`validation: ${label} is a TypeError and holds nothing`, async () => {
    await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
      await assert.rejects(
        async () => await controller.run(services as Service[]),
        rejection(TypeError, ...parts),
      );
      controller.request();
      await runtime.advance(0);
      assert.equal(controller.state, "done", "no start-up hold is left");
      const report = await controller.done;
      assert.deepEqual(report.steps, []);
    });
  });
}

test("validation: an unknown signal or console event name is a TypeError naming it", async () => {
  await withController({}, ({ controller, runtime }) => {
    assert.throws(
      () => runtime.deliver("SIGFOO" as "SIGINT"),
      (error: unknown) =>
        error instanceof TypeError && /signal/.test(error.message) &&
        error.message.includes('"SIGFOO"'),
    );
    assert.throws(
      () => runtime.deliverConsole("CTRL_FOO" as "CTRL_C"),
      (error: unknown) =>
        error instanceof TypeError && /console event/.test(error.message) &&
        error.message.includes('"CTRL_FOO"'),
    );
    assert.equal(controller.requested, false, "nothing was delivered");
  });
});
