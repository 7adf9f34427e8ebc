// The process-wide controller in a real process: lazy, and exclusive.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { startFixture } from "../_child.ts";

test("importing the library changes nothing until `shutdown` is first used", async () => {
  const child = startFixture("lazy.ts", ["unused"]);
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.deepEqual(end.lines, ["ready"], end.stderr);
  assert.equal(end.stderr, "");
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});

test("a second live controller is refused with an error that says so", async () => {
  const child = startFixture("lazy.ts", ["second"]);
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.match(
    end.lines[0],
    /^second controller refused: another ShutdownController is already listening/,
  );
  assert.deepEqual(end.lines.slice(1), ["the process-wide one listens now", "ready", "hook ran"]);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});
