// What the program's exit listeners write reaches a piped stdout, after a
// signal and after request()'s exit, on every runtime.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { runtimeName } from "../_harness.ts";
import { startFixture } from "../_child.ts";

const expected = (code: string): string[] =>
  runtimeName === "deno" ? ["ready", "hook ran", "console.log in exit listener (unload)"] : [
    "ready",
    "hook ran",
    `console.log in exit listener (${code})`,
    "stdout.write in exit listener",
  ];

test("after SIGTERM, an exit listener's output reaches the pipe before the signal death", async () => {
  const child = startFixture("exit_listener.ts");
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.deepEqual(end.lines, expected("143"), end.stderr);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
});

test("after SIGTERM, all of 1 MiB an exit listener writes reaches the pipe", async () => {
  // Bun writes to a pipe in the background: without the flush most is lost.
  const child = startFixture("exit_listener.ts", ["big"]);
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  const lengths = end.lines.slice(expected("143").length).map((line) => line.length);
  assert.deepEqual(end.lines.slice(0, expected("143").length), expected("143"), end.stderr);
  assert.deepEqual(lengths, [1 << 20], end.stderr);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
});

test("after request()'s exit code, an exit listener's output reaches the pipe", async () => {
  const end = await startFixture("exit_listener.ts", ["request"]).ended;
  assert.deepEqual(end.lines, expected("3"), end.stderr);
  assert.deepEqual([end.code, end.signal], [3, null], end.stderr);
});
