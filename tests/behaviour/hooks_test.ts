// Shutdown hooks under real signals.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
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

test("the report, field by field, for one ok, one throwing and one timed-out hook", async () => {
  const child = startFixture("hooks.ts", ["report"]);
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  const line = end.lines.find((l) => l.startsWith("report-json "));
  assert.ok(line, end.lines.join("\n") + end.stderr);
  const report = JSON.parse(line.slice("report-json ".length));
  assert.deepEqual(report.cause, { kind: "signal", signal: "SIGTERM" });
  assert.equal(report.forced, false);
  assert.equal(report.forcedBy, undefined);
  assert.equal(report.attempts, 1);
  assert.deepEqual(report.openScopes, []);
  assert.deepEqual(report.exit, { signal: "SIGTERM" });
  const [c, b, a] = report.steps;
  assert.deepEqual([c.name, c.outcome, c.error], ["C", "timed-out", undefined]);
  assert.deepEqual([b.name, b.outcome, b.error], ["B", "threw", "B failed on purpose"]);
  assert.deepEqual([a.name, a.outcome, a.error], ["A", "ok", undefined]);
  assert.equal(report.steps.length, 3);
  assert.ok(c.durationMs >= 290 && c.durationMs < 5_000, `C ran ${c.durationMs} ms, limit 300`);
  assert.ok(c.startMs >= 0 && b.startMs >= c.startMs + c.durationMs - 1, "B starts after C");
  assert.ok(a.startMs >= b.startMs + b.durationMs - 1, "A starts after B");
  assert.ok(report.durationMs >= a.startMs + a.durationMs - 1);
  // Something failed: the table goes to stderr even off a terminal.
  assert.match(end.stderr, /shutdown \(SIGTERM\) took \d+ ms/);
  assert.match(end.stderr, /threw .* B +Error: B failed on purpose/);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});
