// A start-up that hangs never starves the stops, on every runtime.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { endAfter, startFixture } from "../_child.ts";

test("start-up: SIGTERM during a hanging start: given up at the scope budget, stops and hooks run", async () => {
  const child = startFixture("start_up.ts", ["hang"]);
  await child.waitFor("cache starting");
  const { end, tookMs } = await endAfter(child, "SIGTERM");
  assert.deepEqual(end.lines.slice(0, 4), [
    "cache starting",
    "cache start aborted: ShutdownError",
    "db stopped",
    "hook ran",
  ], end.stderr);
  // The report and run()'s end come after, in either order.
  assert.deepEqual(end.lines.slice(4).sort(), [
    "report cache (start):cut db:ok hook:ok",
    "run resolved",
  ], end.stderr);
  assert.match(
    end.stderr,
    /cut .* cache \(start\) {2}\(start\(\) still ran when the start-up hold/,
  );
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
  // The hold's budget is 2000 - 200 (the hooks' reserve) ms; generous bounds.
  assert.ok(tookMs >= 1_700 && tookMs < 10_000, `took ${tookMs} ms`);
});

test("start-up: startTimeoutMs with no signal: what started stops, run() rejects", async () => {
  const end = await startFixture("start_up.ts", ["timeout"]).ended;
  assert.deepEqual(end.lines, [
    "cache starting",
    "cache start aborted: TimeoutError",
    "db stopped",
    "run rejected: cache did not start within its startTimeoutMs (300 ms)",
    // Then the program ends by itself: its hook runs at the end.
    "hook ran",
    "report hook:ok",
  ], end.stderr);
  assert.deepEqual([end.code, end.signal], [0, null], end.stderr);
});
