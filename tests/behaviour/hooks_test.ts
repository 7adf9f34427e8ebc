// Shutdown hooks under real signals.
import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import { startFixture } from "../_child.ts";

test("hooks run last registered first", async () => {
  const child = startFixture("hooks.ts", ["lifo"]);
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  const hooks = end.lines.filter((line) => line.startsWith("hook "));
  assert.deepEqual(hooks, ["hook C", "hook B", "hook A"], end.stderr);
  assert.ok(end.lines.includes("report C:ok B:ok A:ok"));
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});

test("a hanging hook times out and the rest still run", async () => {
  const child = startFixture("hooks.ts", ["hang"]);
  await child.waitFor("ready");
  const sent = performance.now();
  child.kill("SIGTERM");
  const end = await child.ended;
  const took = performance.now() - sent;
  const hooks = end.lines.filter((line) => line.startsWith("hook "));
  assert.deepEqual(hooks, ["hook C", "hook B hangs", "hook B saw its signal abort", "hook A"]);
  assert.ok(end.lines.includes("report C:ok B:timed-out A:ok"), end.lines.join("\n"));
  assert.match(end.stderr, /timed-out .* B/, "the slow or failed shutdown is reported on stderr");
  assert.ok(took >= 300 && took < 10_000, `took ${took} ms with a 300 ms hook timeout`);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});
