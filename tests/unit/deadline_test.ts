// The deadline: budgetMs after the first request, a shutdown that has not
// ended is forced.

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("deadline: a hanging hook is cut budgetMs after the first request", async () => {
  let terminations = 0;
  await withController(
    { budgetMs: 1_000, beforeTermination: () => void terminations++ },
    async ({ controller, runtime }) => {
      let hookSignal: AbortSignal | undefined;
      controller.onShutdown(({ signal }) => {
        hookSignal = signal;
        return new Promise(() => {});
      }, { name: "hangs" });
      let finished = false;
      void controller.done.then(() => finished = true);

      await runtime.advance(50);
      runtime.deliver("SIGTERM"); // t = 50
      await runtime.advance(999); // t = 1049
      assert.equal(finished, false);
      assert.equal(controller.state, "stopping");
      assert.equal(hookSignal?.aborted, false);
      assert.equal(terminations, 0);

      await runtime.advance(1); // t = 1050
      assert.equal(finished, true);
      assert.equal(hookSignal?.aborted, true);
      const report = await controller.done;
      assert.equal(report.forced, true);
      assert.equal(report.forcedBy, "deadline");
      assert.equal(report.durationMs, 1_000);
      assert.deepEqual(report.steps.map((step) => [step.name, step.outcome]), [["hangs", "cut"]]);
      assert.equal(terminations, 1);
      await runtime.advance(0);
      assert.deepEqual(runtime.exits, [{ signal: "SIGTERM" }]);
    },
  );
});

test("deadline: later requests do not move the deadline", async () => {
  await withController({ budgetMs: 1_000, maxAttempts: 5 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => new Promise(() => {}), { name: "hangs" });
    runtime.deliver("SIGINT"); // t = 0
    await runtime.advance(600);
    runtime.deliver("SIGINT"); // t = 600
    await runtime.advance(399); // t = 999
    assert.equal(controller.state, "stopping");
    await runtime.advance(1); // t = 1000
    assert.equal(controller.state, "done");
    const report = await controller.done;
    assert.equal(report.forcedBy, "deadline");
    assert.equal(report.attempts, 2);
  });
});
