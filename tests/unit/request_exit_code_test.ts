// request(reason, { exitCode }): the status the process ends with, checked.

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("request exitCode: the process exits with the code asked for", async () => {
  await withController({}, async ({ controller, runtime }) => {
    controller.request("fatal config", { exitCode: 78 });
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 78 }]);
    assert.deepEqual((await controller.done).exit, { code: 78 });
  });
});

test("request exitCode: it wins over an Error reason and the program's own code", async () => {
  await withController({}, async ({ controller, runtime }) => {
    runtime.setExitCode(5);
    controller.request(new Error("lost the database"), { exitCode: 0 });
    await runtime.advance(0);
    assert.deepEqual(runtime.exits, [{ code: 0 }]);
  });
});

test("request exitCode: it wins over a signal that comes after", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const scope = controller.protect();
    controller.request("restart", { exitCode: 3 });
    runtime.deliver("SIGTERM");
    scope[Symbol.dispose]();
    await runtime.advance(10);
    assert.deepEqual(runtime.exits, [{ code: 3 }]);
  });
});

test("request exitCode: 0 turns into 1 when a hook failed; a non-zero code stands", async () => {
  for (const [asked, expected] of [[0, 1], [4, 4]]) {
    await withController({}, async ({ controller, runtime }) => {
      controller.onShutdown(() => {
        throw new Error("flush failed");
      });
      controller.request(undefined, { exitCode: asked });
      await runtime.advance(0);
      assert.deepEqual(runtime.exits, [{ code: expected }], `asked ${asked}`);
    });
  }
});

test("request exitCode: a later request's code replaces an earlier one", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const scope = controller.protect();
    controller.request(undefined, { exitCode: 3 });
    controller.request(undefined, { exitCode: 4 });
    scope[Symbol.dispose]();
    await runtime.advance(10);
    assert.deepEqual(runtime.exits, [{ code: 4 }]);
  });
});

const bad: [string, unknown, typeof TypeError | typeof RangeError, string][] = [
  ["256", { exitCode: 256 }, RangeError, "256"],
  ["-1", { exitCode: -1 }, RangeError, "-1"],
  ["1.5", { exitCode: 1.5 }, RangeError, "1.5"],
  ["NaN", { exitCode: NaN }, RangeError, "NaN"],
  ['"1"', { exitCode: "1" }, TypeError, '"1"'],
  ["an unknown option", { code: 1 }, TypeError, '"code"'],
  ["options 5", 5, TypeError, "5"],
];
for (const [label, options, kind, shown] of bad) {
  test(`request exitCode: ${label} is refused, names the option, starts nothing`, async () => {
    await withController({}, ({ controller }) => {
      assert.throws(
        () => controller.request("x", options as { exitCode?: number }),
        (error: unknown) => {
          assert.ok(error instanceof kind, String(error));
          assert.match(error.message, /exitCode|request\(\) options/);
          assert.ok(error.message.includes(shown), error.message);
          return true;
        },
      );
      assert.equal(controller.requested, false);
    });
  });
}
