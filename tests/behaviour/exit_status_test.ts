// After a signal-initiated shutdown the parent sees what it would have seen
// without the library: death by that signal.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { startFixture } from "../_child.ts";

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
  test(`${signal}: the hook runs, then the process dies by ${signal}`, async () => {
    const child = startFixture("idle.ts");
    await child.waitFor("ready");
    child.kill(signal);
    const end = await child.ended;
    assert.deepEqual(end.lines.slice(1), [`hook ran ${signal}`], end.stderr);
    assert.deepEqual([end.code, end.signal], [null, signal]);
  });
}

test("the program's own signal listeners keep firing; the status is then 128 + 15", async () => {
  const child = startFixture("own_listeners.ts");
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.ok(end.lines.includes("own listener before"), end.lines.join("\n") + end.stderr);
  assert.ok(end.lines.includes("own listener after"));
  assert.ok(end.lines.includes("hook ran"));
  assert.deepEqual([end.code, end.signal], [143, null]);
});

test("a disposed controller gives the runtime its default signal behaviour back", async () => {
  const child = startFixture("idle.ts", ["dispose"]);
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.deepEqual(end.lines, ["disposed", "ready"], end.stderr);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});
