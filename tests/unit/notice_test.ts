// What the controller writes: the first-Ctrl-C notice on a terminal, and the
// report table after a failed shutdown.

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("notice: the first SIGINT on a terminal writes one line about forcing", async () => {
  await withController({ terminal: true, budgetMs: 10_000 }, async ({ controller, runtime }) => {
    const scope = controller.protect(5_000);
    runtime.deliver("SIGINT");
    // A macrotask later, so no hook waits for the terminal write.
    assert.equal(runtime.stderr.length, 0);
    await runtime.advance(0);
    assert.equal(runtime.stderr.length, 1);
    const line = runtime.stderr[0];
    assert.match(line, /press Ctrl-C/);
    assert.match(line, /2 more times/);
    assert.equal(line.trimEnd().includes("\n"), false, "one line");
    scope[Symbol.dispose]();
  });
});

test("notice: after another signal it names that signal beside Ctrl-C", async () => {
  for (const signal of ["SIGTERM", "SIGUSR2"] as const) {
    await withController({
      terminal: true,
      budgetMs: 10_000,
      signals: ["SIGINT", "SIGTERM", "SIGUSR2"],
    }, async ({ controller, runtime }) => {
      const scope = controller.protect(5_000);
      runtime.deliver(signal);
      await runtime.advance(0);
      assert.equal(runtime.stderr.length, 1);
      assert.equal(
        runtime.stderr[0].trimEnd(),
        `shutting down gracefully (${signal}); send ${signal} or press Ctrl-C 2 more times to force`,
      );
      scope[Symbol.dispose]();
    });
  }
});

test("notice: without a terminal a clean shutdown writes nothing", async () => {
  await withController({ terminal: false, budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => {}, { name: "hook" });
    runtime.deliver("SIGINT");
    await runtime.advance(0);
    await runtime.advance(0);
    assert.equal(controller.state, "done");
    assert.deepEqual(runtime.exits, [{ signal: "SIGINT" }]);
    assert.deepEqual(runtime.stderr, []);
  });
});

test("notice: a log option receives the messages instead of stderr", async () => {
  const messages: string[] = [];
  await withController({
    terminal: true,
    budgetMs: 10_000,
    log: (message) => void messages.push(message),
  }, async ({ controller, runtime }) => {
    const scope = controller.protect(5_000);
    runtime.deliver("SIGINT");
    await runtime.advance(0);
    assert.equal(messages.length, 1);
    assert.match(messages[0], /press Ctrl-C/);
    assert.deepEqual(runtime.stderr, []);
    scope[Symbol.dispose]();
  });
});

test("notice: a failed hook is reported on stderr even without a terminal", async () => {
  await withController({ terminal: false, budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => {}, { name: "fine" });
    controller.onShutdown(() => {
      throw new Error("disk full");
    }, { name: "flaky" });
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    const text = runtime.stderr.join("");
    assert.match(text, /flaky/);
    assert.match(text, /threw/);
    assert.match(text, /disk full/);
    assert.match(text, /fine/);
  });
});

test("notice: a failed hook is reported through log when one is given", async () => {
  const messages: string[] = [];
  await withController({
    terminal: false,
    budgetMs: 10_000,
    log: (message) => void messages.push(message),
  }, async ({ controller, runtime }) => {
    controller.onShutdown(() => new Promise(() => {}), { name: "stuck", timeoutMs: 100 });
    controller.request("bye");
    await runtime.advance(100);
    const text = messages.join("\n");
    assert.match(text, /stuck/);
    assert.match(text, /timed-out/);
    assert.deepEqual(runtime.stderr, []);
  });
});

test("notice: on force, one line names the scopes and the hooks that are cut", async () => {
  await withController({ terminal: true, budgetMs: 10_000 }, async ({ controller, runtime }) => {
    controller.onShutdown(() => {}, { name: "close-db" });
    controller.onShutdown(() => {}, { name: "flush" });
    const scope = controller.protect(5_000, { name: "import" });
    for (let i = 0; i < 3; i++) runtime.deliver("SIGINT");
    await runtime.advance(0);
    const forced = runtime.stderr.filter((line) => line.startsWith("shutdown forced"));
    assert.deepEqual(forced, [
      "shutdown forced (attempts): cutting scopes import; cutting hooks flush, close-db\n",
    ]);
    const report = await controller.done;
    assert.deepEqual(report.openScopes, ["import"]);
    assert.equal(typeof report.startedAt, "number");
    assert.ok(Math.abs(report.startedAt - Date.now()) < 60_000, "startedAt is wall-clock time");
    scope[Symbol.dispose]();
  });
});
