// Every way a program ends runs the hooks: the end of the program, an uncaught
// error, an explicit exit(), and request(); and the exit code tells the truth.

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("end: the end of the program runs the hooks and asks for no exit", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    let ran = 0;
    controller.onShutdown(() => void ran++, { name: "hook" });
    assert.equal(runtime.endProgram(), true, "more work was scheduled");
    await runtime.advance(0);
    assert.equal(ran, 1);
    const report = await controller.done;
    assert.deepEqual(report.cause, { kind: "end" });
    assert.deepEqual(report.exit, {});
    await runtime.advance(100);
    assert.deepEqual(runtime.exits, []);
    assert.equal(runtime.exitCode(), undefined);
    assert.equal(runtime.endProgram(), false, "the second end needs nothing more");
    assert.equal(ran, 1);
  });
});

test("end: Ctrl-C pressed during the end-of-program hooks still ends by that signal", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => new Promise(() => {}), { name: "slow" });
    runtime.endProgram();
    await runtime.advance(0);
    runtime.deliver("SIGINT");
    runtime.deliver("SIGINT");
    await runtime.advance(0);
    assert.equal(controller.state, "stopping", "the end is no stop request: two do not force");
    runtime.deliver("SIGINT");
    await runtime.advance(0);
    const report = await controller.done;
    assert.equal(report.forced, true);
    assert.equal(report.cause.kind, "end");
    assert.deepEqual(report.exit, { signal: "SIGINT" });
    assert.deepEqual(runtime.exits, [{ signal: "SIGINT" }]);
  });
});

test("end: an error uncaught during the end-of-program hooks sets exit code 1", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => {
      runtime.throwUncaught(new Error("late on purpose"));
    }, { name: "flush" });
    runtime.endProgram();
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => step.outcome), ["ok"]);
    assert.equal(runtime.printed.length, 1, "the error was printed as the runtime would");
    assert.equal(runtime.exitCode(), 1, "the process does not end with 0 after an uncaught error");
  });
});

test("end: a failed hook at the end of the program sets exit code 1", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => {
      throw new Error("flush failed");
    }, { name: "flush" });
    runtime.endProgram();
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => step.outcome), ["threw"]);
    await runtime.advance(0);
    assert.equal(runtime.exitCode(), 1);
    assert.deepEqual(runtime.exits, []);
  });
});

test("error: an uncaught error runs the hooks once and exits with code 1", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    let ran = 0;
    controller.onShutdown(async () => {
      ran++;
      await new Promise<void>((resolve) => runtime.setTimer(resolve, 10));
    }, { name: "hook" });
    const error = new Error("boom");
    assert.equal(runtime.throwUncaught(error), true);
    await runtime.advance(5);
    runtime.throwUncaught(new Error("second"), "rejection");
    await runtime.advance(10);
    assert.equal(ran, 1);
    const report = await controller.done;
    assert.equal(report.cause.kind, "error");
    assert.equal(report.cause.reason, error);
    assert.equal(runtime.printed[0], error);
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 1 }]);
    assert.deepEqual(report.exit, { code: 1 });
  });
});

test("exit: exit(3) runs the synchronous part of the hooks and adds no exit", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const calls: string[] = [];
    controller.onShutdown(() => void calls.push("sync"), { name: "sync" });
    controller.onShutdown(async () => {
      calls.push("async: before await");
      await new Promise(() => {});
      calls.push("async: after await");
    }, { name: "async" });
    let finished = false;
    void controller.done.then(() => finished = true);
    runtime.exitNow(3);
    assert.deepEqual(calls, ["async: before await", "sync"]);
    await runtime.flush();
    assert.equal(finished, true);
    const report = await controller.done;
    assert.equal(report.cause.kind, "exit");
    assert.equal(report.forced, false);
    assert.deepEqual(report.exit, {});
    await runtime.advance(100);
    assert.deepEqual(runtime.exits, [{ code: 3 }]);
    assert.deepEqual(calls, ["async: before await", "sync"]);
  });
});

test("request: the cause carries the reason and the process exits with 0", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => {}, { name: "hook" });
    controller.request("maintenance");
    assert.equal(controller.requested, true);
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.cause, { kind: "request", reason: "maintenance" });
    assert.deepEqual(report.exit, { code: 0 });
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 0 }]);
  });
});

test("request: an Error as the reason exits with 1", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const reason = new Error("fatal");
    controller.request(reason);
    await runtime.advance(0);
    const report = await controller.done;
    assert.equal(report.cause.reason, reason);
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 1 }]);
  });
});

test("request: a failed hook turns exit code 0 into 1", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => Promise.reject(new Error("nope")), { name: "bad" });
    controller.request("done");
    await runtime.advance(0);
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 1 }]);
  });
});

test("exit code: a code the program set before the signal is kept", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    runtime.setExitCode(7);
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.exit, { code: 7 });
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 7 }]);
  });
});

test("exit: exit() while a hook runs ends it (ok, with a note), runs the rest, reports every hook", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const calls: string[] = [];
    let runningSignal: AbortSignal | undefined;
    controller.onShutdown(() => void calls.push("waiting"), { name: "waiting" });
    controller.onShutdown(({ signal }) => {
      runningSignal = signal;
      calls.push("running");
      return new Promise(() => {});
    }, { name: "running" });
    runtime.deliver("SIGTERM");
    await runtime.advance(10);
    assert.deepEqual(calls, ["running"]);

    runtime.exitNow(4);
    assert.deepEqual(calls, ["running", "waiting"]);
    await runtime.flush();
    const report = await controller.done;
    assert.equal(runningSignal?.aborted, true, "the interrupted hook's signal aborts");
    assert.deepEqual(
      report.steps.map((step) => [step.name, step.outcome, step.startMs, step.durationMs]),
      [["running", "ok", 0, 10], ["waiting", "ok", 10, 0]],
      "the running hook ends where exit() found it (most likely it called exit); the waiting one still runs",
    );
    assert.equal(report.steps[0].detail, "the process exited (exit() called) while it ran");
    assert.equal(runtime.exitCode(), 4, "the program's exit code stands");
    assert.equal(report.forced, false, "exit() is the program's own end, not a force");
    assert.equal(report.forcedBy, undefined);
    assert.deepEqual(report.exit, {});
    await runtime.advance(100);
    assert.deepEqual(runtime.exits, [{ code: 4 }], "exit() asks for no second exit");
  });
});
