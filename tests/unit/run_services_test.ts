// controller.run(services): shielded start-up, finalization in reverse order.

import assert from "node:assert/strict";
import { type Service, ShutdownError } from "../../mod.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => resolve = done);
  return { promise, resolve };
}

function logged(name: string, log: string[]): Service {
  return {
    name,
    start: () => void log.push(`start ${name}`),
    stop: () => void log.push(`stop ${name}`),
  };
}

function track(promise: Promise<unknown>): { settled: boolean; error?: unknown } {
  const state: { settled: boolean; error?: unknown } = { settled: false };
  promise.then(
    () => state.settled = true,
    (error) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

test("run: starts in order and stops in reverse after a request", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const log: string[] = [];
    const running = track(controller.run(["a", "b", "c"].map((name) => logged(name, log))));
    await runtime.advance(1_000);
    assert.deepEqual(log, ["start a", "start b", "start c"]);
    assert.equal(running.settled, false);
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    assert.deepEqual(log, ["start a", "start b", "start c", "stop c", "stop b", "stop a"]);
    assert.equal(running.settled, true);
    assert.equal(running.error, undefined);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [
      ["c", "ok"],
      ["b", "ok"],
      ["a", "ok"],
    ]);
  });
});

test("run: a request during a slow start() is held, then the stops run at once", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const log: string[] = [];
    const gate = deferred();
    const running = track(controller.run([
      {
        name: "slow",
        start: async () => {
          log.push("start slow");
          await gate.promise;
          log.push("started slow");
        },
        stop: () => void log.push(`stop slow at ${runtime.now()}`),
      },
      logged("next", log),
    ]));
    await runtime.advance(100);
    runtime.deliver("SIGTERM"); // t = 100
    await runtime.advance(2_000);
    assert.deepEqual(log, ["start slow"]);
    assert.equal(controller.state, "stopping");
    gate.resolve(); // t = 2100
    await runtime.advance(0);
    assert.deepEqual(log, [
      "start slow",
      "started slow",
      "start next",
      "stop next",
      "stop slow at 2100",
    ]);
    assert.equal(running.settled, true);
    const report = await controller.done;
    assert.equal(report.forced, false);
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [
      ["next", "ok"],
      ["slow", "ok"],
    ]);
  });
});

test("run: a second request during the stops does not interrupt them", async () => {
  await withController({ budgetMs: 10_000, maxAttempts: 3 }, async ({ controller, runtime }) => {
    const gate = deferred();
    let stopSignal: AbortSignal | undefined;
    const running = track(controller.run({
      name: "server",
      stop: async ({ signal }) => {
        stopSignal = signal;
        await gate.promise;
      },
    }));
    await runtime.flush();
    runtime.deliver("SIGTERM");
    await runtime.advance(100);
    assert.ok(stopSignal !== undefined);
    runtime.deliver("SIGTERM");
    await runtime.advance(100);
    assert.equal(stopSignal.aborted, false);
    assert.equal(controller.state, "stopping");
    assert.equal(running.settled, false);
    gate.resolve();
    await runtime.flush();
    assert.equal(running.settled, true);
    const report = await controller.done;
    assert.equal(report.attempts, 2);
    assert.equal(report.forced, false);
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome, step.durationMs]), [
      ["server", "ok", 200],
    ]);
  });
});

test("run: a throwing start() stops the started services in reverse and rejects", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const log: string[] = [];
    const failure = new Error("port in use");
    const running = controller.run([
      logged("a", log),
      logged("b", log),
      {
        name: "c",
        start: () => {
          log.push("start c");
          throw failure;
        },
        stop: () => void log.push("stop c"),
      },
      logged("d", log),
    ]);
    await assert.rejects(running, (error: unknown) => error === failure);
    assert.deepEqual(log, ["start a", "start b", "start c", "stop b", "stop a"]);
    // The rolled-back services are not stopped a second time at shutdown.
    controller.request();
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => step.name), []);
    assert.deepEqual(log, ["start a", "start b", "start c", "stop b", "stop a"]);
  });
});

test("run: resolves only after every stop has ended", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const running = track(controller.run([
      { name: "quick", stop: () => {} },
      {
        name: "slow",
        stop: () => new Promise<void>((resolve) => runtime.setTimer(resolve, 50)),
      },
    ]));
    await runtime.flush();
    controller.request();
    await runtime.advance(49);
    assert.equal(running.settled, false);
    await runtime.advance(1);
    assert.equal(running.settled, true);
  });
});

test("run: a stop that outlives stopTimeoutMs is timed out and the rest still stop", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const log: string[] = [];
    const running = track(controller.run([
      logged("db", log),
      { name: "stuck", stop: () => new Promise(() => {}), stopTimeoutMs: 300 },
    ]));
    await runtime.flush();
    controller.request();
    await runtime.advance(299);
    assert.deepEqual(log, ["start db"]);
    await runtime.advance(1);
    assert.deepEqual(log, ["start db", "stop db"]);
    assert.equal(running.settled, true);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [
      ["stuck", "timed-out"],
      ["db", "ok"],
    ]);
  });
});

test("run: called once shutdown is pending, it rejects with ShutdownError", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller }) => {
    const scope = controller.protect(5_000);
    controller.request();
    let started = false;
    await assert.rejects(
      controller.run({ start: () => void (started = true) }),
      ShutdownError,
    );
    assert.equal(started, false);
    scope[Symbol.dispose]();
  });
});
