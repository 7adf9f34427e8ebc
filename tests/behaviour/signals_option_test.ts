// The `signals` option with real signals, on every runtime.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { startFixture } from "../_child.ts";

test("signals: a listed SIGUSR2 runs the hooks, then the process dies by SIGUSR2", async () => {
  const child = startFixture("signals_option.ts");
  await child.waitFor("ready");
  child.kill("SIGUSR2");
  const end = await child.ended;
  assert.deepEqual(end.lines, ["ready", "hook ran (SIGUSR2)"], end.stderr);
  assert.deepEqual([end.code, end.signal], [null, "SIGUSR2"], end.stderr);
});

test("signals: a signal left out of the list keeps its default: no hook runs", async () => {
  const child = startFixture("signals_option.ts");
  await child.waitFor("ready");
  child.kill("SIGINT");
  const end = await child.ended;
  assert.deepEqual(end.lines, ["ready"], end.stderr);
  assert.deepEqual([end.code, end.signal], [null, "SIGINT"], end.stderr);
});
