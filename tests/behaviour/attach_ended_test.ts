// attach(): a worker that ended before the shutdown is no step of it (a
// program that starts a worker per job runs for months).
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { startFixture } from "../_child.ts";

test("attach: 30 workers that ended on their own leave no step behind", async () => {
  const parent = startFixture("attach_ended.ts", ["30"]);
  const end = await parent.ended;
  assert.ok(end.lines.includes("report 0 steps"), `${end.lines.join("\n")}\n${end.stderr}`);
  assert.equal(end.code, 0);
}, { timeoutMs: 60_000 });
