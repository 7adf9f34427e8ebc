// run()'s start-up: bounded starts, `started`, readiness, and groups of
// services stopped together.

import assert from "node:assert/strict";
import { readiness, type Service } from "../../mod.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

function track(promise: Promise<unknown>): { settled: boolean; error?: unknown } {
  const state: { settled: boolean; error?: unknown } = { settled: false };
  promise.then(() => state.settled = true, (error) => {
    state.settled = true;
    state.error = error;
  });
  return state;
}

const hang = (): Promise<void> => new Promise(() => {});

function logged(name: string, log: string[], stopMs = 0): Service {
  return {
    name,
    start: () => void log.push(`start ${name}`),
    stop: async () => {
      log.push(`stop ${name} begins`);
      for (let turn = 0; turn < stopMs; turn++) await Promise.resolve();
      log.push(`stop ${name}`);
    },
  };
}

// --- point 8: a start that hangs ------------------------------------------

test("start-up: a hanging start under SIGTERM is given up at the scope budget; the stops keep the reserve", async () => {
  await withController({ budgetMs: 2_000 }, async ({ controller, runtime }) => {
    const log: string[] = [];
    let startSignal: AbortSignal | undefined;
    const running = track(controller.run([
      logged("db", log),
      {
        name: "cache",
        start: ({ signal }) => {
          startSignal = signal;
          return hang();
        },
      },
      logged("http", log),
    ]));
    await runtime.advance(10);
    runtime.deliver("SIGTERM"); // t = 10
    await runtime.advance(1_799); // the hold's budget: 2000 - 200 (reserve) from t = 10
    assert.deepEqual(log, ["start db"]);
    assert.equal(startSignal?.aborted, false);
    await runtime.advance(1);
    assert.equal(startSignal?.aborted, true, "the start's signal aborts when it is given up");
    await runtime.advance(0);
    assert.deepEqual(log, ["start db", "stop db begins", "stop db"], "http never started");
    assert.equal(running.settled, true);
    assert.equal(running.error, undefined, "a start cut by the shutdown is reported, not thrown");
    const report = await controller.done;
    assert.equal(report.forced, false);
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [
      ["cache (start)", "cut"],
      ["db", "ok"],
    ]);
    assert.match(report.steps[0].detail ?? "", /start-up hold/);
    assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
  });
});

test("start-up: startTimeoutMs bounds a start with no shutdown: what started stops, run rejects", async () => {
  await withController({}, async ({ controller, runtime }) => {
    const log: string[] = [];
    const running = track(controller.run([
      logged("db", log),
      { name: "cache", start: hang, startTimeoutMs: 500 },
    ]));
    await runtime.advance(499);
    assert.equal(running.settled, false);
    await runtime.advance(1);
    await runtime.advance(0);
    assert.deepEqual(log, ["start db", "stop db begins", "stop db"]);
    assert.ok(running.error instanceof Error);
    assert.equal(running.error.name, "TimeoutError");
    assert.match(running.error.message, /cache did not start within its startTimeoutMs \(500 ms\)/);
    assert.equal(controller.requested, false);
    assert.equal(controller.started, false);
  });
});

test("start-up: startTimeoutMs during a pending shutdown: reported timed-out, the stops run in the shutdown", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const log: string[] = [];
    const running = track(controller.run([
      logged("db", log),
      { name: "cache", start: hang, startTimeoutMs: 500 },
    ]));
    runtime.deliver("SIGTERM");
    await runtime.advance(500);
    await runtime.advance(0);
    assert.deepEqual(log, ["start db", "stop db begins", "stop db"]);
    assert.equal(running.settled, true);
    assert.equal((running.error as Error | undefined)?.name, "TimeoutError");
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [
      ["cache (start)", "timed-out"],
      ["db", "ok"],
    ]);
  });
});

test("start-up: a start that ends within startTimeoutMs is not affected", async () => {
  await withController({}, async ({ controller, runtime }) => {
    const log: string[] = [];
    const running = track(controller.run([{ ...logged("db", log), startTimeoutMs: 500 }]));
    await runtime.advance(2_000);
    assert.equal(running.settled, false);
    assert.equal(controller.started, true);
    controller.request();
    await runtime.advance(0);
    assert.deepEqual(log, ["start db", "stop db begins", "stop db"]);
    assert.equal(running.error, undefined);
  });
});

// --- point 9: started and readiness ----------------------------------------

test("started: false while run() starts, true after; readiness answers 503 then 200", async () => {
  await withController({}, async ({ controller, runtime }) => {
    assert.equal(controller.started, true, "no run(): started from the beginning");
    assert.equal(readiness(controller).status, 200);
    let release!: () => void;
    void controller.run({ name: "db", start: () => new Promise<void>((r) => release = r) });
    assert.equal(controller.started, false);
    const starting = readiness(controller);
    assert.equal(starting.status, 503);
    assert.equal(await starting.text(), "starting\n");
    release();
    await runtime.advance(0);
    assert.equal(controller.started, true);
    assert.equal(readiness(controller).status, 200);
    controller.request();
    assert.equal(readiness(controller).status, 503);
    await runtime.advance(0);
  });
});

test("started: false after a start-up that threw", async () => {
  await withController({}, async ({ controller, runtime }) => {
    const running = controller.run({
      start: () => {
        throw new Error("no database");
      },
    });
    await assert.rejects(running, /no database/);
    await runtime.advance(0);
    assert.equal(controller.started, false);
    assert.equal(readiness(controller).status, 503);
  });
});

// --- point 10: groups stopped together -----------------------------------

test("groups: the members' stops run together, each its own step, the list in reverse", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const log: string[] = [];
    const running = track(controller.run([
      logged("db", log),
      [logged("http", log, 1), logged("grpc", log, 1)],
      logged("jobs", log),
    ]));
    await runtime.advance(0);
    controller.request();
    await runtime.advance(0);
    await runtime.advance(0);
    assert.deepEqual(log.slice(4), [
      "stop jobs begins",
      "stop jobs",
      "stop http begins",
      "stop grpc begins", // before http ended: together
      "stop http",
      "stop grpc",
      "stop db begins",
      "stop db",
    ]);
    assert.equal(running.settled, true);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => step.name), ["jobs", "http", "grpc", "db"]);
    assert.ok(report.steps.every((step) => step.outcome === "ok"));
  });
});

test("groups: each member within its own stopTimeoutMs; one that hangs does not hold the others", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const log: string[] = [];
    void controller.run([
      logged("db", log),
      [
        { name: "stuck", stop: hang, stopTimeoutMs: 300 },
        { name: "quick", stop: () => void log.push("quick stopped") },
      ],
    ]);
    await runtime.advance(0);
    controller.request(); // t = 0
    await runtime.advance(0);
    assert.deepEqual(log, ["start db", "quick stopped"]);
    await runtime.advance(300);
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome, step.startMs]), [
      ["quick", "ok", 0],
      ["stuck", "timed-out", 0],
      ["db", "ok", 300],
    ]);
  });
});

test("groups: members start together; if one fails the others that started are stopped", async () => {
  await withController({}, async ({ controller, runtime }) => {
    const log: string[] = [];
    let release!: () => void;
    const running = track(controller.run([
      logged("db", log),
      [
        {
          name: "slow",
          start: async () => {
            log.push("start slow");
            await new Promise<void>((r) => release = r);
          },
          stop: () => void log.push("stop slow"),
        },
        {
          name: "broken",
          start: () => {
            log.push("start broken");
            throw new Error("port in use");
          },
        },
      ],
    ]));
    await runtime.advance(0);
    assert.deepEqual(log, ["start db", "start slow", "start broken"]);
    release();
    await runtime.advance(0);
    assert.deepEqual(log.slice(3), ["stop slow", "stop db begins", "stop db"]);
    assert.match(String(running.error), /port in use/);
  });
});

test("groups: exit() runs each member's synchronous part and reports each", async () => {
  await withController({}, async ({ controller, runtime }) => {
    const log: string[] = [];
    void controller.run([[
      { name: "a", stop: () => void log.push("a") },
      { name: "b", stop: () => void log.push("b") },
    ]]);
    await runtime.advance(0);
    runtime.exitNow(0);
    assert.deepEqual(log, ["a", "b"]);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [["a", "ok"], [
      "b",
      "ok",
    ]]);
  });
});

test("groups: a forced shutdown reports every member cut", async () => {
  await withController({ budgetMs: 10_000, maxAttempts: 2 }, async ({ controller, runtime }) => {
    const log: string[] = [];
    void controller.run([
      [{ name: "a", stop: hang }, { name: "b", stop: hang }],
      [{ name: "c", stop: () => void log.push("c") }, {
        name: "d",
        stop: () => void log.push("d"),
      }],
    ]);
    await runtime.advance(0);
    controller.request();
    await runtime.advance(0);
    controller.request(); // forces
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [
      ["c", "ok"],
      ["d", "ok"],
      ["a", "cut"],
      ["b", "cut"],
    ]);
  });
});

const badServices: [string, unknown, typeof TypeError | typeof RangeError, string][] = [
  ["an empty group", [[]], RangeError, "services[0]"],
  ["a nested group", [[[{}]]], TypeError, "services[0][0]"],
  ["a member that is not an object", [[{}, 5]], TypeError, "services[0][1]"],
  ["startTimeoutMs -1", [{ startTimeoutMs: -1 }], RangeError, "services[0].startTimeoutMs"],
  ['startTimeoutMs "5"', [[{ startTimeoutMs: "5" }]], TypeError, "services[0][0].startTimeoutMs"],
];
for (const [label, services, kind, part] of badServices) {
  test(`run() rejects ${label}, naming it, and starts nothing`, async () => {
    await withController({}, async ({ controller }) => {
      await assert.rejects(controller.run(services as Service[]), (error: unknown) => {
        assert.ok(error instanceof kind, String(error));
        assert.ok(error.message.includes(part), error.message);
        return true;
      });
      assert.equal(controller.started, true);
    });
  });
}

test("start-up: the first start() is called at once, within the run() call", async () => {
  await withController({}, async ({ controller, runtime }) => {
    const log: string[] = [];
    const running = controller.run([logged("db", log), logged("http", log)]);
    assert.deepEqual(log, ["start db"]);
    controller.request();
    await runtime.advance(0);
    await running;
  });
});
