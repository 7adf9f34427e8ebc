// controller.done: what the ShutdownReport holds.

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("report: cause, steps with timings, attempts and duration", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => {}, { name: "quick" });
    controller.onShutdown(
      () => new Promise<void>((resolve) => runtime.setTimer(resolve, 50)),
      { name: "slow" },
    );
    await runtime.advance(100);
    runtime.deliver("SIGTERM"); // t = 100
    await runtime.advance(20);
    runtime.deliver("SIGTERM"); // a second attempt while "slow" runs
    await runtime.advance(30); // t = 150
    const report = await controller.done;
    assert.deepEqual(report.cause, { kind: "signal", signal: "SIGTERM" });
    assert.deepEqual(report.steps, [
      { name: "slow", outcome: "ok", startMs: 0, durationMs: 50 },
      { name: "quick", outcome: "ok", startMs: 50, durationMs: 0 },
    ]);
    assert.equal(report.attempts, 2);
    assert.equal(report.forced, false);
    assert.equal(report.forcedBy, undefined);
    assert.deepEqual(report.openScopes, []);
    assert.equal(report.durationMs, 50);
  });
});

test("report: openScopes names the scopes still open when force came", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const closed = controller.protect(5_000, { name: "closed" });
    const db = controller.protect(5_000, { name: "db" });
    const unnamed = controller.protect(5_000);
    runtime.deliver("SIGINT");
    closed[Symbol.dispose]();
    await runtime.advance(10);
    runtime.deliver("SIGINT");
    runtime.deliver("SIGINT");
    const report = await controller.done;
    assert.equal(report.forced, true);
    assert.equal(unnamed.name, "scope 1", "unnamed scopes are counted apart from named ones");
    assert.deepEqual(report.openScopes, ["db", "scope 1"]);
    assert.equal(report.attempts, 3);
    db[Symbol.dispose]();
    unnamed[Symbol.dispose]();
  });
});

test("report: a throwing step carries its error", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const error = new TypeError("bad state");
    controller.onShutdown(() => {
      throw error;
    }, { name: "bad" });
    controller.request();
    await runtime.advance(0);
    const report = await controller.done;
    assert.equal(report.steps.length, 1);
    assert.equal(report.steps[0].outcome, "threw");
    assert.equal(report.steps[0].error, error);
  });
});

test("report: a step's note() becomes its detail, the latest one, kept when the step is cut", async () => {
  await withController({ budgetMs: 1_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(({ note }) => note("runs after the cut: never"), { name: "plain" });
    controller.onShutdown(({ note }) => {
      note("0 of 3 done");
      note("1 of 3 done");
      return new Promise(() => {}); // hangs: the deadline cuts it
    }, { name: "slow" });
    controller.onShutdown(() => {}, { name: "silent" });
    runtime.deliver("SIGTERM");
    await runtime.advance(1_000);
    const report = await controller.done;
    assert.deepEqual(
      report.steps.map((step) => [step.name, step.outcome, step.detail]),
      [["silent", "ok", undefined], ["slow", "cut", "1 of 3 done"], ["plain", "cut", undefined]],
    );
    // The table on stderr shows it.
    assert.match(runtime.stderr.join(""), /cut .* slow +\(1 of 3 done\)/);
  });
});
