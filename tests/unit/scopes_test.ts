// Protection scopes: breakpoints, budgets, renewals, nesting, and what a scope
// opened late looks like. Everything runs on the fake clock.

import assert from "node:assert/strict";
import { ShutdownError } from "../../mod.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

function isShutdownError(kind: string): (error: unknown) => boolean {
  return (error) => error instanceof ShutdownError && error.kind === kind;
}

test("scope: breakpoint() does nothing while running", async () => {
  await withController({ budgetMs: 10_000 }, ({ controller }) => {
    const scope = controller.protect(1_000);
    scope.breakpoint();
    scope.breakpoint();
    assert.equal(controller.requested, false);
    assert.equal(scope.signal.aborted, false);
    scope[Symbol.dispose]();
  });
});

test("scope: breakpoint() throws ShutdownError (pending) once a request is pending", async () => {
  await withController({ budgetMs: 10_000 }, ({ controller, runtime }) => {
    const scope = controller.protect(1_000);
    runtime.deliver("SIGTERM");
    assert.throws(() => scope.breakpoint(), isShutdownError("pending"));
    // Pending is not "stop now": the signal waits for the budget.
    assert.equal(scope.signal.aborted, false);
    scope[Symbol.dispose]();
  });
});

test("scope: signal aborts exactly when the budget runs out after the request", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const scope = controller.protect(1_000);
    runtime.deliver("SIGTERM"); // t = 0, the scope's start
    await runtime.advance(999);
    assert.equal(scope.signal.aborted, false);
    await runtime.advance(1); // t = 1000
    assert.equal(scope.signal.aborted, true);
    const reason = scope.signal.reason;
    assert.ok(reason instanceof ShutdownError);
    assert.equal(reason.kind, "budget");
    assert.match(reason.message, /budget/);
    scope[Symbol.dispose]();
  });
});

test("scope: a scope opened before the request keeps its budget, counted from the request", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const scope = controller.protect(1_000);
    await runtime.advance(300);
    runtime.deliver("SIGTERM"); // t = 300
    await runtime.advance(699); // t = 999: the budget from the scope's start is never cut
    assert.equal(scope.signal.aborted, false);
    await runtime.advance(300); // t = 1299
    assert.equal(scope.signal.aborted, false);
    await runtime.advance(1); // t = 1300
    assert.equal(scope.signal.aborted, true);
    scope[Symbol.dispose]();
  });
});

test("scope: a scope gets at least its budget from the latest breakpoint()", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const scope = controller.protect(1_000);
    await runtime.advance(400);
    scope.breakpoint(); // t = 400
    await runtime.advance(100);
    runtime.deliver("SIGTERM"); // t = 500
    await runtime.advance(899); // t = 1399: 999 ms after the breakpoint
    assert.equal(scope.signal.aborted, false);
    await runtime.advance(101); // t = 1500: the budget counted from the request is spent
    assert.equal(scope.signal.aborted, true);
    scope[Symbol.dispose]();
  });
});

test("scope: renew() after the request postpones the abort", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const scope = controller.protect(1_000);
    runtime.deliver("SIGTERM"); // t = 0
    await runtime.advance(600);
    scope.renew(); // t = 600: the budget now ends at 1600
    await runtime.advance(999); // t = 1599
    assert.equal(scope.signal.aborted, false);
    await runtime.advance(1); // t = 1600
    assert.equal(scope.signal.aborted, true);
    scope[Symbol.dispose]();
  });
});

test("scope: remainingMs is Infinity before the request and counts down after", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    await runtime.advance(200);
    const scope = controller.protect(1_000);
    assert.equal(scope.remainingMs, Infinity);
    runtime.deliver("SIGTERM"); // t = 200
    assert.equal(scope.remainingMs, 1_000);
    await runtime.advance(300);
    assert.equal(scope.remainingMs, 700);
    scope.renew();
    assert.equal(scope.remainingMs, 1_000);
    await runtime.advance(1_000);
    assert.equal(scope.remainingMs, 0);
    assert.equal(scope.signal.aborted, true);
    scope[Symbol.dispose]();
  });
});

test("scope: nested scopes hold the process until every one is closed", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    let ran = 0;
    controller.onShutdown(() => void ran++, { name: "hook" });
    const outer = controller.protect(5_000);
    const inner = controller.protect(5_000);
    runtime.deliver("SIGTERM");
    await runtime.advance(100);
    inner[Symbol.dispose]();
    await runtime.advance(100);
    assert.equal(ran, 0);
    assert.equal(controller.state, "stopping");
    assert.deepEqual(runtime.exits, []);
    outer[Symbol.dispose]();
    await runtime.advance(0);
    assert.equal(ran, 1);
    assert.equal(controller.state, "done");
    assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
  });
});

test("scope: disposing the last scope starts the hooks", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    let ranAt = -1;
    controller.onShutdown(() => void (ranAt = runtime.now()), { name: "hook" });
    const scope = controller.protect(5_000);
    runtime.deliver("SIGINT");
    await runtime.advance(2_000);
    assert.equal(ranAt, -1);
    scope[Symbol.dispose]();
    await runtime.advance(0);
    assert.equal(ranAt, 2_000);
    const report = await controller.done;
    assert.deepEqual(report.steps.map((step) => [step.name, step.outcome, step.startMs]), [
      ["hook", "ok", 2_000],
    ]);
  });
});

test("scope: a scope opened after the request starts pending", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const holder = controller.protect(5_000);
    runtime.deliver("SIGTERM");
    await runtime.advance(100);
    const late = controller.protect(500); // t = 100
    assert.equal(late.remainingMs, 500);
    assert.throws(() => late.breakpoint(), isShutdownError("pending"));
    await runtime.advance(499); // t = 599
    assert.equal(late.signal.aborted, false);
    assert.equal(late.remainingMs, 1);
    await runtime.advance(1); // t = 600
    assert.equal(late.signal.aborted, true);
    late[Symbol.dispose]();
    holder[Symbol.dispose]();
  });
});

test("scope: a scope opened while the shutdown is forced is aborted at once", async () => {
  await withController({ maxAttempts: 2 }, async ({ controller, runtime }) => {
    // A hook that ignores its signal keeps the state at "forcing" a while.
    controller.onShutdown(() => new Promise(() => {}), { name: "stuck" });
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    runtime.deliver("SIGTERM");
    assert.equal(controller.state, "forcing");
    const scope = controller.protect();
    assert.equal(scope.signal.aborted, true);
    assert.ok(isShutdownError("forced")(scope.signal.reason));
    assert.throws(() => scope.breakpoint(), isShutdownError("forced"));
    assert.equal(scope.remainingMs, 0, "an aborted scope has no time left");
    scope[Symbol.dispose]();
  });
});

test("scope: protect() after the shutdown ended throws, saying so", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.request("finished");
    await runtime.advance(0);
    assert.equal(controller.state, "done");
    assert.throws(
      () => controller.protect(1_000),
      /protect\(\) called after the shutdown ended; nothing would run it now/,
    );
  });
});

// The deadline is budgetMs; a scope without a budget of its own gets it less
// the hooks' reserve (a tenth), so the hooks still have time after it.
for (
  const [os, deadline, budget] of [["posix", 89_500, 80_550], ["windows", 4_500, 4_050]] as const
) {
  test(`scope: protect() defaults to a ${budget} ms budget on ${os} (deadline ${deadline})`, async () => {
    await withController({ os }, async ({ controller, runtime }) => {
      assert.equal(controller.budgetMs, deadline);
      const scope = controller.protect();
      runtime.deliver("SIGINT");
      assert.equal(scope.remainingMs, budget);
      await runtime.advance(budget - 1);
      assert.equal(scope.signal.aborted, false);
      await runtime.advance(1);
      assert.equal(scope.signal.aborted, true);
      scope[Symbol.dispose]();
    });
  });
}
